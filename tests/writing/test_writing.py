"""The rules that keep a student's text safe, without a browser."""

import pytest
from django.core.exceptions import ValidationError

from essays import writing
from essays.models import Response
from tests.factories import EssayFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def student():
    return UserFactory()


@pytest.fixture
def essay():
    return EssayFactory(status="published")


def save(student, essay, body, attempt=1, version=0):
    return writing.save_draft(
        student=student, essay=essay, body=body, attempt=attempt, version=version
    )


def test_first_save_creates_the_draft_and_later_saves_move_its_version(student, essay):
    draft = save(student, essay, "First words")
    assert (draft.attempt, draft.version, draft.word_count) == (1, 1, 2)
    draft = save(student, essay, "First words and more", version=1)
    assert (draft.version, draft.body, draft.word_count) == (2, "First words and more", 4)
    assert Response.objects.count() == 1


def test_a_save_from_a_stale_copy_changes_nothing(student, essay):
    save(student, essay, "Tab A's text")
    save(student, essay, "Tab A's newer text", version=1)
    with pytest.raises(writing.StaleDraft) as stale:
        save(student, essay, "Tab B typed on the old version", version=1)
    assert stale.value.current.body == "Tab A's newer text"
    assert Response.objects.get().body == "Tab A's newer text"


def test_a_stale_copy_holding_the_same_text_is_simply_acknowledged(student, essay):
    save(student, essay, "Same words")
    save(student, essay, "Same words, more", version=1)
    draft = save(student, essay, "Same words, more", version=1)
    assert (draft.version, draft.body) == (2, "Same words, more")


def test_a_second_tab_starting_the_same_essay_gets_a_conflict_not_a_second_draft(student, essay):
    save(student, essay, "Tab A")
    with pytest.raises(writing.StaleDraft):
        save(student, essay, "Tab B", version=0)
    assert Response.objects.count() == 1


def test_a_save_into_a_submitted_attempt_is_refused(student, essay):
    draft = save(student, essay, "Finished")
    writing.submit_response(student=student, response_id=draft.pk)
    with pytest.raises(writing.NotADraft) as refused:
        save(student, essay, "Typed in another tab", version=1)
    assert refused.value.response == draft
    assert Response.objects.get().body == "Finished"


def test_a_stale_save_of_an_old_attempt_never_lands_in_the_new_draft(student, essay):
    first = save(student, essay, "Attempt one")
    writing.submit_response(student=student, response_id=first.pk)
    second, _ = writing.start_draft(student=student, essay=essay, body="Attempt two")
    assert (second.attempt, second.version) == (2, 1)
    with pytest.raises(writing.NotADraft):
        save(student, essay, "Old tab, attempt one", attempt=1, version=1)
    second.refresh_from_db()
    assert second.body == "Attempt two"


def test_submitting_twice_makes_one_submission(student, essay):
    draft = save(student, essay, "My answer")
    once = writing.submit_response(student=student, response_id=draft.pk, version=1)
    twice = writing.submit_response(student=student, response_id=draft.pk, version=1)
    assert once.pk == twice.pk
    assert once.status == Response.Status.SUBMITTED
    assert Response.objects.submitted_or_returned().count() == 1
    assert twice.submitted_at == once.submitted_at


def test_submitting_a_stale_version_is_refused(student, essay):
    draft = save(student, essay, "v1")
    save(student, essay, "v2", version=1)
    with pytest.raises(writing.StaleDraft):
        writing.submit_response(student=student, response_id=draft.pk, version=1)
    assert Response.objects.get().is_draft


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("", "it is empty"),
        ("   \n\t  ", "it is empty"),
        ("— – -", "it is empty"),
        ("word " * 15_001, "Your answer is 15,001 words; the limit is 15,000. Cut 1 words"),
    ],
)
def test_what_cannot_be_submitted_is_explained(student, essay, body, message):
    draft = save(student, essay, body)
    with pytest.raises(ValidationError) as refused:
        writing.submit_response(student=student, response_id=draft.pk)
    assert message in refused.value.messages[0]
    assert Response.objects.get().is_draft


def test_nul_characters_and_megabytes_are_refused_before_anything_is_written(student, essay):
    with pytest.raises(ValidationError, match="NUL character"):
        save(student, essay, "text\x00more")
    with pytest.raises(ValidationError, match="StudyHub keeps up to 200,000"):
        save(student, essay, "x" * 200_001)
    assert not Response.objects.exists()


def test_one_student_cannot_reach_anothers_draft(student, essay):
    other = ResponseFactory(essay=essay)
    with pytest.raises(Response.DoesNotExist):
        writing.submit_response(student=student, response_id=other.pk)
    draft = save(student, essay, "Mine")
    assert draft.pk != other.pk
    other.refresh_from_db()
    assert other.is_draft and other.body != "Mine"


def test_time_spent_counts_gaps_between_saves_up_to_five_minutes(student, essay, freezer):
    save(student, essay, "a")
    freezer.tick(60)
    save(student, essay, "a b", version=1)
    freezer.tick(3600)
    draft = save(student, essay, "a b c", version=2)
    assert draft.time_spent_seconds == 60 + 300


def test_attempt_first_hides_the_model_until_an_answer_is_submitted(student, essay):
    assert not writing.model_essay_hidden(student=student, essay=essay)
    writing.choose_attempt_first(student=student, essay=essay)
    assert writing.model_essay_hidden(student=student, essay=essay)
    draft = save(student, essay, "Attempted")
    assert writing.model_essay_hidden(student=student, essay=essay)
    writing.submit_response(student=student, response_id=draft.pk)
    assert not writing.model_essay_hidden(student=student, essay=essay)
