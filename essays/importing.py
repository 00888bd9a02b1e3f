"""Reading essay documents (the format of the library's source pages) into the essay library.

A document is a headline line, then sections that start at a heading alone on its line::

    Stalin's Foreign Policy Objectives: Defending the Soviet Union?
    TITLE
    'Stalin's main aim in foreign policy was to defend the Soviet Union from attack.'
    ESSAY
    ...paragraphs separated by blank lines...
    SUBJECT
    HISTORY
    PAPER
    A Level
    NOTES
    'Stalin's main aim ... attack.' Discuss Stalin shifted foreign policy ...
    TAGS
    Soviet Union, Interwar diplomacy
    KEY POINTS
    Collective security against Nazi Germany | collective security; League of Nations

Each KEY POINTS line is a point, a bar, and the phrases (separated by semicolons) that show a
response has made it. Page chrome ("top of page", "bottom of page") is dropped.
`parse_document` turns the text into an `EssayDocument` or raises `DocumentError` naming the
line; `import_document` writes one document in a single transaction.
"""

import re
from dataclasses import dataclass, field
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from essays.models import Essay, Level, Note, Subject, Tag

SECTION_NAMES = ("TITLE", "ESSAY", "SUBJECT", "PAPER", "NOTES", "TAGS", "KEY POINTS")
REQUIRED_SECTIONS = ("TITLE", "ESSAY", "SUBJECT", "PAPER")
PAGE_CHROME = {"top of page", "bottom of page"}
DEFAULT_COMMAND_WORD = "Discuss"
COMMAND_WORDS = {
    "discuss", "assess", "evaluate", "examine", "explain", "analyse", "analyze", "consider",
    "compare", "justify", "debate",
}  # fmt: skip
OPENING_QUOTES = "‘“'\"`"
CLOSING_QUOTES = "’”'\"`"
# Kept in capitals when a name typed in capitals is made title case ("AS LEVEL" -> "AS Level").
ACRONYMS = {"AS", "A2", "GCSE", "IB", "BTEC", "EPQ", "IGCSE", "UK", "USA", "US", "EU"}
MINOR_WORDS = {"and", "of", "the", "in", "for", "to"}
MAX_DOCUMENT_BYTES = 2 * 1024 * 1024
NAME_LIMIT = Subject._meta.get_field("name").max_length


class DocumentError(Exception):
    """A document that cannot be imported. `line` is 1-based where the problem has a place."""

    def __init__(self, message: str, line: int | None = None):
        super().__init__(message)
        self.message = message
        self.line = line

    def located(self, source: str) -> str:
        where = f"{source}:{self.line}" if self.line else source
        return f"{where}: {self.message}"


@dataclass(frozen=True)
class EssayDocument:
    headline: str
    statement: str
    body: str
    subject: str
    level: str
    command_word: str = DEFAULT_COMMAND_WORD
    notes: str = ""
    tags: tuple[str, ...] = field(default_factory=tuple)
    # None when the document has no KEY POINTS section (the essay's key points are then left
    # as editors made them); otherwise (text, phrases) pairs.
    key_points: tuple[tuple[str, tuple[str, ...]], ...] | None = None

    @property
    def slug(self) -> str:
        return slugify(self.headline)[:200].strip("-")


def decode_document(data: bytes) -> str:
    """UTF-8 text (a byte-order mark is allowed); anything else is refused with the offset."""
    if len(data) > MAX_DOCUMENT_BYTES:
        raise DocumentError(
            f"file is {len(data):,} bytes; documents are limited to {MAX_DOCUMENT_BYTES:,}"
        )
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise DocumentError(
            f"not UTF-8 text (byte 0x{data[error.start]:02x} cannot be decoded); "
            "save the document as UTF-8 and import it again",
            line=line,
        ) from None
    if "\x00" in text:
        raise DocumentError(
            "contains NUL characters; this is not a text document",
            line=text[: text.index("\x00")].count("\n") + 1,
        )
    return text


def tidy_block(lines: list[str]) -> str:
    """Join a section's lines: no surrounding blank lines, at most one blank line in a row."""
    text = "\n".join(line.rstrip() for line in lines).strip()
    return re.sub(r"\n{3,}", "\n\n", text)


def one_line(text: str) -> str:
    return " ".join(text.split())


def normalise_statement(text: str) -> str:
    """Keep the claim in curly quotation marks whatever quotes the document used, closing an
    unclosed one, so re-importing a copy with other quotes changes nothing."""
    claim = one_line(text)
    if claim[:1] in OPENING_QUOTES:
        claim = claim[1:]
        if claim[-1:] in CLOSING_QUOTES:
            claim = claim[:-1]
    return f"‘{claim.strip()}’"


def alphanumerics(text: str) -> str:
    return "".join(ch.lower() for ch in text if ch.isalnum())


def split_repeated_prompt(notes: str, statement: str) -> tuple[str, str]:
    """Notes usually open by repeating the prompt: "'<claim>' Discuss <plan>". Return the command
    word found there (or the default) and the notes without the repeated prompt.

    The claim is matched on letters and digits alone, so differences in quotes, spacing and
    punctuation between the TITLE and the NOTES do not matter.
    """
    wanted = alphanumerics(statement)
    if not wanted:
        return DEFAULT_COMMAND_WORD, notes
    matched = 0
    end = None
    for position, ch in enumerate(notes):
        if not ch.isalnum():
            continue
        if ch.lower() != wanted[matched]:
            return DEFAULT_COMMAND_WORD, notes
        matched += 1
        if matched == len(wanted):
            end = position + 1
            break
    if end is None:
        return DEFAULT_COMMAND_WORD, notes
    rest = notes[end:].lstrip(CLOSING_QUOTES + ".?!:;, \n\t")
    first_word = re.match(r"([A-Za-z]+)[.:!]?(\s+|$)", rest)
    if first_word and first_word.group(1).lower() in COMMAND_WORDS:
        return first_word.group(1).capitalize(), rest[first_word.end() :].strip()
    return DEFAULT_COMMAND_WORD, rest.strip()


def parse_document(text: str) -> EssayDocument:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    headline: str | None = None
    sections: dict[str, list[str]] = {}
    heading_lines: dict[str, int] = {}
    current: str | None = None

    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if line.lower() in PAGE_CHROME:
            continue
        heading = line.rstrip(":")
        if heading in SECTION_NAMES:
            if heading in sections:
                raise DocumentError(
                    f"a second {heading} section (the first is on line {heading_lines[heading]})",
                    line=number,
                )
            sections[heading] = []
            heading_lines[heading] = number
            current = heading
        elif current is not None:
            sections[current].append(raw)
        elif line and headline is None:
            headline = one_line(line)

    missing = [name for name in REQUIRED_SECTIONS if name not in sections]
    if missing:
        names = " and ".join(", ".join(missing).rsplit(", ", 1))
        raise DocumentError(
            f"no {names} section{'s' if len(missing) > 1 else ''}: each heading must stand "
            "alone on its line in capitals"
        )
    if "TITLE" in heading_lines and not headline:
        raise DocumentError(
            "no headline: the first line of text, before TITLE, names the essay",
            line=heading_lines["TITLE"],
        )

    blocks = {name: tidy_block(section) for name, section in sections.items()}
    for name in REQUIRED_SECTIONS:
        if not blocks[name]:
            raise DocumentError(f"the {name} section is empty", line=heading_lines[name])

    statement = normalise_statement(blocks["TITLE"])
    command_word, notes = split_repeated_prompt(blocks.get("NOTES", ""), statement)
    tags = tuple(
        dict.fromkeys(one_line(tag) for tag in blocks.get("TAGS", "").split(",") if tag.strip())
    )
    key_points = None
    if "KEY POINTS" in sections:
        key_points = parse_key_points(sections["KEY POINTS"], heading_lines["KEY POINTS"])
    document = EssayDocument(
        headline=headline,
        statement=statement,
        command_word=command_word,
        body=blocks["ESSAY"],
        subject=one_line(blocks["SUBJECT"]),
        level=one_line(blocks["PAPER"]),
        notes=notes,
        tags=tags,
        key_points=key_points,
    )
    for name, value in (("SUBJECT", document.subject), ("PAPER", document.level)):
        if len(value) > NAME_LIMIT:
            raise DocumentError(
                f"the {name} is {len(value)} characters long; names are limited to {NAME_LIMIT}",
                line=heading_lines[name] + 1,
            )
    for tag in tags:
        if len(tag) > NAME_LIMIT:
            raise DocumentError(
                f"the tag {tag[:30]!r}... is {len(tag)} characters long; "
                f"tags are limited to {NAME_LIMIT}",
                line=heading_lines["TAGS"] + 1,
            )
    if not document.slug:
        raise DocumentError(
            "the headline has no letters or digits to make a web address from", line=1
        )
    return document


def parse_key_points(lines: list[str], heading_line: int):
    points = []
    for offset, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        text, bar, phrases = line.partition("|")
        wanted = tuple(p.strip() for p in phrases.split(";") if p.strip())
        if not bar or not text.strip() or not wanted:
            raise DocumentError(
                "a key point is written as: the point | phrase; another phrase",
                line=heading_line + offset,
            )
        points.append((one_line(text), wanted))
    return tuple(points)


def display_name(name: str) -> str:
    """A name typed in capitals or lower case, in title case: "ENGLISH LITERATURE" ->
    "English Literature", "AS LEVEL" -> "AS Level". Mixed case is kept as written."""
    if name != name.upper() and name != name.lower():
        return name
    words = []
    for index, word in enumerate(name.split()):
        if word.upper() in ACRONYMS:
            words.append(word.upper())
        elif index and word.lower() in MINOR_WORDS:
            words.append(word.lower())
        else:
            words.append(word.capitalize())
    return " ".join(words)


def find_or_create_named(model, name: str):
    """Match an existing subject, level or tag by name (any case) or slug, else create it."""
    existing = model.objects.filter(name__iexact=name).first()
    if existing is None:
        existing = model.objects.filter(slug=slugify(name)).first()
    if existing is not None:
        return existing, False
    return model.objects.create(name=display_name(name), slug=slugify(name)), True


class Outcome(StrEnum):
    CREATED = "created"
    UPDATED = "updated"
    UNCHANGED = "unchanged"


@dataclass
class ImportResult:
    outcome: Outcome
    essay: Essay
    changes: list[str]


def import_document(document: EssayDocument, *, publish: bool = False) -> ImportResult:
    """Create or update the essay whose slug the document's headline gives, all or nothing.

    A re-imported essay keeps its status unless `publish` is asked for, and keeps the notes
    editors added in admin; the document's NOTES replace the essay's first plan note.
    """
    with transaction.atomic():
        subject, _ = find_or_create_named(Subject, document.subject)
        level, _ = find_or_create_named(Level, document.level)
        tags = [find_or_create_named(Tag, name)[0] for name in document.tags]

        essay = Essay.objects.filter(slug=document.slug).first()
        created = essay is None
        if created:
            essay = Essay(slug=document.slug)

        changes = []
        fields = {
            "headline": document.headline,
            "statement": document.statement,
            "command_word": document.command_word,
            "body": document.body,
            "subject": subject,
            "level": level,
        }
        for name, value in fields.items():
            if created or getattr(essay, name) != value:
                changes.append(name)
            setattr(essay, name, value)
        if publish and not essay.is_published:
            essay.status = Essay.Status.PUBLISHED
            changes.append("status")
        try:
            essay.full_clean(validate_unique=False)
        except ValidationError as error:
            raise DocumentError(describe_validation_error(error)) from None
        if created or changes:
            essay.save()

        current_tags = set() if created else set(essay.tags.values_list("pk", flat=True))
        if current_tags != {tag.pk for tag in tags}:
            essay.tags.set(tags)
            changes.append("tags")

        if document.notes:
            plan = None if created else essay.notes.filter(kind=Note.Kind.PLAN).first()
            if plan is None:
                Note.objects.create(essay=essay, kind=Note.Kind.PLAN, text=document.notes)
                changes.append("notes")
            elif plan.text != document.notes:
                plan.text = document.notes
                plan.save(update_fields=["text"])
                changes.append("notes")
        if document.key_points is not None:
            current = [
                (note.text, tuple(note.phrase_list()))
                for note in essay.notes.filter(kind=Note.Kind.KEY_POINT)
            ]
            if current != list(document.key_points):
                essay.notes.filter(kind=Note.Kind.KEY_POINT).delete()
                # One at a time, not in bulk: saving a note rebuilds the essay's search
                # document (essays/signals.py), as it does from admin.
                for position, (text, phrases) in enumerate(document.key_points, start=1):
                    Note.objects.create(
                        essay=essay,
                        kind=Note.Kind.KEY_POINT,
                        text=text,
                        phrases="\n".join(phrases),
                        position=position,
                    )
                changes.append("key points")

    if created:
        return ImportResult(Outcome.CREATED, essay, changes)
    if changes:
        return ImportResult(Outcome.UPDATED, essay, changes)
    return ImportResult(Outcome.UNCHANGED, essay, changes)


def describe_validation_error(error: ValidationError) -> str:
    parts = []
    for name, messages in error.message_dict.items():
        label = "essay" if name == "__all__" else name.replace("_", " ")
        parts.append(f"{label}: {' '.join(messages)}")
    return "; ".join(parts)
