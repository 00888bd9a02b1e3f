"""Releasing a piece of set work's marks at once, from its board: a confirmation page says how
many marked responses go back (their students emailed) and how many unmarked ones are kept
back; releasing may ask for redrafts by a date; the board then says what is released. Once
nothing is left unmarked, anonymous marking ends and names show again.

Marking itself and releasing one response are the marking page's (test_marking_admin.py)."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from essays.models import Response
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

NAMES = ["Zainab", "Oyelaran", "zoyelaran", "Quentin", "Vasquez", "qvasquez", "Petra", "pnovak"]


def release_url(work) -> str:
    return reverse("admin:essays_assignment_release", args=[work.pk])


def board_url(work) -> str:
    return reverse("admin:essays_assignment_board", args=[work.pk])


def local_input(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def group(teacher):
    return TeachingGroupFactory(name="13H History", teachers=[teacher])


@pytest.fixture
def work(group, default_scheme):
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    return AssignmentFactory(group=group, essay=essay, anonymous_marking=True)


@pytest.fixture
def scripts(group, work):
    """Zainab and Quentin marked, not released; Petra handed in, not marked yet."""
    handed_in = {}
    for username, first, last, mark in [
        ("zoyelaran", "Zainab", "Oyelaran", 17),
        ("qvasquez", "Quentin", "Vasquez", 12),
        ("pnovak", "Petra", "Novak", None),
    ]:
        student = UserFactory(username=username, first_name=first, last_name=last)
        EnrolmentFactory(group=group, student=student)
        handed_in[username] = ResponseFactory(
            student=student,
            essay=work.essay,
            assignment=work,
            status="submitted",
            level=None if mark is None else (4 if mark > 15 else 3),
            mark=mark,
        )
    return handed_in


def statuses(scripts) -> dict[str, str]:
    return {name: Response.objects.get(pk=s.pk).status for name, s in scripts.items()}


def test_the_board_offers_to_release_what_is_marked(teacher_client, work, scripts):
    page = teacher_client.get(board_url(work)).content.decode()
    assert "Release marks…" in page
    assert "2 marked, not released yet" in page
    rows = teacher_client.get(board_url(work)).context["rows"]
    assert sorted(row.marking for row in rows) == [
        "marked, not released",
        "marked, not released",
        "not marked",
    ]


def test_the_confirmation_says_what_is_released_and_what_is_kept_back(
    teacher_client, work, scripts
):
    UserFactory._meta.model.objects.filter(username="qvasquez").update(email="")
    response = teacher_client.post(release_url(work))
    assert response.status_code == 200
    page = response.content.decode()
    assert "2 marked responses will be released" in page
    assert "1 is emailed (1 has no email address)" in page
    assert "1 response is not marked yet" in page
    assert "kept back, still under its candidate number" in page
    assert "Return for redraft, due" in page
    for name in NAMES:
        assert name not in page
    # Nothing is released by asking.
    assert set(statuses(scripts).values()) == {"submitted"}
    assert not mail.outbox

    done = teacher_client.post(release_url(work), {"confirm": "yes"}, follow=True)
    assert "Released 2 marks to their students; those with an email address are emailed." in (
        done.content.decode()
    )
    assert [m.to[0] for m in mail.outbox] == ["zoyelaran@example.com"]


def test_releasing_returns_the_marked_work_emails_its_students_and_keeps_back_the_rest(
    teacher_client, teacher, work, scripts
):
    response = teacher_client.post(release_url(work), {"confirm": "yes"}, follow=True)
    assert response.redirect_chain[-1][0] == board_url(work)
    page = response.content.decode()
    assert "Released 2 marks to their students; they are emailed." in page
    assert "1 response is not marked yet and was kept back: release it once marked." in page
    assert statuses(scripts) == {
        "zoyelaran": "returned",
        "qvasquez": "returned",
        "pnovak": "submitted",
    }
    assert Response.objects.get(pk=scripts["zoyelaran"].pk).marked_by == teacher
    assert sorted(m.to[0] for m in mail.outbox) == [
        "qvasquez@example.com",
        "zoyelaran@example.com",
    ]
    work.refresh_from_db()
    assert work.marks_released_at is None  # Petra's is still to mark
    # Released work is named again; Petra's stays a candidate until hers is released.
    assert "Zainab Oyelaran (zoyelaran)" in page
    assert "Quentin Vasquez (qvasquez)" in page
    assert "Petra" not in page and "pnovak" not in page
    rows = {row.student.username: row for row in response.context["rows"]}
    assert (rows["zoyelaran"].marking, rows["pnovak"].marking) == ("released", "not marked")

    # Once Petra's is marked and released, nothing is left: anonymity ends for the whole work.
    Response.objects.filter(pk=scripts["pnovak"].pk).update(level=2, mark=8)
    page = teacher_client.post(release_url(work), {"confirm": "yes"}, follow=True)
    assert "Every mark of this work is released: students’ names show again." in (
        page.content.decode()
    )
    work.refresh_from_db()
    assert work.marks_released_at is not None
    assert "Petra Novak (pnovak)" in teacher_client.get(board_url(work)).content.decode()
    assert len(mail.outbox) == 3


def test_releasing_for_redraft_asks_every_student_for_one_by_the_date(
    teacher_client, work, scripts
):
    due = timezone.now().replace(second=0, microsecond=0) + timedelta(days=7)
    response = teacher_client.post(
        release_url(work), {"confirm": "yes", "redraft_due_at": local_input(due)}, follow=True
    )
    page = response.content.decode()
    assert "Released 2 marks to their students, for redraft by" in page
    released = Response.objects.filter(status="returned")
    assert {r.redraft_due_at for r in released} == {due}
    assert page.count(f"redraft due {timezone.localtime(due):%a %-d %b %H:%M}") == 2


@pytest.mark.parametrize(
    ("typed", "error"),
    [
        ("2000-01-01T09:00", "A redraft must be due in the future"),
        ("next week", "Enter a valid date/time."),
    ],
)
def test_a_bad_redraft_date_releases_nothing(teacher_client, work, scripts, typed, error):
    response = teacher_client.post(release_url(work), {"confirm": "yes", "redraft_due_at": typed})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Nothing was released" in page
    assert error in page
    assert set(statuses(scripts).values()) == {"submitted"}
    assert not mail.outbox
    work.refresh_from_db()
    assert work.marks_released_at is None


def test_with_nothing_marked_nothing_is_released(teacher_client, group, work):
    student = EnrolmentFactory(group=group).student
    ResponseFactory(student=student, essay=work.essay, assignment=work, status="submitted")
    page = teacher_client.post(release_url(work), {"confirm": "yes"}, follow=True)
    assert "Nothing to release: no marked work is waiting." in page.content.decode()
    work.refresh_from_db()
    assert work.marks_released_at is None
    assert not mail.outbox


def test_only_the_teachers_own_students_work_is_released(teacher_client, group, work, scripts):
    """A student who left the class before handing in is no longer the teacher's to see: their
    marked work is neither counted nor released."""
    leaver = EnrolmentFactory(
        group=group, left_at=timezone.now() - timedelta(days=2), student=UserFactory()
    ).student
    theirs = ResponseFactory(
        student=leaver,
        essay=work.essay,
        assignment=work,
        status="submitted",
        level=3,
        mark=12,
    )
    page = teacher_client.post(release_url(work)).content.decode()
    assert "2 marked responses will be released" in page
    teacher_client.post(release_url(work), {"confirm": "yes"})
    assert Response.objects.get(pk=theirs.pk).status == "submitted"


def test_another_teacher_cannot_release_this_class_s_marks(client, work, scripts):
    client.force_login(user_in_group("Teachers", "other"))
    assert client.post(release_url(work), {"confirm": "yes"}).status_code == 404
    client.force_login(user_in_group("Editors", "editor"))
    assert client.post(release_url(work), {"confirm": "yes"}).status_code == 403
    assert set(statuses(scripts).values()) == {"submitted"}
    assert not mail.outbox


def test_releasing_is_a_post(teacher_client, work, scripts):
    assert teacher_client.get(release_url(work)).status_code == 405


def test_work_not_marked_anonymously_is_released_the_same_way(teacher_client, group, scripts):
    named = AssignmentFactory(group=group)
    student = EnrolmentFactory(group=group).student
    script = ResponseFactory(
        student=student, essay=named.essay, assignment=named, status="submitted", mark=15, level=3
    )
    confirm = teacher_client.post(release_url(named)).content.decode()
    assert "1 marked response will be released" in confirm
    assert "students’ names show again" not in confirm
    teacher_client.post(release_url(named), {"confirm": "yes"})
    assert Response.objects.get(pk=script.pk).status == "returned"
    assert [m.to[0] for m in mail.outbox] == [student.email]
