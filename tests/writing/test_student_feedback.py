"""What the student sees of feedback: key points after submitting, marks once returned."""

import pytest
from django.urls import reverse

from essays import writing
from essays.models import MarkLevel, MarkScheme, Note, Response
from tests.factories import EssayFactory, NoteFactory, ResponseFactory

pytestmark = pytest.mark.django_db

MODEL = (
    "In 1934 the Soviet Union joined the League of Nations and signed mutual assistance "
    "pacts with France and Czechoslovakia in 1935."
)


@pytest.fixture
def essay():
    essay = EssayFactory(status="published", body=MODEL)
    NoteFactory(
        essay=essay, kind=Note.Kind.KEY_POINT, text="Joined the League", phrases="League of Nations"
    )
    NoteFactory(
        essay=essay, kind=Note.Kind.KEY_POINT, text="Pacts with France", phrases="mutual assistance"
    )
    NoteFactory(
        essay=essay, kind=Note.Kind.KEY_POINT, text="Trouble in Xinjiang", phrases="Xinjiang"
    )
    return essay


def write_and_submit(student, essay, body):
    draft = writing.save_draft(student=student, essay=essay, body=body, attempt=1, version=0)
    return writing.submit_response(student=student, response_id=draft.pk)


def test_submitting_records_key_points_and_similarity(student, essay):
    response = write_and_submit(student, essay, "Stalin took the USSR into the League of Nations.")
    assert response.key_points_total == 3
    assert len(response.key_points_covered) == 1
    assert response.similarity == 0.0

    copied = writing.start_draft(student=student, essay=essay, body=MODEL)[0]
    copied = writing.submit_response(student=student, response_id=copied.pk)
    assert copied.similarity == 1.0
    assert len(copied.key_points_covered) == 2


def test_key_points_are_shown_after_submitting_and_not_before(student_client, student, essay):
    body = "Stalin took the USSR into the League of Nations."
    draft = writing.save_draft(student=student, essay=essay, body=body, attempt=1, version=0)
    page = student_client.get(draft.get_absolute_url()).content.decode()
    assert "key points" not in page
    page = student_client.get(reverse("essays:respond", args=[essay.slug])).content.decode()
    assert "Trouble in Xinjiang" not in page

    response = writing.submit_response(student=student, response_id=draft.pk)
    page = student_client.get(response.get_absolute_url()).content.decode()
    assert "You made 1 of 3 key points" in page
    assert "Pacts with France" in page and "Trouble in Xinjiang" in page


def test_the_nav_counts_returned_work_until_it_is_opened(student_client, student, essay):
    response = ResponseFactory(
        student=student,
        essay=essay,
        returned=True,
    )
    page = student_client.get("/").content.decode()
    assert '1<span class="visually-hidden"> newly marked</span>' in page
    student_client.get(response.get_absolute_url())
    page = student_client.get("/").content.decode()
    assert "newly marked" not in page
    assert Response.objects.get().feedback_seen_at is not None


def test_my_work_keeps_attempts_of_an_essay_together(student_client, student, essay, freezer):
    other = EssayFactory(status="published", headline="Another essay")
    ResponseFactory(student=student, essay=essay, attempt=1, status="submitted")
    freezer.tick(60)
    ResponseFactory(student=student, essay=other, attempt=1)
    freezer.tick(60)
    ResponseFactory(student=student, essay=essay, attempt=2)
    groups = student_client.get(reverse("essays:response_list")).context["essays"]
    assert [(g["essay"], [r.response.attempt for r in g["attempts"]]) for g in groups] == [
        (essay, [2, 1]),
        (other, [1]),
    ]


def test_changes_between_two_attempts_are_shown_as_a_diff(student_client, student, essay):
    first = ResponseFactory(
        student=student,
        essay=essay,
        attempt=1,
        status="submitted",
        body="Stalin wanted security first.",
    )
    second = ResponseFactory(
        student=student,
        essay=essay,
        attempt=2,
        status="submitted",
        body="Stalin wanted security above all.",
    )
    page = student_client.get(second.get_absolute_url()).content.decode()
    url = reverse("essays:response_changes", args=[second.pk, first.pk])
    assert url in page
    page = student_client.get(url).content.decode()
    assert '<del class="diff-removed">first.</del>' in page
    assert '<ins class="diff-added">above all.</ins>' in page


def test_another_students_attempt_cannot_be_compared(student_client, student, essay):
    mine = ResponseFactory(student=student, essay=essay, status="submitted")
    theirs = ResponseFactory(essay=essay, status="submitted")
    url = reverse("essays:response_changes", args=[mine.pk, theirs.pk])
    assert student_client.get(url).status_code == 404


def test_key_point_coverage_names_the_points_made_and_missed(student, essay):
    response = write_and_submit(student, essay, "They joined the League of Nations in 1934.")
    coverage = response.key_point_coverage()
    assert [point.text for point in coverage.made] == ["Joined the League"]
    assert [point.text for point in coverage.missed] == ["Pacts with France", "Trouble in Xinjiang"]
    assert coverage.total == 3


def test_a_returned_response_explains_its_level(student_client, student, essay, default_scheme):
    returned = ResponseFactory(student=student, essay=essay, returned=True, level=4, mark=18)
    level = default_scheme.level_for(4)
    page = student_client.get(returned.get_absolute_url()).content.decode()
    assert f"Level 4 ({level.band} marks):" in page
    assert level.descriptor in page


def test_the_level_comes_from_the_essays_own_scheme(student_client, student, essay, default_scheme):
    own = MarkScheme.objects.create(name="Short answer", max_mark=10)
    MarkLevel.objects.create(scheme=own, number=1, min_mark=0, max_mark=10, descriptor="Own words")
    essay.mark_scheme = own
    essay.marks_available = 10
    essay.save()
    returned = ResponseFactory(student=student, essay=essay, returned=True, level=1, mark=6)
    page = student_client.get(returned.get_absolute_url()).content.decode()
    assert "Level 1 (0–10 marks):</span> Own words" in page
