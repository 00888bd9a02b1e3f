"""`manage.py import_essays`: the seed document, good and bad documents, re-imports, dry runs."""

from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from essays.importing import DocumentError, parse_document, split_repeated_prompt
from essays.models import Essay, Level, Note, Subject, Tag
from tests.factories import EssayFactory

GOOD = """top of page

Versailles: A Harsh Peace?

TITLE

'The Treaty of Versailles was too harsh on Germany.'

ESSAY

The treaty was signed in June 1919.

Germany lost Alsace-Lorraine.

SUBJECT

HISTORY

PAPER

A Level

NOTES

'The Treaty of Versailles was too harsh on Germany.' Discuss Harsh: Article 231; reparations.

TAGS

Germany, Peace treaties

bottom of page
"""


def write(folder: Path, name: str, text: str | bytes) -> Path:
    path = folder / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8", newline="")
    return path


def run_import(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("import_essays", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def run_failing_import(*args) -> tuple[str, str, CommandError]:
    out, err = StringIO(), StringIO()
    with pytest.raises(CommandError) as raised:
        call_command("import_essays", *[str(a) for a in args], stdout=out, stderr=err)
    return out.getvalue(), err.getvalue(), raised.value


# The seed document


@pytest.mark.django_db
def test_seed_document_becomes_a_draft_essay_with_its_plan(seed_document):
    out, _ = run_import(seed_document)

    essay = Essay.objects.get()
    assert essay.headline == "Stalin's Foreign Policy Objectives: Defending the Soviet Union?"
    assert essay.slug == "stalins-foreign-policy-objectives-defending-the-soviet-union"
    # The TITLE's quotation is unclosed in the seed; the statement closes it.
    assert essay.statement == (
        "‘Stalin’s main aim in foreign policy was to defend the Soviet Union from attack.’"
    )
    assert essay.command_word == "Discuss"
    assert essay.prompt.endswith("from attack.’ Discuss")
    assert essay.subject.name == "History"
    assert essay.level.name == "A Level"
    assert essay.status == Essay.Status.DRAFT
    assert len(essay.paragraphs()) == 5
    assert essay.paragraphs()[0].startswith("Stalin's main aim in foreign policy")
    assert "top of page" not in essay.body and "bottom of page" not in essay.body

    plan = essay.notes.get(kind=Note.Kind.PLAN)
    assert plan.text.startswith("Stalin shifted foreign policy away")
    assert "Discuss" not in plan.text[:20]
    assert plan.text.endswith("signing of the NaziSoviet Pact in 1939.")
    assert "1 created, 0 updated, 0 unchanged, 0 failed" in out


@pytest.mark.django_db
def test_importing_the_same_document_twice_leaves_one_unchanged_essay(seed_document):
    run_import(seed_document)
    out, _ = run_import(seed_document)
    assert Essay.objects.count() == 1
    assert Note.objects.filter(kind=Note.Kind.PLAN).count() == 1
    assert "0 created, 0 updated, 1 unchanged, 0 failed" in out


@pytest.mark.django_db
def test_copies_with_other_line_endings_bom_and_quotes_are_the_same_essay(tmp_path, seed_document):
    text = seed_document.read_text(encoding="utf-8")
    write(tmp_path, "a.txt", text)
    write(tmp_path, "b.txt", "\ufeff" + text.replace("\n", "\r\n"))
    # Straight opening quotes (apostrophes inside the claim stay as they are), trailing spaces.
    write(tmp_path, "c.txt", text.replace("\n‘", "\n'").replace("\n", "  \n"))
    out, _ = run_import(tmp_path)
    assert Essay.objects.count() == 1
    assert "1 created, 0 updated, 2 unchanged, 0 failed" in out


# Good documents of our own


@pytest.mark.django_db
def test_document_with_tags_straight_quotes_and_capitals(tmp_path):
    path = write(tmp_path, "versailles.txt", GOOD)
    run_import(path, "--publish")

    essay = Essay.objects.get()
    assert essay.statement == "‘The Treaty of Versailles was too harsh on Germany.’"
    assert essay.status == Essay.Status.PUBLISHED
    assert essay.published_at is not None
    assert essay.paragraphs() == [
        "The treaty was signed in June 1919.",
        "Germany lost Alsace-Lorraine.",
    ]
    assert sorted(essay.tags.values_list("name", flat=True)) == ["Germany", "Peace treaties"]
    assert essay.notes.get().text == "Harsh: Article 231; reparations."


@pytest.mark.django_db
def test_subject_and_level_match_existing_names_in_any_case(tmp_path):
    history = Subject.objects.create(name="History", slug="history")
    a_level = Level.objects.create(name="A Level", slug="a-level")
    run_import(write(tmp_path, "v.txt", GOOD.replace("A Level", "a level")))
    essay = Essay.objects.get()
    assert (essay.subject, essay.level) == (history, a_level)
    assert Subject.objects.count() == 1 and Level.objects.count() == 1


@pytest.mark.django_db
def test_new_names_are_created_in_title_case_keeping_acronyms(tmp_path):
    text = GOOD.replace("HISTORY", "ENGLISH LITERATURE").replace("A Level", "AS LEVEL")
    run_import(write(tmp_path, "v.txt", text))
    essay = Essay.objects.get()
    assert essay.subject.name == "English Literature"
    assert essay.level.name == "AS Level"


@pytest.mark.django_db
def test_changed_document_updates_the_essay_and_keeps_editors_notes(tmp_path):
    path = write(tmp_path, "v.txt", GOOD)
    run_import(path, "--publish")
    essay = Essay.objects.get()
    Note.objects.create(essay=essay, kind=Note.Kind.KEY_POINT, text="Reparations", position=5)

    write(
        tmp_path,
        "v.txt",
        GOOD.replace("June 1919", "28 June 1919").replace("Germany,", "Reparations,"),
    )
    out, _ = run_import(path)

    essay.refresh_from_db()
    assert "28 June 1919" in essay.body
    assert essay.status == Essay.Status.PUBLISHED, "re-importing keeps an essay published"
    assert sorted(essay.tags.values_list("name", flat=True)) == ["Peace treaties", "Reparations"]
    assert essay.notes.filter(kind=Note.Kind.KEY_POINT).exists()
    assert "updated" in out and "(body, tags)" in out
    assert "0 created, 1 updated, 0 unchanged, 0 failed" in out


def test_command_word_is_read_where_the_notes_repeat_the_prompt():
    statement = "‘Alliances caused the war.’"
    assert split_repeated_prompt(
        "'Alliances caused the war.' Assess For: blank cheque", statement
    ) == (
        "Assess",
        "For: blank cheque",
    )
    assert split_repeated_prompt("“Alliances caused the war” Discuss.\nPlan", statement) == (
        "Discuss",
        "Plan",
    )
    # No repeated prompt: default command word, notes untouched.
    assert split_repeated_prompt("Plan: alliances first", statement) == (
        "Discuss",
        "Plan: alliances first",
    )


def test_unclosed_and_closed_quotes_give_the_same_statement():
    closed = parse_document(GOOD)
    unclosed = parse_document(GOOD.replace("Germany.'\n\nESSAY", "Germany.\n\nESSAY"))
    assert closed.statement == unclosed.statement


def test_extra_blank_lines_and_trailing_spaces_are_tidied():
    messy = GOOD.replace("\n\n", "\n\n\n\n").replace("1919.", "1919.   ")
    assert parse_document(messy) == parse_document(GOOD)


# Bad documents


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD.replace("TITLE\n", "TITEL\n"), "no TITLE section"),
        (GOOD.replace("ESSAY\n", "Essay\n"), "no ESSAY section"),
        (GOOD.replace("TITLE", "").replace("ESSAY", ""), "no TITLE and ESSAY sections"),
        (
            GOOD.replace(
                "'The Treaty of Versailles was too harsh on Germany.'\n\nESSAY", "\nESSAY"
            ),
            "the TITLE section is empty",
        ),
        (GOOD.replace("Versailles: A Harsh Peace?", ""), "no headline"),
        (GOOD.replace("TAGS", "NOTES"), "a second NOTES section"),
        (GOOD.replace("HISTORY", "H" * 81), "names are limited to 80"),
        (GOOD.replace("Versailles: A Harsh Peace?", "???"), "no letters or digits"),
    ],
)
def test_bad_documents_are_refused_with_the_problem(text, message):
    with pytest.raises(DocumentError) as raised:
        parse_document(text)
    assert message in raised.value.message


@pytest.mark.django_db
def test_a_bad_file_is_reported_with_file_and_line_and_the_others_still_import(tmp_path):
    write(tmp_path, "1-good.txt", GOOD)
    write(tmp_path, "2-no-essay.txt", GOOD.replace("ESSAY\n", "\n"))
    write(tmp_path, "3-latin1.txt", GOOD.replace("June", "Juné").encode("latin-1"))
    write(tmp_path, "4-twice.txt", GOOD + "\nTITLE\nAgain\n")

    _out, err, error = run_failing_import(tmp_path)

    assert Essay.objects.count() == 1
    assert f"{tmp_path / '2-no-essay.txt'}: no ESSAY section" in err
    assert f"{tmp_path / '3-latin1.txt'}:11: not UTF-8 text" in err
    assert f"{tmp_path / '4-twice.txt'}:33: a second TITLE section (the first is on line 5)" in err
    assert "1 created, 0 updated, 0 unchanged, 3 failed" in str(error)
    assert error.returncode == 1


@pytest.mark.django_db
def test_a_failed_document_writes_nothing_at_all(tmp_path):
    """A headline too long for the database is found after the subject would have been made."""
    text = GOOD.replace("Versailles: A Harsh Peace?", "Versailles " * 30).replace(
        "HISTORY", "Politics"
    )
    _, err, _ = run_failing_import(write(tmp_path, "long.txt", text))
    assert "headline: Ensure this value has at most 200 characters" in err
    assert not Subject.objects.filter(name="Politics").exists()
    assert not Tag.objects.exists()
    assert not Essay.objects.exists()


@pytest.mark.django_db
def test_missing_paths_and_empty_folders_are_failures(tmp_path):
    (tmp_path / "empty").mkdir()
    _, err, error = run_failing_import(tmp_path / "nowhere.txt", tmp_path / "empty")
    assert "nowhere.txt: no such file or folder" in err
    assert "empty: folder has no *.txt documents" in err
    assert "0 created, 0 updated, 0 unchanged, 2 failed" in str(error)


@pytest.mark.django_db
def test_binary_files_are_refused(tmp_path):
    _, err, _ = run_failing_import(write(tmp_path, "x.txt", b"Headline\nTITLE\n\x00\x01\x02"))
    assert "x.txt:3: contains NUL characters" in err
    assert not Essay.objects.exists()


# Dry runs and progress


@pytest.mark.django_db
def test_dry_run_reports_and_writes_nothing(tmp_path, seed_document):
    existing = EssayFactory(
        slug="stalins-foreign-policy-objectives-defending-the-soviet-union", body="Old text"
    )
    write(tmp_path, "v.txt", GOOD)
    out, _ = run_import(tmp_path, seed_document, "--dry-run", "--publish")

    assert "would be created the-versailles-a-harsh-peace" not in out
    assert "would be created versailles-a-harsh-peace" in out
    assert "would be updated stalins-foreign-policy" in out
    assert "Dry run, nothing written: 1 created, 1 updated, 0 unchanged, 0 failed" in out
    assert Essay.objects.count() == 1
    existing.refresh_from_db()
    assert existing.body == "Old text"
    assert existing.status == Essay.Status.DRAFT
    assert not Tag.objects.exists() and not Note.objects.exists()


@pytest.mark.django_db
def test_each_file_shows_its_place_in_the_run(tmp_path):
    for n in range(3):
        write(tmp_path, f"{n}.txt", GOOD.replace("Versailles:", f"Versailles {n}:"))
    out, _ = run_import(tmp_path)
    assert "[1/3]" in out and "[3/3]" in out
    assert Essay.objects.count() == 3


def test_help_describes_the_format_and_options():
    from essays.management.commands.import_essays import Command

    parser = Command().create_parser("manage.py", "import_essays")
    text = parser.format_help()
    assert "TITLE, ESSAY, SUBJECT, PAPER" in text
    assert "--dry-run" in text and "--publish" in text


@pytest.mark.django_db
def test_key_points_with_their_phrases_are_imported_and_replaced_on_reimport(tmp_path):
    text = GOOD + "\nKEY POINTS\n\nWar guilt | Article 231; war guilt\nReparations | reparations\n"
    path = write(tmp_path, "v.txt", text)
    run_import(path)
    essay = Essay.objects.get()
    points = [(n.text, n.phrase_list()) for n in essay.key_points()]
    assert points == [("War guilt", ["Article 231", "war guilt"]), ("Reparations", ["reparations"])]

    out, _ = run_import(path)
    assert "1 unchanged" in out
    write(tmp_path, "v.txt", text.replace("Reparations | reparations", "Keynes | Keynes"))
    out, _ = run_import(path)
    assert "(key points)" in out
    assert [n.text for n in essay.key_points()] == ["War guilt", "Keynes"]


def test_a_key_point_without_phrases_is_refused_with_its_line():
    with pytest.raises(DocumentError) as raised:
        parse_document(GOOD + "\nKEY POINTS\n\nWar guilt | Article 231\nReparations\n")
    assert raised.value.line == 36
    assert "the point | phrase; another phrase" in raised.value.message
