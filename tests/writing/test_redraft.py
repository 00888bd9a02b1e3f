"""The redraft loop, from the student's side: a teacher returns an attempt for redraft; the
student sees it on /classes/ and on the returned response, starts the redraft from their text,
replies to each target ("what I changed") and hands it in — never without a reply to every
target, and under the redraft's own date rather than the set work's cut-off and attempts."""

import json
import re
from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone

from essays import redrafts, writing
from essays.classes import Status, due_soon_count, work_for_student
from essays.marking.rules import return_response
from essays.models import Response, TargetReply
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

CLASSES = reverse("essays:classes")
TARGETS = "Use a historian's view in every paragraph.\nEnd with a judgement on 'main cause'."
RETURNED_TEXT = "Alliances spread the war.\n\nGermany's blank cheque mattered more."


@pytest.fixture
def teacher(student):
    teacher = user_in_group("Teachers", "mr-ali")
    group = TeachingGroupFactory(name="13H History", teachers=[teacher])
    EnrolmentFactory(group=group, student=student)
    return teacher


@pytest.fixture
def work(teacher):
    return AssignmentFactory(group=teacher.classes_taught.get(), max_attempts=1)


def hand_in(student, work, **fields):
    fields = {
        "status": "submitted",
        "body": RETURNED_TEXT,
        "level": 3,
        "mark": 15,
        "went_well": "A clear line of argument.",
        "even_better_if": TARGETS,
        **fields,
    }
    return ResponseFactory(student=student, essay=work.essay, assignment=work, **fields)


def return_for_redraft(student_response, teacher, days=3):
    due = timezone.now() + timedelta(days=days)
    assert return_response(
        student_response=student_response,
        teacher=teacher,
        site_url="http://testserver",
        redraft_due_at=due,
    )
    student_response.refresh_from_db()
    return student_response


@pytest.fixture
def returned(student, teacher, work):
    return return_for_redraft(hand_in(student, work), teacher)


def start(client, returned):
    return client.post(reverse("essays:start_redraft", args=[returned.pk]))


def told(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


def save_replies(client, redraft, replies):
    data = replies if isinstance(replies, (str, bytes)) else json.dumps(replies)
    return client.post(
        reverse("essays:target_replies", args=[redraft.pk]), data, content_type="application/json"
    )


def confirm_and_submit(client, draft):
    url = reverse("essays:submit", args=[draft.essay.slug])
    confirm = client.get(url)
    draft.refresh_from_db()
    submitted = client.post(url, {"response": draft.pk, "version": draft.version})
    return confirm, submitted


def replies_of(redraft) -> list[tuple[int, str, str]]:
    return list(
        TargetReply.objects.filter(response=redraft).values_list("number", "target", "reply")
    )


# The whole loop


def test_the_redraft_loop_from_return_to_hand_in(student_client, student, returned):
    # /classes/ and the returned response both say when the redraft is due, with the button.
    due = timezone.localtime(returned.redraft_due_at)
    start_url = reverse("essays:start_redraft", args=[returned.pk])
    page = student_client.get(CLASSES).content.decode()
    assert re.search(r"Redraft due \w+ \d\d:\d\d", page)
    assert f'action="{start_url}"' in page and "Start your redraft" in page
    page = student_client.get(returned.get_absolute_url()).content.decode()
    assert f"Redraft due {due:%A} {due.day} {due:%B}, {due:%H:%M}" in page
    assert f'action="{start_url}"' in page and "Start your redraft" in page

    # Starting it: the next attempt, for the same work, from the returned text.
    started = start(student_client, returned)
    assert started.url == reverse("essays:respond", args=[returned.essay.slug])
    redraft = Response.objects.get(redraft_of=returned)
    assert (redraft.attempt, redraft.assignment, redraft.body, redraft.is_draft) == (
        2,
        returned.assignment,
        RETURNED_TEXT,
        True,
    )
    assert told(started) == [
        "Attempt 2 is your redraft of attempt 1. Improve it against your targets, and say what "
        "you changed for each."
    ]
    assert replies_of(redraft) == [
        (1, "Use a historian's view in every paragraph.", ""),
        (2, "End with a judgement on 'main cause'.", ""),
    ]

    # The editor lists the targets, each with its reply box.
    editor = student_client.get(started.url).content.decode()
    assert "Redraft of" in editor and "attempt 1</a>" in editor
    assert "Target 1: Use a historian&#x27;s view in every paragraph." in editor
    assert 'name="reply-2"' in editor and 'id="reply-2"' in editor
    assert reverse("essays:target_replies", args=[redraft.pk]) in editor

    # Handing in without replies is refused, naming the targets; nothing changes.
    confirm, refused = confirm_and_submit(student_client, redraft)
    assert "No reply yet to targets 1 (“Use a historian" in confirm.content.decode()
    assert "Yes, submit" not in confirm.content.decode()
    assert refused.url == started.url
    assert (
        "No reply yet to targets 1" in told(refused)[0] and "and 2 (“End with" in told(refused)[0]
    )
    redraft.refresh_from_db()
    assert redraft.is_draft

    # One reply from the script, the other with the form without JavaScript.
    saved = save_replies(student_client, redraft, {"replies": {"1": "Added Clark and Fischer."}})
    assert saved.status_code == 200
    assert saved.json()["replies"] == {"1": "Added Clark and Fischer.", "2": ""}
    confirm, refused = confirm_and_submit(student_client, redraft)
    assert "No reply yet to target 2 (“End with" in told(refused)[0]
    form = student_client.post(
        started.url,
        {
            "body": RETURNED_TEXT + " So the blank cheque was the main cause.",
            "attempt": redraft.attempt,
            "version": redraft.version,
            "redraft": redraft.pk,
            "reply-2": "A final paragraph weighs the causes.",
        },
    )
    assert form.status_code == 302
    assert [reply for _, _, reply in replies_of(redraft)] == [
        "Added Clark and Fischer.",
        "A final paragraph weighs the causes.",
    ]

    # Now it goes in, as the redraft of the returned attempt.
    confirm, submitted = confirm_and_submit(student_client, redraft)
    assert "A final paragraph weighs the causes." in confirm.content.decode()
    redraft.refresh_from_db()
    assert submitted.url == redraft.get_absolute_url()
    assert (redraft.status, redraft.redraft_of) == ("submitted", returned)
    assert redraft.body.endswith("So the blank cheque was the main cause.")

    page = student_client.get(CLASSES).content.decode()
    assert "Handed in" in page and "Start your redraft" not in page
    page = student_client.get(redraft.get_absolute_url()).content.decode()
    assert "redraft of attempt 1" in page and "Added Clark and Fischer." in page
    page = student_client.get(returned.get_absolute_url()).content.decode()
    assert "You handed in your redraft of attempt 1" in page


def test_my_work_shows_the_redraft_as_the_next_attempt(student_client, student, returned):
    page = student_client.get(reverse("essays:response_list")).content.decode()
    assert "Redraft due" in page
    start(student_client, returned)
    rows = student_client.get(reverse("essays:response_list")).context["essays"][0]["attempts"]
    assert [(row.response.attempt, row.redraft_of_attempt) for row in rows] == [(2, 1), (1, None)]
    page = student_client.get(reverse("essays:response_list")).content.decode()
    assert "Redraft of attempt 1" in page and "Redraft due" not in page


# The redraft's own rules


def test_a_redraft_is_allowed_past_the_works_attempts_and_cut_off(
    student_client, student, teacher, freezer
):
    now = timezone.now()
    work = AssignmentFactory(
        group=teacher.classes_taught.get(),
        max_attempts=1,
        due_at=now + timedelta(hours=1),
        cut_off_at=now + timedelta(hours=2),
    )
    returned = return_for_redraft(hand_in(student, work), teacher, days=5)
    freezer.move_to(now + timedelta(days=1))  # past the work's cut-off
    student_client.force_login(student)
    # Another attempt of the work's own is refused: its one attempt is used, and it has closed.
    refused = student_client.post(
        reverse("essays:new_attempt", args=[work.essay.slug]), {"assignment": work.pk}
    )
    assert "can no longer be started" in told(refused)[0]
    assert start(student_client, returned).status_code == 302
    redraft = Response.objects.get(redraft_of=returned)
    for number in (1, 2):
        TargetReply.objects.filter(response=redraft, number=number).update(reply="Done.")
    _, submitted = confirm_and_submit(student_client, redraft)
    redraft.refresh_from_db()
    assert submitted.url == redraft.get_absolute_url() and not redraft.is_draft
    # The work itself still stands as it was returned: the redraft is not another attempt at it.
    assert work_for_student(student)[0].status == Status.RETURNED


def test_a_second_start_reaches_the_same_redraft(student_client, student, returned):
    start(student_client, returned)
    again = start(student_client, returned)
    assert again.url == reverse("essays:respond", args=[returned.essay.slug])
    # (The first start's message is still waiting: no page was shown in between.)
    assert told(again)[-1] == "Your redraft is already started: attempt 2."
    redraft = Response.objects.get(redraft_of=returned)
    assert Response.objects.filter(student=student).count() == 2
    assert TargetReply.objects.count() == 2

    Response.objects.filter(pk=redraft.pk).update(status="submitted", submitted_at=timezone.now())
    handed_in = start(student_client, returned)
    assert handed_in.url == redraft.get_absolute_url()
    assert told(handed_in)[-1] == "You handed in your redraft: attempt 2."


def test_two_tabs_starting_at_once_make_one_redraft(student, returned, monkeypatch):
    """The loser of the race saw no redraft, then hit the one-draft rule: it gets the winner's."""
    winner, _ = redrafts.start_redraft(student=student, returned=returned)
    first_lookups = []
    filter_redrafts = Response.objects.for_student(student).filter

    class Race:
        def filter(self, **kwargs):
            rows = filter_redrafts(**kwargs)
            first_lookups.append(kwargs)
            return rows.none() if len(first_lookups) == 1 else rows

    monkeypatch.setattr(redrafts.Response.objects, "for_student", lambda student: Race())
    monkeypatch.setattr(writing, "current_draft", lambda **kwargs: None)
    redraft, started = redrafts.start_redraft(student=student, returned=returned)
    assert (redraft.pk, started) == (winner.pk, False)
    assert Response.objects.filter(redraft_of=returned).count() == 1


@pytest.mark.parametrize("kind", ["not for redraft", "not returned"])
def test_no_redraft_unless_the_teacher_asked(student_client, student, teacher, work, kind):
    if kind == "not for redraft":
        student_response = hand_in(student, work)
        return_response(student_response=student_response, teacher=teacher, site_url="")
    else:
        student_response = hand_in(student, work)
    refused = start(student_client, student_response)
    assert refused.url == student_response.get_absolute_url()
    assert told(refused) == ["Your teacher has not asked for a redraft of this attempt."]
    assert Response.objects.filter(student=student).count() == 1
    page = student_client.get(student_response.get_absolute_url()).content.decode()
    assert "Start your redraft" not in page


def test_an_empty_draft_becomes_the_redraft_with_the_returned_text(student, returned):
    empty = ResponseFactory(student=student, essay=returned.essay, attempt=2, body="", version=0)
    redraft, started = redrafts.start_redraft(student=student, returned=returned)
    assert (redraft.pk, started, redraft.body, redraft.version) == (
        empty.pk,
        True,
        RETURNED_TEXT,
        1,
    )
    assert (redraft.redraft_of, redraft.assignment) == (returned, returned.assignment)


def test_a_draft_in_progress_becomes_the_redraft_with_its_own_text(student, returned):
    begun = ResponseFactory(student=student, essay=returned.essay, attempt=2, body="Rewritten.")
    redraft, _ = redrafts.start_redraft(student=student, returned=returned)
    assert (redraft.pk, redraft.body, redraft.redraft_of) == (begun.pk, "Rewritten.", returned)


def test_a_draft_for_other_set_work_is_not_taken_over(student_client, student, returned, teacher):
    other = AssignmentFactory(group=teacher.classes_taught.get(), essay=returned.essay)
    ResponseFactory(student=student, essay=returned.essay, attempt=2, assignment=other)
    refused = start(student_client, returned)
    assert "for other set work (attempt 2): submit it first" in told(refused)[0]
    assert not Response.objects.filter(redraft_of=returned).exists()
    assert not TargetReply.objects.exists()


# /classes/ and the nav


def test_classes_lists_each_redraft_with_its_date_and_status(
    student_client, student, teacher, work, freezer
):
    now = timezone.now()
    to_do = return_for_redraft(hand_in(student, work), teacher, days=2)
    practice = return_for_redraft(
        ResponseFactory(student=student, status="submitted", mark=10, level=2), teacher, days=1
    )
    freezer.move_to(now + timedelta(days=1, hours=1))  # the practice redraft is now overdue
    student_client.force_login(student)
    rows = student_client.get(CLASSES).context["redraft_rows"]
    assert [(row.returned, row.status, row.step) for row in rows] == [
        (practice, "overdue", "start"),
        (to_do, "to do", "start"),
    ]
    page = student_client.get(CLASSES).content.decode()
    assert "Redraft 1 hour late" in page and "Redraft due tomorrow" in page
    assert "Practice" in page and "13H History" in page


def test_the_nav_counts_redrafts_due_this_week_until_handed_in(
    student_client, student, teacher, work
):
    returned = return_for_redraft(hand_in(student, work), teacher, days=2)
    later = AssignmentFactory(group=work.group)
    return_for_redraft(hand_in(student, later), teacher, days=9)  # not this week
    assert due_soon_count(student) == 1
    page = student_client.get(reverse("essays:response_list")).content.decode()
    assert '1<span class="visually-hidden"> due this week</span>' in page

    start(student_client, returned)  # started, not handed in: still due
    assert due_soon_count(student) == 1
    Response.objects.filter(redraft_of=returned).update(
        status="submitted", submitted_at=timezone.now()
    )
    assert due_soon_count(student) == 0


# Nobody reaches anyone else's redraft


def test_another_student_reaches_nothing(client, student, returned):
    student_client = client
    student_client.force_login(student)
    start(student_client, returned)
    redraft = Response.objects.get(redraft_of=returned)
    save_replies(student_client, redraft, {"replies": {"1": "Mine."}})

    client.force_login(UserFactory(username="intruder"))
    assert start(client, returned).status_code == 404
    answer = save_replies(client, redraft, {"replies": {"1": "Theirs."}})
    assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    for url in (redraft.get_absolute_url(), returned.get_absolute_url()):
        assert client.get(url).status_code == 404
    posted = client.post(
        reverse("essays:respond", args=[returned.essay.slug]),
        {"body": "x", "attempt": 1, "version": 0, "redraft": redraft.pk, "reply-1": "Theirs."},
    )
    assert posted.status_code == 404
    assert replies_of(redraft)[0][2] == "Mine."
    assert not Response.objects.filter(student__username="intruder").exists()


@pytest.mark.parametrize("targets", [1, 8])
def test_the_redraft_pages_take_the_same_queries_however_many_targets(
    student_client, student, teacher, work, django_assert_num_queries, targets
):
    returned = hand_in(student, work, even_better_if="\n".join(f"T{n}" for n in range(targets)))
    returned = return_for_redraft(returned, teacher)
    start(student_client, returned)
    redraft = Response.objects.get(redraft_of=returned)
    url = reverse("essays:respond", args=[returned.essay.slug])
    # Session, user, the essay, the draft, the model essay's hiding, the attempt it redrafts
    # and its targets' replies, the nav's counts, the attempts below (with their essay).
    with django_assert_num_queries(9):
        editor = student_client.get(url)
    assert editor.content.decode().count('data-reply-number="') == targets
    Response.objects.filter(pk=redraft.pk).update(status="submitted", submitted_at=timezone.now())
    # Session, user, the response, key points, the earlier attempt, the attempt it redrafts and
    # its replies (the nav's counts are kept from the editor: the hand-in above was an UPDATE
    # made by the test, not by StudyHub).
    with django_assert_num_queries(7):
        page = student_client.get(redraft.get_absolute_url()).content.decode()
    assert page.count("No reply yet.") == targets
