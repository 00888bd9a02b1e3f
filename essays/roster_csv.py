"""Reading a roster file: a CSV with a header row naming the columns first name, last name,
email and, optionally, username and target, then one student a row.

`read_roster()` turns the uploaded bytes into rows (`RosterRow`, each with its line number), or
says why the file cannot be read (`RosterUnreadable`: not UTF-8, no header row, too big, too
many rows). What the rows would do to a class is essays.rosters' to decide.
"""

import csv
import io
import re
from dataclasses import dataclass

MAX_BYTES = 1_000_000
MAX_ROWS = 500

# Header cells as people write them, compared without case, spaces, dashes or underscores.
COLUMNS = {
    "firstname": "first_name",
    "forename": "first_name",
    "givenname": "first_name",
    "lastname": "last_name",
    "surname": "last_name",
    "familyname": "last_name",
    "email": "email",
    "emailaddress": "email",
    "username": "username",
    "target": "target",
    "targetgrade": "target",
}
REQUIRED = {"first_name": "first name", "last_name": "last name", "email": "email"}


class RosterUnreadable(Exception):
    """The file as a whole cannot be used; the message says why and what to do."""


@dataclass(frozen=True)
class RosterRow:
    """One student's line of the file, as written (cells stripped of surrounding spaces)."""

    line: int
    first_name: str
    last_name: str
    email: str
    username: str = ""
    target: str = ""


def header_key(cell: str) -> str:
    return re.sub(r"[\s_\-]+", "", cell.casefold())


def read_roster(data: bytes) -> list[RosterRow]:
    """The file's rows. UTF-8 with or without a byte-order mark (Excel's "CSV UTF-8" writes
    one); commas, or the semicolons or tabs some spreadsheets write instead."""
    if len(data) > MAX_BYTES:
        raise RosterUnreadable(
            f"The file is {len(data) / 1_000_000:.1f} MB; a roster can be at most 1 MB. Upload "
            "the class in smaller files."
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise RosterUnreadable(
            "The file is not UTF-8 text. In Excel, choose File → Save As → “CSV UTF-8 (Comma "
            "delimited)”; in Google Sheets, File → Download → Comma-separated values."
        ) from None
    if "\x00" in text:
        raise RosterUnreadable(
            "This is not a CSV file (it looks like a spreadsheet or another binary file). Save "
            "the sheet as CSV first."
        )
    return parse_roster(text)


def parse_roster(text: str) -> list[RosterRow]:
    first_line = text.lstrip("\n\r").split("\n", 1)[0]
    delimiter = ","
    if "," not in first_line:
        delimiter = ";" if ";" in first_line else "\t" if "\t" in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    columns: dict[str, int] | None = None
    rows: list[RosterRow] = []
    last_line = 0
    try:
        for cells in reader:
            line, last_line = last_line + 1, reader.line_num
            cells = [cell.strip() for cell in cells]
            if not any(cells):
                continue
            if columns is None:
                columns = header_columns(cells)
                continue
            if len(rows) == MAX_ROWS:
                raise RosterUnreadable(
                    f"The file has more than {MAX_ROWS} students; upload at most {MAX_ROWS} at "
                    "a time."
                )

            rows.append(
                RosterRow(
                    line=line,
                    **{name: pick(cells, columns, name) for name in ROW_FIELDS},
                )
            )
    except csv.Error as error:
        raise RosterUnreadable(f"Line {reader.line_num} cannot be read as CSV ({error}).") from None
    if columns is None:
        raise RosterUnreadable("The file is empty.")
    if not rows:
        raise RosterUnreadable("The file has a header row but no students under it.")
    return rows


ROW_FIELDS = ("first_name", "last_name", "email", "username", "target")


def pick(cells: list[str], columns: dict[str, int], name: str) -> str:
    """The row's cell for a column; empty if the file has no such column or the row stops
    short of it."""
    index = columns.get(name)
    return cells[index] if index is not None and index < len(cells) else ""


def header_columns(cells: list[str]) -> dict[str, int]:
    columns: dict[str, int] = {}
    for index, cell in enumerate(cells):
        name = COLUMNS.get(header_key(cell))
        if name is None:
            continue
        if name in columns:
            raise RosterUnreadable(f"The header row names the {name.replace('_', ' ')} twice.")
        columns[name] = index
    missing = [label for name, label in REQUIRED.items() if name not in columns]
    if missing:
        looks_like_data = any("@" in cell for cell in cells)
        raise RosterUnreadable(
            "The first row must be a header row naming the columns first name, last name and "
            "email (username and target are optional)"
            + (
                "; this one looks like a student’s details."
                if looks_like_data
                else f"; it has no {' or '.join(missing)} column."
            )
        )
    return columns
