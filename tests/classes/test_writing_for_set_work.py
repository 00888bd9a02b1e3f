"""Writing for set work: starting a draft for it from the classes page, the editor showing the
work's deadline and time limit, submitting under its cut-off and attempts, and set work that
hides the model essay until it is submitted. Free practice beside it stays as it was."""

import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from essays import writing
from essays.classes import Status, work_for_student
from essays.models import Response
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    ExtensionFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

MODEL_ESSAY = "The alliances turned a regional quarrel into a continental war."


@pytest.fixture
def enrolment(student):
    return EnrolmentFactory(student=student, group=TeachingGroupFactory(name="13H History"))


@pytest.fixture
def work(enrolment):
    return AssignmentFactory(group=enrolment.group, instructions="Use two historians.")


def start(client, assignment, essay=None, **fields):
    essay = essay or assignment.essay
    return client.post(
        reverse("essays:new_attempt", args=[essay.slug]), {"assignment": assignment.pk, **fields}
    )


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def confirm_and_submit(client, draft):
    url = reverse("essays:submit", args=[draft.essay.slug])
    confirm = client.get(url)
    submitted = client.post(url, {"response": draft.pk, "version": draft.version})
    return confirm, submitted


# Starting work for an assignment


def test_starting_set_work_makes_a_draft_for_it(student_client, student, work):
    started = start(student_client, work)
    assert started.status_code == 302
    assert started.url == reverse("essays:respond", args=[work.essay.slug])
    draft = Response.objects.get(student=student)
    assert (draft.assignment, draft.attempt, draft.is_draft) == (work, 1, True)
    assert told(started) == ["Started attempt 1 for 13H History's set work."]


def unseen_work(enrolment, kind):
    """Set work the enrolled student cannot start, and the essay it is posted for."""
    now = timezone.now()
    if kind == "another class":
        work = AssignmentFactory()
    elif kind == "a class they left":
        work = AssignmentFactory(group=enrolment.group)
        enrolment.left_at = now
        enrolment.save()
    elif kind == "not set yet":
        work = AssignmentFactory(
            group=enrolment.group, set_at=now + timedelta(days=1), due_at=now + timedelta(days=5)
        )
    else:  # set for another essay than the one posted to
        return AssignmentFactory(group=enrolment.group), AssignmentFactory().essay
    return work, work.essay


@pytest.mark.parametrize(
    "kind", ["another class", "a class they left", "not set yet", "another essay"]
)
def test_set_work_the_student_cannot_see_is_not_found(student_client, student, enrolment, kind):
    work, essay = unseen_work(enrolment, kind)
    assert start(student_client, work, essay).status_code == 404
    assert not Response.objects.filter(student=student).exists()


@pytest.mark.parametrize("typed", ["", "1; drop", "-1", "１２", "9" * 5000])
def test_set_work_named_by_no_id_is_not_found(student_client, student, work, typed):
    answer = student_client.post(
        reverse("essays:new_attempt", args=[work.essay.slug]), {"assignment": typed}
    )
    assert answer.status_code == 404
    assert not Response.objects.filter(student=student).exists()


def test_closed_set_work_cannot_be_started(student_client, student, enrolment, freezer):
    now = timezone.now()
    work = AssignmentFactory(
        group=enrolment.group,
        set_at=now - timedelta(days=5),
        due_at=now - timedelta(days=2),
        cut_off_at=now - timedelta(days=1),
    )
    refused = start(student_client, work)
    assert refused.url == reverse("essays:respond", args=[work.essay.slug])
    assert "can no longer be started" in told(refused)[0]
    assert not Response.objects.filter(student=student).exists()

    # An extension past the cut-off keeps it open for that student.
    ExtensionFactory(assignment=work, student=student, due_at=now + timedelta(days=1))
    start(student_client, work)
    assert Response.objects.get(student=student).assignment == work


def test_set_work_cannot_be_started_again_once_its_attempts_are_used(student_client, student, work):
    ResponseFactory(student=student, essay=work.essay, assignment=work, status="submitted")
    refused = start(student_client, work)
    assert told(refused) == ["This work allows 1 attempt, and you have submitted it already."]
    assert not Response.objects.filter(student=student).drafts().exists()


def test_a_practice_draft_becomes_the_set_work_with_its_text(
    student_client, student, work, freezer
):
    practice = ResponseFactory(student=student, essay=work.essay, body="Started at home.")
    freezer.tick(timedelta(days=2))
    student_client.force_login(student)  # a new session, two days on
    started = start(student_client, work)
    practice.refresh_from_db()
    assert (practice.assignment, practice.body, practice.is_draft) == (
        work,
        "Started at home.",
        True,
    )
    # Its time limit counts from now, when it became the set work, not from the practice.
    assert practice.created_at == timezone.now()
    assert told(started) == [
        "Your draft is now for 13H History's set work: attempt 1, with everything you wrote in it."
    ]
    assert Response.objects.filter(student=student).count() == 1


def test_a_draft_for_other_set_work_is_kept_for_it(student_client, student, enrolment, work):
    other_class = EnrolmentFactory(
        student=student, group=TeachingGroupFactory(name="13K History")
    ).group
    other = AssignmentFactory(group=other_class, essay=work.essay)
    draft = ResponseFactory(student=student, essay=work.essay, assignment=other, body="Mine.")
    started = start(student_client, work)
    draft.refresh_from_db()
    assert (draft.assignment, draft.body) == (other, "Mine.")
    assert "for 13K History's set work (attempt 1), so it is kept" in told(started)[0]
    assert Response.objects.filter(student=student).count() == 1


def test_starting_for_set_work_twice_at_once_gives_one_draft_for_it(student, work, monkeypatch):
    """The loser of a race (it saw no draft, then its insert hit the one-draft rule) reads the
    winner's draft and makes it the set work."""
    winner = ResponseFactory(student=student, essay=work.essay, body="The other tab's.")
    current_draft = writing.current_draft
    calls = []

    def no_draft_the_first_time(**kwargs):
        calls.append(kwargs)
        return None if len(calls) == 1 else current_draft(**kwargs)

    monkeypatch.setattr(writing, "current_draft", no_draft_the_first_time)
    draft, created = writing.start_draft(student=student, essay=work.essay, assignment=work)
    assert (draft.pk, created, draft.assignment, draft.body) == (
        winner.pk,
        False,
        work,
        "The other tab's.",
    )


def test_free_practice_starts_as_before(student_client, student, work):
    started = student_client.post(reverse("essays:new_attempt", args=[work.essay.slug]))
    assert Response.objects.get(student=student).assignment is None
    assert told(started) == ["Started attempt 1."]


# The editor


def test_the_editor_shows_the_class_the_work_its_deadline_and_time_limit(
    student_client, student, enrolment, freezer
):
    freezer.move_to("2026-11-25 10:00:00+00:00")
    now = timezone.now()
    work = AssignmentFactory(
        group=enrolment.group,
        instructions="Use two historians.",
        due_at=now + timedelta(days=1, hours=-1),  # tomorrow 09:00 in London (GMT)
        cut_off_at=now + timedelta(days=2, hours=-1),
        time_limit_minutes=30,
        max_attempts=2,
    )
    start(student_client, work)
    freezer.tick(timedelta(minutes=5))
    page = student_client.get(reverse("essays:respond", args=[work.essay.slug])).content.decode()
    assert "Set work for 13H History" in page
    assert "Use two historians." in page
    assert "Due tomorrow 09:00" in page
    assert "Cut-off Friday 27 November, 09:00" in page
    assert "Time limit 30 minutes, counted from when you started it at 10:00" in page
    assert "time is up at 10:30" in page
    assert "You may submit it 2 times; you have submitted 0." in page
    # The countdown runs for the work's limit, from the start the server recorded.
    assert 'data-minutes="30"' in page
    assert 'data-elapsed-seconds="300"' in page
    assert "Start 30-minute timer" in page


def test_an_extension_is_the_deadline_the_editor_shows(student_client, student, work, freezer):
    ExtensionFactory(assignment=work, student=student, due_at=work.due_at + timedelta(days=7))
    start(student_client, work)
    page = student_client.get(reverse("essays:respond", args=[work.essay.slug])).content.decode()
    assert re.search(r"Due \d+ \w{3} \d\d:\d\d", page)  # ten days away
    assert "You have an extension: the class's deadline is" in page


def test_without_a_time_limit_the_timer_is_the_students_choice(student_client, work):
    start(student_client, work)
    page = student_client.get(reverse("essays:respond", args=[work.essay.slug])).content.decode()
    minutes = work.essay.time_allowed_minutes
    assert f"Time allowed {minutes} minutes." in page
    assert f'data-minutes="{minutes}"' in page
    assert "data-elapsed-seconds" not in page


def test_free_practice_shows_no_set_work(student_client, work):
    student_client.post(reverse("essays:new_attempt", args=[work.essay.slug]))
    page = student_client.get(reverse("essays:respond", args=[work.essay.slug])).content.decode()
    assert "Set work for" not in page
    assert "data-elapsed-seconds" not in page
    assert f'data-minutes="{work.essay.time_allowed_minutes}"' in page


# Submitting


def closing_work(enrolment, **fields):
    now = timezone.now()
    return AssignmentFactory(
        group=enrolment.group,
        set_at=now - timedelta(days=5),
        due_at=now - timedelta(days=2),
        cut_off_at=now - timedelta(hours=1),
        **fields,
    )


def test_nothing_is_submitted_after_the_cut_off(student_client, student, enrolment, freezer):
    work = closing_work(enrolment)
    draft = ResponseFactory(student=student, essay=work.essay, assignment=work)
    confirm, submitted = confirm_and_submit(student_client, draft)
    page = confirm.content.decode()
    assert "can no longer be submitted" in page
    assert "Yes, submit" not in page
    assert submitted.url == reverse("essays:respond", args=[work.essay.slug])
    assert "can no longer be submitted. Your draft is kept" in told(submitted)[0]
    draft.refresh_from_db()
    assert draft.is_draft and draft.body.startswith("Stalin")
    editor = student_client.get(reverse("essays:respond", args=[work.essay.slug]))
    assert "The cut-off has passed" in editor.content.decode()


def test_an_extension_past_the_cut_off_lets_that_student_submit(
    student_client, student, enrolment, freezer
):
    work = closing_work(enrolment)
    ExtensionFactory(assignment=work, student=student, due_at=timezone.now() + timedelta(days=1))
    draft = ResponseFactory(student=student, essay=work.essay, assignment=work)
    confirm, _ = confirm_and_submit(student_client, draft)
    assert "Yes, submit attempt 1" in confirm.content.decode()
    draft.refresh_from_db()
    assert not draft.is_draft
    # Within the extension: on time.
    assert work_for_student(student)[0].status == Status.SUBMITTED


def test_no_more_submissions_than_the_work_allows(student_client, student, work):
    ResponseFactory(student=student, essay=work.essay, assignment=work, status="submitted")
    draft = ResponseFactory(student=student, essay=work.essay, assignment=work, attempt=2)
    confirm, submitted = confirm_and_submit(student_client, draft)
    assert "allows 1 attempt" in confirm.content.decode()
    assert "Yes, submit" not in confirm.content.decode()
    assert told(submitted) == ["This work allows 1 attempt, and you have submitted it already."]
    draft.refresh_from_db()
    assert draft.is_draft


def test_work_submitted_after_its_deadline_is_late(student_client, student, work, freezer):
    draft = ResponseFactory(student=student, essay=work.essay, assignment=work)
    freezer.move_to(work.due_at + timedelta(minutes=1))
    student_client.force_login(student)  # a new session, days on
    confirm, submitted = confirm_and_submit(student_client, draft)
    assert "submitted now, it is 1 minute late" in confirm.content.decode()
    assert submitted.url == Response.objects.get(pk=draft.pk).get_absolute_url()
    assert work_for_student(student)[0].status == Status.LATE


def test_work_submitted_in_time_is_not_late(student_client, student, work):
    draft = ResponseFactory(student=student, essay=work.essay, assignment=work)
    confirm_and_submit(student_client, draft)
    assert work_for_student(student)[0].status == Status.SUBMITTED


# Attempt first, set by the teacher


def shows_model_essay(client, essay, response=None) -> dict[str, bool]:
    pages = {
        "essay": client.get(essay.get_absolute_url()),
        "editor": client.get(reverse("essays:respond", args=[essay.slug])),
    }
    if response is not None:
        pages["compare"] = client.get(reverse("essays:response_compare", args=[response.pk]))
    return {name: MODEL_ESSAY in page.content.decode() for name, page in pages.items()}


def test_attempt_first_work_hides_the_model_essay_until_it_is_submitted(
    student_client, student, enrolment
):
    work = AssignmentFactory(group=enrolment.group, attempt_first=True)
    essay = work.essay
    # Practice handed in before the work was set does not count as the work.
    practice = ResponseFactory(student=student, essay=essay, status="submitted")
    assert shows_model_essay(student_client, essay, practice) == {
        "essay": False,
        "editor": False,
        "compare": False,
    }
    page = student_client.get(essay.get_absolute_url()).content.decode()
    assert "13H History's set work asks you to attempt this essay first" in page

    draft = ResponseFactory(student=student, essay=essay, assignment=work, attempt=2)
    editor = student_client.get(reverse("essays:respond", args=[essay.slug])).content.decode()
    assert "13H History's set work asks you to attempt this essay first" in editor
    confirm_and_submit(student_client, draft)
    assert shows_model_essay(student_client, essay, practice)["essay"]
    assert shows_model_essay(student_client, essay, practice)["compare"]


def test_attempt_first_work_hides_nothing_from_other_students(client, enrolment):
    work = AssignmentFactory(group=enrolment.group, attempt_first=True)
    for other in (
        UserFactory(),  # in no class
        EnrolmentFactory().student,  # in another class
        EnrolmentFactory(group=enrolment.group, left_at=timezone.now()).student,  # left it
    ):
        client.force_login(other)
        assert not writing.model_essay_hidden(student=other, essay=work.essay)
        assert MODEL_ESSAY in client.get(work.essay.get_absolute_url()).content.decode()


def test_attempt_first_work_hides_nothing_before_it_is_set(student, enrolment):
    now = timezone.now()
    work = AssignmentFactory(
        group=enrolment.group,
        attempt_first=True,
        set_at=now + timedelta(days=1),
        due_at=now + timedelta(days=3),
    )
    assert not writing.model_essay_hidden(student=student, essay=work.essay)


def test_choosing_to_attempt_first_still_hides_it_until_any_submission(student, work):
    writing.choose_attempt_first(student=student, essay=work.essay)
    hidden = writing.model_essay_hidden(student=student, essay=work.essay)
    assert hidden and hidden.chosen and not hidden.set_for
    ResponseFactory(student=student, essay=work.essay, status="submitted")
    assert not writing.model_essay_hidden(student=student, essay=work.essay)


def test_whether_the_model_essay_is_hidden_takes_one_query(
    student, enrolment, django_assert_num_queries
):
    essay = AssignmentFactory(group=enrolment.group, attempt_first=True).essay
    for _ in range(3):
        other = EnrolmentFactory(student=student).group
        AssignmentFactory(group=other, essay=essay, attempt_first=True)
    for attempt in (1, 2, 3):
        ResponseFactory(student=student, essay=essay, attempt=attempt, status="submitted")
    writing.choose_attempt_first(student=student, essay=essay)
    with django_assert_num_queries(1):
        assert writing.model_essay_hidden(student=student, essay=essay).set_for
