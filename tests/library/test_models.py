import pytest
from django.db import IntegrityError, transaction

from essays.models import Essay, Note, Subject, split_paragraphs
from tests.factories import EssayFactory, NoteFactory, SubjectFactory

pytestmark = pytest.mark.django_db


def test_prompt_is_the_claim_followed_by_its_command_word():
    essay = EssayFactory(statement="‘Stalin’s main aim was defence.’", command_word="Discuss")
    assert essay.prompt == "‘Stalin’s main aim was defence.’ Discuss"


def test_new_essays_are_25_mark_45_minute_drafts():
    essay = EssayFactory()
    assert essay.status == Essay.Status.DRAFT
    assert (essay.marks_available, essay.time_allowed_minutes, essay.command_word) == (
        25,
        45,
        "Discuss",
    )
    assert essay.published_at is None


def test_publishing_stamps_the_first_publication_time_once():
    essay = EssayFactory(status=Essay.Status.PUBLISHED)
    first = essay.published_at
    assert first is not None
    essay.status = Essay.Status.DRAFT
    essay.save()
    essay.status = Essay.Status.PUBLISHED
    essay.save()
    assert essay.published_at == first


def test_published_lists_only_published_essays():
    shown = EssayFactory(status=Essay.Status.PUBLISHED)
    EssayFactory(status=Essay.Status.DRAFT)
    assert list(Essay.objects.published()) == [shown]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("status", "archived"),
        ("marks_available", 0),
        ("time_allowed_minutes", 0),
        ("slug", ""),
    ],
)
def test_database_refuses_invalid_essay_values(field, value):
    essay = EssayFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Essay.objects.filter(pk=essay.pk).update(**{field: value})


def test_database_refuses_an_unknown_note_kind():
    note = NoteFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Note.objects.filter(pk=note.pk).update(kind="gossip")


def test_slugs_are_unique():
    EssayFactory(slug="one-essay")
    with pytest.raises(IntegrityError), transaction.atomic():
        EssayFactory(slug="one-essay", headline="Another headline")
    SubjectFactory(name="History")
    with pytest.raises(IntegrityError), transaction.atomic():
        Subject.objects.create(name="Modern History", slug="history")


def test_body_paragraphs_split_at_blank_lines_only():
    text = "First line\nstill first.\n\n\n  Second.  \n \nThird."
    assert split_paragraphs(text) == ["First line\nstill first.", "Second.", "Third."]


def test_notes_keep_their_order_within_an_essay():
    essay = EssayFactory()
    later = NoteFactory(essay=essay, position=2, text="Later")
    earlier = NoteFactory(essay=essay, position=1, text="Earlier")
    assert list(essay.notes.all()) == [earlier, later]


def test_key_point_phrases_are_one_per_line():
    note = NoteFactory(kind=Note.Kind.KEY_POINT, phrases="League of Nations\n\n 1934 \n")
    assert note.phrase_list() == ["League of Nations", "1934"]


def test_strings_and_addresses():
    essay = EssayFactory(headline="Versailles: a harsh peace?", slug="versailles")
    assert str(essay) == "Versailles: a harsh peace?"
    assert essay.get_absolute_url() == "/essays/versailles/"
    assert essay.subject.get_absolute_url() == "/?subject=history"
    assert essay.level.get_absolute_url() == "/?level=a-level"
