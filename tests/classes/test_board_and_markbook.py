"""The board of a piece of set work (every student, where their work stands, late or not, links
into marking; reminders and extensions from it) and a class's markbook with its CSV: the right
numbers, the same few queries at any class size, and nothing of another teacher's class."""

import csv
import io
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from essays.classes import Status
from essays.models import Extension
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    ExtensionFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def board_url(work):
    return reverse("admin:essays_assignment_board", args=[work.pk])


def marking_url(student_response):
    return reverse("admin:essays_response_change", args=[student_response.pk])


def student(username, first, last, **fields):
    return UserFactory(username=username, first_name=first, last_name=last, **fields)


@pytest.fixture
def teacher(db):
    return user_in_group("Teachers", "teacher")


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


@pytest.fixture
def group(teacher):
    return TeachingGroupFactory(name="13H History", teachers=[teacher])


@pytest.fixture
def now():
    return timezone.now().replace(microsecond=0)


@pytest.fixture
def work(group, now):
    """Set ten days ago, due yesterday: every status a teacher meets."""
    return AssignmentFactory(
        group=group, set_at=now - timedelta(days=10), due_at=now - timedelta(days=1)
    )


@pytest.fixture
def students(group, work, now):
    names = {
        "nostart": ("Amira", "Khan"),
        "drafter": ("Ben", "Lee"),
        "ontime": ("Cara", "Moss"),
        "late": ("Dev", "Nair"),
        "marked": ("Eve", "Owen"),
        "extended": ("Fay", "Park"),
    }
    people = {key: student(key, *name) for key, name in names.items()}
    for person in people.values():
        EnrolmentFactory(group=group, student=person)
    EnrolmentFactory(group=group, student=student("leaver", "Lou", "Quinn"), left_at=now)

    def answer(key, **fields):
        return ResponseFactory(student=people[key], essay=work.essay, assignment=work, **fields)

    answer("drafter")
    responses = {
        "ontime": answer(
            "ontime",
            status="submitted",
            submitted_at=now - timedelta(days=2),
            similarity=0.12,
            key_points_covered=[1],
            key_points_total=2,
        ),
        "late": answer("late", status="submitted", submitted_at=now + timedelta(days=1)),
        "marked": answer(
            "marked", returned=True, submitted_at=now - timedelta(days=3), mark=18, level=4
        ),
        "extended": answer("extended", status="submitted", submitted_at=now - timedelta(hours=2)),
    }
    ExtensionFactory(assignment=work, student=people["extended"], due_at=now + timedelta(days=1))
    return people, responses


def test_the_board_shows_where_each_students_work_stands(teacher_client, work, students):
    _, responses = students
    response = teacher_client.get(board_url(work))
    assert response.status_code == 200
    rows = {row.student.username: row for row in response.context["rows"]}
    assert "leaver" not in rows
    assert {name: row.status for name, row in rows.items()} == {
        "nostart": Status.NOT_STARTED,
        "drafter": Status.DRAFT,
        "ontime": Status.SUBMITTED,
        "late": Status.LATE,
        "marked": Status.RETURNED,
        "extended": Status.SUBMITTED,  # late for the class, on time with the extension
    }
    assert rows["late"].late_by == "2 days late"
    assert rows["nostart"].late_by == "1 day late"  # overdue, still not in
    assert rows["extended"].late_by == rows["ontime"].late_by == ""
    assert (rows["ontime"].key_points, rows["ontime"].similarity) == ("1/2", 0.12)
    assert rows["marked"].mark == 18

    page = response.content.decode()
    assert "Amira Khan (nostart)" in page
    assert "4 of 6 handed in" in page
    for key in ("ontime", "late", "marked", "extended"):
        assert f'href="{marking_url(responses[key])}"' in page
    for name in ("Amira Khan (nostart)", "Ben Lee (drafter)"):
        assert f">{name}</a>" not in page  # nothing handed in to open
    assert "?assignment__id__exact=" in page
    assert "extended to" in page


def test_a_redraft_handed_in_after_the_deadline_does_not_make_the_work_late(
    teacher_client, work, students, now
):
    people, responses = students
    first = responses["marked"]
    first.redraft_due_at = now + timedelta(days=3)
    first.save()
    redraft = ResponseFactory(
        student=people["marked"],
        essay=work.essay,
        assignment=work,
        attempt=2,
        status="submitted",
        submitted_at=now + timedelta(days=2),
        redraft_of=first,
    )
    response = teacher_client.get(board_url(work))
    row = next(row for row in response.context["rows"] if row.student.username == "marked")
    assert row.status == Status.RETURNED
    assert row.late_by == ""
    assert row.mark == 18
    assert row.marking == "redraft handed in"
    page = response.content.decode()
    assert f'href="{marking_url(redraft)}">Open the redraft' in page


def test_the_board_never_shows_a_drafts_text(teacher_client, work, students):
    work.responses.filter(status="draft").update(body="my secret first thoughts")
    page = teacher_client.get(board_url(work)).content.decode()
    assert "secret first thoughts" not in page


@pytest.mark.parametrize(
    ("order", "first", "last"),
    [
        ("", "nostart", "extended"),  # by last name
        ("-mark", "marked", "extended"),  # no mark yet: last either way
        ("-late", "late", "extended"),
        ("status", "nostart", "marked"),
        ("-similarity", "ontime", "extended"),
        ("nonsense", "nostart", "extended"),
    ],
)
def test_the_board_sorts_by_any_column(teacher_client, work, students, order, first, last):
    rows = teacher_client.get(board_url(work), {"o": order}).context["rows"]
    assert (rows[0].student.username, rows[-1].student.username) == (first, last)


def grow_class(group, work, size: int) -> None:
    """A class of `size`, some of whom have submitted, been marked, drafted or got more time."""
    for n in range(size):
        pupil = EnrolmentFactory(group=group).student
        kind = n % 4
        if kind == 1:
            ResponseFactory(student=pupil, essay=work.essay, assignment=work, status="submitted")
        elif kind == 2:
            ResponseFactory(student=pupil, essay=work.essay, assignment=work, returned=True)
        elif kind == 3:
            ResponseFactory(student=pupil, essay=work.essay, assignment=work)
            ExtensionFactory(assignment=work, student=pupil)


# Session, user, the user's permissions (2), the work with its class and essay, the members,
# their extensions, their responses.
BOARD_QUERIES = 8


def test_the_board_takes_the_same_queries_for_3_or_30_students(
    teacher_client, group, django_assert_num_queries
):
    work = AssignmentFactory(group=group)
    grow_class(group, work, 3)
    with django_assert_num_queries(BOARD_QUERIES):
        assert len(teacher_client.get(board_url(work)).context["rows"]) == 3
    grow_class(group, work, 27)
    with django_assert_num_queries(BOARD_QUERIES):
        assert len(teacher_client.get(board_url(work)).context["rows"]) == 30


def test_the_board_of_anonymous_work_takes_the_same_queries_for_3_or_30_students(
    teacher_client, group, django_assert_num_queries
):
    work = AssignmentFactory(group=group, anonymous_marking=True)
    grow_class(group, work, 3)
    # As for any work, and the candidates' numbers; the first view of a class with students not
    # yet numbered numbers them all at once (a savepoint around one insert).
    with django_assert_num_queries(BOARD_QUERIES + 1 + 3):
        rows = teacher_client.get(board_url(work)).context["rows"]
    assert [row.name for row in rows if row.candidate is not None] == [
        f"Candidate {row.candidate}" for row in rows if row.status == Status.SUBMITTED
    ]
    with django_assert_num_queries(BOARD_QUERIES + 1):
        teacher_client.get(board_url(work))
    grow_class(group, work, 27)
    with django_assert_num_queries(BOARD_QUERIES + 1 + 3):
        rows = teacher_client.get(board_url(work)).context["rows"]
    assert sum(row.candidate is not None for row in rows) == 8
    with django_assert_num_queries(BOARD_QUERIES + 1):
        assert len(teacher_client.get(board_url(work)).context["rows"]) == 30


# Reminders ------------------------------------------------------------------------------------


def test_reminders_go_to_those_who_have_not_handed_in(teacher_client, work, students):
    response = teacher_client.post(
        reverse("admin:essays_assignment_remind", args=[work.pk]), follow=True
    )
    assert "Reminded 2 students who have not handed the work in." in response.content.decode()
    assert sorted(m.to[0] for m in mail.outbox) == ["drafter@example.com", "nostart@example.com"]
    by_student = {m.to[0]: m for m in mail.outbox}
    assert "your draft is saved" in by_student["drafter@example.com"].body
    assert "it is now 1 day late" in by_student["nostart@example.com"].body


def test_no_reminders_past_the_cut_off_or_before_the_work_is_set(
    teacher_client, work, students, now
):
    people, _ = students
    work.cut_off_at = now - timedelta(hours=1)
    work.save()
    # Amira has an extension to next week: she can still hand it in, so she is reminded.
    ExtensionFactory(assignment=work, student=people["nostart"], due_at=now + timedelta(days=7))
    url = reverse("admin:essays_assignment_remind", args=[work.pk])
    page = teacher_client.post(url, follow=True).content.decode()
    assert "Reminded 1 student who" in page
    assert [m.to[0] for m in mail.outbox] == ["nostart@example.com"]

    later = AssignmentFactory(
        group=work.group, set_at=now + timedelta(days=1), due_at=now + timedelta(days=5)
    )
    url = reverse("admin:essays_assignment_remind", args=[later.pk])
    page = teacher_client.post(url, follow=True).content.decode()
    assert "This work is not set yet" in page
    assert len(mail.outbox) == 1


def test_students_without_an_email_are_counted_not_reminded(teacher_client, group):
    work = AssignmentFactory(group=group)
    EnrolmentFactory(group=group, student=UserFactory(email=""))
    page = teacher_client.post(
        reverse("admin:essays_assignment_remind", args=[work.pk]), follow=True
    ).content.decode()
    assert "1 student has no email address and was not reminded." in page
    assert not mail.outbox


def test_reminding_is_a_post(teacher_client, work):
    url = reverse("admin:essays_assignment_remind", args=[work.pk])
    assert teacher_client.get(url).status_code == 405


# Extensions -----------------------------------------------------------------------------------


def extension_url(work):
    return reverse("admin:essays_assignment_extension", args=[work.pk])


def test_granting_an_extension(teacher_client, teacher, work, students, now):
    people, _ = students
    amira = people["nostart"]
    form_page = teacher_client.get(extension_url(work), {"student": amira.pk})
    assert form_page.context["form"]["student"].value() == str(amira.pk)
    assert "Fay Park (extended) — extended to" in form_page.content.decode()
    new_due = timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M")
    response = teacher_client.post(
        extension_url(work),
        {"student": amira.pk, "due_at": new_due, "reason": "Ill on the day"},
        follow=True,
    )
    assert "Amira Khan (nostart) now has until" in response.content.decode()
    extension = Extension.objects.get(student=amira)
    assert (extension.granted_by, extension.reason) == (teacher, "Ill on the day")
    rows = {row.student.username: row for row in response.context["rows"]}
    assert rows["nostart"].late_by == ""  # no longer overdue

    # Granting again replaces it.
    later = timezone.localtime(now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M")
    teacher_client.post(
        extension_url(work), {"student": amira.pk, "due_at": later, "reason": "Still ill"}
    )
    assert Extension.objects.get(student=amira).reason == "Still ill"


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"due_at": "-1 days"}, "due_at", "Enter a valid date/time."),
        ({"due_at": "2000-01-01T09:00"}, "due_at", "must end after the work is due"),
        ({"reason": ""}, "reason", "This field is required."),
        ({"student": "outsider"}, "student", "Select a valid choice"),
        ({"student": "leaver"}, "student", "Select a valid choice"),
        ({"student": "x"}, "student", "Select a valid choice"),
    ],
)
def test_a_bad_extension_is_a_form_error(
    teacher_client, work, students, now, fields, field, message
):
    people, _ = students
    outsider = EnrolmentFactory().student  # in another class
    pks = {
        "outsider": outsider.pk,
        "leaver": work.group.enrolments.get(left_at__isnull=False).student_id,
    }
    data = {
        "student": people["nostart"].pk,
        "due_at": timezone.localtime(now + timedelta(days=3)).strftime("%Y-%m-%dT%H:%M"),
        "reason": "Ill",
        **fields,
    }
    data["student"] = pks.get(data["student"], data["student"])
    response = teacher_client.post(extension_url(work), data)
    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert "The extension was not granted" in response.content.decode()
    assert Extension.objects.count() == 1  # Fay's, from the fixture


# The markbook ---------------------------------------------------------------------------------


@pytest.fixture
def markbook_class(group, now):
    maya = student("mpatel", "Maya", "Patel")
    tom = student("tom", "=HYPERLINK(evil)", "Jones")
    EnrolmentFactory(group=group, student=maya, target_grade="A*")
    EnrolmentFactory(group=group, student=tom, target_mark=18)
    first = AssignmentFactory(
        group=group, set_at=now - timedelta(days=9), due_at=now - timedelta(days=5)
    )
    second = AssignmentFactory(
        group=group, set_at=now - timedelta(days=4), due_at=now - timedelta(days=1)
    )
    ResponseFactory(
        student=maya,
        essay=first.essay,
        assignment=first,
        returned=True,
        mark=20,
        level=4,
        submitted_at=now - timedelta(days=6),
    )
    ResponseFactory(
        student=tom,
        essay=first.essay,
        assignment=first,
        returned=True,
        mark=12,
        level=3,
        submitted_at=now - timedelta(days=4),  # a day late
    )
    ResponseFactory(
        student=maya,
        essay=second.essay,
        assignment=second,
        status="submitted",
        submitted_at=now - timedelta(days=2),
    )
    return maya, tom, first, second


def test_the_markbook_shows_marks_late_work_and_averages(teacher_client, group, markbook_class):
    *_, first, second = markbook_class
    response = teacher_client.get(reverse("admin:essays_teachinggroup_markbook", args=[group.pk]))
    markbook = response.context["markbook"]
    assert markbook.assignments == [first, second]
    cells = {row.student.username: row.cells for row in markbook.rows}
    assert [(c.mark, c.late, c.status) for c in cells["mpatel"]] == [
        (20, False, "returned"),
        (None, False, "submitted"),
    ]
    assert [(c.mark, c.late, c.status) for c in cells["tom"]] == [
        (12, True, "returned (late)"),
        (None, False, "not started"),
    ]
    assert markbook.averages() == [16.0, None]
    page = response.content.decode()
    assert "Maya Patel (mpatel)" in page
    assert "overdue" in page  # Tom's second piece
    assert page.count('class="flag-late">late<') == 1 + 1  # the key, and Tom's first piece
    # Each cell: where the work stands (for its colour), the mark and level linked to the
    # marking page, or where the work stands until there is a mark.
    maya_first, maya_second = (cell.handed_in for cell in cells["mpatel"])
    assert (
        f'<td class="markbook-cell status-returned"><a href="{marking_url(maya_first)}">20 '
        '<span class="quiet">(L4)</span></a></td>'
    ) in page
    assert (
        f'<td class="markbook-cell status-submitted"><a href="{marking_url(maya_second)}">'
        "submitted</a></td>"
    ) in page
    assert (
        '<td class="markbook-cell status-not-started">not started '
        '<span class="flag-late">overdue</span></td>'
    ) in page


def test_the_markbook_csv_is_safe_to_open_in_a_spreadsheet(teacher_client, group, markbook_class):
    response = teacher_client.get(
        reverse("admin:essays_teachinggroup_markbook_csv", args=[group.pk])
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="markbook-13h-history-202627.csv"' in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Student", "Username", "Target"]
    assert rows[0][3].endswith("out of 25): mark")
    by_username = {row[1]: row for row in rows[1:]}
    assert by_username["mpatel"] == [
        "Maya Patel",
        "mpatel",
        "A*",
        "20",
        "returned",
        "",
        "submitted",
    ]
    assert by_username["tom"] == [
        "'=HYPERLINK(evil) Jones",
        "tom",
        "18",
        "12",
        "returned (late)",
        "",
        "not started",
    ]


def grow_markbook(group, size: int, pieces: int) -> None:
    # Every other piece marked anonymously: its cells cost the markbook nothing more.
    works = [AssignmentFactory(group=group, anonymous_marking=n % 2 == 0) for n in range(pieces)]
    for n in range(size):
        pupil = EnrolmentFactory(group=group).student
        for index, work in enumerate(works):
            if (n + index) % 3 == 0:
                ResponseFactory(student=pupil, essay=work.essay, assignment=work, returned=True)
            elif (n + index) % 3 == 1:
                ExtensionFactory(assignment=work, student=pupil)


@pytest.mark.parametrize("view", ["markbook", "markbook_csv"])
def test_the_markbook_takes_the_same_queries_for_a_small_or_big_class(
    teacher_client, group, django_assert_num_queries, view
):
    url = reverse(f"admin:essays_teachinggroup_{view}", args=[group.pk])
    grow_markbook(group, 3, 2)
    # Session, user, the user's permissions (2), the class, then the set work, the members,
    # their extensions and their responses.
    with django_assert_num_queries(9):
        assert teacher_client.get(url).status_code == 200
    grow_markbook(group, 27, 4)
    with django_assert_num_queries(9):
        assert teacher_client.get(url).status_code == 200


def test_another_teachers_board_and_markbook_are_not_found(client, work, students):
    client.force_login(user_in_group("Teachers", "other"))
    for url in (
        board_url(work),
        reverse("admin:essays_teachinggroup_markbook", args=[work.group.pk]),
        reverse("admin:essays_teachinggroup_markbook_csv", args=[work.group.pk]),
    ):
        assert client.get(url).status_code == 404
