"""Marks as CSV: safe to open in a spreadsheet (no cell runs as a formula) and read as UTF-8.

Work marked anonymously whose marks are not released is exported under its candidate number,
with the name and username left empty, after the named rows and in the order of the numbers
(in their places, say sorted by username, they would give the names away).
"""

import csv

from django.http import HttpResponse
from django.utils import timezone
from django.utils.text import slugify

from essays.marking.anonymity import fill_candidate_numbers, shown_number, with_candidate_numbers
from essays.people import display_name

# A cell a spreadsheet would run as a formula (=, +, -, @, tab, carriage return) is written
# with a leading apostrophe, which spreadsheets show as text.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
CSV_HEADER = [
    "Student",
    "Username",
    "Essay",
    "Attempt",
    "Candidate",
    "Submitted",
    "Words",
    "Level",
    "Mark",
    "Returned to student",
    "Returned",
    "Similarity to model (%)",
    "Key points covered",
    "What went well",
    "Even better if",
    "Feedback",
]


def safe_cell(value) -> str:
    text = "" if value is None else str(value)
    return f"'{text}" if text.startswith(FORMULA_STARTS) else text


def csv_rows(responses):
    for row in responses:
        student = row.student
        number = shown_number(row)
        yield [
            "" if number else safe_cell(display_name(student)),
            "" if number else safe_cell(student.get_username()),
            safe_cell(row.essay.headline),
            row.attempt,
            number or "",
            timezone.localtime(row.submitted_at).strftime("%Y-%m-%d %H:%M")
            if row.submitted_at
            else "",
            row.word_count,
            safe_cell(row.level),
            safe_cell(row.mark),
            "yes" if row.is_returned else "no",
            timezone.localtime(row.returned_at).strftime("%Y-%m-%d %H:%M")
            if row.returned_at
            else "",
            "" if row.similarity is None else round(row.similarity * 100),
            f"{row.key_points_made}/{row.key_points_total}",
            safe_cell(row.went_well),
            safe_cell("; ".join(row.targets())),
            safe_cell(row.feedback),
        ]


def export_csv(responses, *, name: str) -> HttpResponse:
    download = HttpResponse(content_type="text/csv; charset=utf-8")
    download["Content-Disposition"] = f'attachment; filename="{slugify(name) or "marks"}.csv"'
    download.write("\ufeff")  # spreadsheets then read the file as UTF-8
    writer = csv.writer(download)
    writer.writerow(CSV_HEADER)
    # The feedback is exported, the answers and the model essays are not: whatever a list left
    # out, read the feedback with the rows (one query), and leave the long texts behind.
    rows = list(
        with_candidate_numbers(responses)
        .select_related("student", "essay")
        .defer(None)
        .defer("body", "essay__body", "essay__search_document", "essay__search_vector")
    )
    fill_candidate_numbers(rows)
    rows.sort(key=lambda row: shown_number(row) or 0)  # stable: named rows keep their order
    writer.writerows(csv_rows(rows))
    return download
