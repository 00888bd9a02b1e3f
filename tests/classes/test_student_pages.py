"""The students' side of classes: joining one by its code, the classes page with each piece of
set work and the step that moves it on, the nav's count of work due this week, the progress
page, and the names teachers see (sign-up and the account page)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from essays.classes import due_soon_count
from essays.context_processors import nav_counts
from essays.models import Enrolment
from essays.views.classes import line_chart
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ExtensionFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)
from tests.site.test_bad_input import NASTY_TEXT

pytestmark = pytest.mark.django_db

JOIN = reverse("essays:join_class")
CLASSES = reverse("essays:classes")
PROGRESS = reverse("essays:progress")
ACCOUNT = reverse("account")
# A Tuesday in November: the classroom's clock (Europe/London) reads the same as UTC.
NOW = datetime(2026, 11, 10, 12, 0, tzinfo=UTC)


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, day, hour, minute, tzinfo=UTC)


@pytest.fixture
def group(db):
    return TeachingGroupFactory(name="13H History", join_code="CDEFGH34")


@pytest.fixture
def enrolment(group, student):
    return EnrolmentFactory(group=group, student=student)


def set_work(group, **fields):
    fields.setdefault("set_at", NOW - timedelta(days=10))
    return AssignmentFactory(group=group, **fields)


def hand_in(student, work, **fields):
    return ResponseFactory(student=student, essay=work.essay, assignment=work, **fields)


def row_for(page: str, headline: str) -> str:
    """The table row of the classes page that shows this essay."""
    rows = [row for row in page.split("<tr>") if headline in row]
    assert len(rows) == 1, f"{headline!r} is in {len(rows)} rows"
    return rows[0].split("</tr>")[0]


# Joining a class


def test_joining_with_the_code_puts_the_student_in_the_class(student_client, student, group):
    response = student_client.post(JOIN, {"code": "CDEFGH34"}, follow=True)
    assert response.redirect_chain == [(CLASSES, 302)]
    assert "You joined 13H History." in response.content.decode()
    assert Enrolment.objects.get(student=student).group == group


def test_a_code_may_be_typed_in_lower_case_with_spaces_and_a_dash(student_client, student, group):
    response = student_client.post(JOIN, {"code": " cdef-gh34 "})
    assert response.status_code == 302
    assert Enrolment.objects.filter(student=student, group=group).exists()


@pytest.mark.parametrize(
    ("change", "code", "message"),
    [
        (None, "ZZZZ-ZZZZ", "No class has the code ZZZZZZZZ."),
        (None, "", "Enter the code your teacher gave you."),
        (None, "---", "Enter the code your teacher gave you."),
        ({"join_code": None}, "CDEFGH34", "No class has the code CDEFGH34."),  # turned off
        ({"archived": True}, "CDEFGH34", "13H History is archived and takes no new members."),
    ],
    ids=["wrong", "empty", "only-dashes", "disabled", "archived"],
)
def test_a_code_that_leads_to_no_class_is_refused_with_the_reason(
    student_client, student, group, change, code, message
):
    for field, value in (change or {}).items():
        setattr(group, field, value)
    group.save()
    response = student_client.post(JOIN, {"code": code})
    assert response.status_code == 400
    page = response.content.decode()
    assert message in page
    assert 'aria-invalid="true"' in page  # on the code's own field
    assert not Enrolment.objects.filter(student=student).exists()


def test_joining_twice_is_harmless(student_client, student, enrolment):
    response = student_client.post(JOIN, {"code": "CDEFGH34"}, follow=True)
    assert response.redirect_chain == [(CLASSES, 302)]
    assert "You are already in 13H History." in response.content.decode()
    assert Enrolment.objects.filter(student=student).count() == 1


def test_a_student_who_left_can_join_again(student_client, enrolment):
    enrolment.left_at = timezone.now()
    enrolment.save()
    response = student_client.post(JOIN, {"code": "CDEFGH34"}, follow=True)
    assert "You joined 13H History." in response.content.decode()
    enrolment.refresh_from_db()
    assert enrolment.left_at is None


def test_the_code_can_come_filled_in_from_a_link(student_client):
    page = student_client.get(JOIN, {"code": "cdef-gh34"}).content.decode()
    assert 'value="CDEFGH34"' in page
    assert "Join class" in page


@pytest.mark.parametrize("value", NASTY_TEXT)
def test_nasty_codes_are_answered_with_a_page_never_a_server_error(student_client, value):
    assert student_client.get(JOIN, {"code": value}).status_code == 200
    posted = student_client.post(JOIN, {"code": value})
    assert posted.status_code == 400
    assert not Enrolment.objects.exists()


# The classes page


def test_each_piece_of_work_shows_its_status_due_date_and_next_step(
    student_client, student, enrolment, freezer
):
    freezer.move_to(NOW)
    group = enrolment.group
    essays = {
        name: EssayFactory(headline=name, status="published")
        for name in ("Fresh", "Drafted", "Handed in", "Late in", "Marked", "Overdue", "Closed")
    }
    fresh = set_work(group, essay=essays["Fresh"], due_at=at(11, 9), instructions="Use 2 sources")
    drafted = set_work(group, essay=essays["Drafted"], due_at=at(13, 9))
    handed_in = set_work(group, essay=essays["Handed in"], due_at=at(14, 9))
    late_in = set_work(group, essay=essays["Late in"], due_at=at(5, 9))
    marked = set_work(group, essay=essays["Marked"], due_at=at(3, 9))
    set_work(group, essay=essays["Overdue"], due_at=at(7, 9))
    set_work(group, essay=essays["Closed"], due_at=at(4, 9), cut_off_at=at(6, 9))
    hand_in(student, drafted)
    submitted = hand_in(student, handed_in, status="submitted")
    hand_in(student, late_in, status="submitted", submitted_at=at(6, 10))
    returned = hand_in(student, marked, returned=True, mark=18)

    page = student_client.get(CLASSES).content.decode()

    row = row_for(page, "Fresh")
    assert "due tomorrow 09:00" in row and "Not started" in row and "Use 2 sources" in row
    assert f'action="{reverse("essays:new_attempt", args=[fresh.essay.slug])}"' in row
    assert f'name="assignment" value="{fresh.pk}"' in row
    assert ">Start<" in row

    row = row_for(page, "Drafted")
    assert "due Friday 09:00" in row and "Draft" in row
    assert f'href="{reverse("essays:respond", args=[drafted.essay.slug])}">Continue<' in row

    row = row_for(page, "Handed in")
    assert "Submitted" in row and f'href="{submitted.get_absolute_url()}">Submitted<' in row

    row = row_for(page, "Late in")
    assert ">Late<" in row and "was due 5 Nov 09:00" in row and "Start" not in row

    row = row_for(page, "Marked")
    assert "Returned" in row and "18 / 25" in row
    assert f'href="{returned.get_absolute_url()}">View feedback<' in row

    row = row_for(page, "Overdue")
    assert "3 days late" in row and ">Start<" in row

    row = row_for(page, "Closed")
    assert "Closed" in row and "<form" not in row and "<a " not in row


def test_overdue_work_comes_first_then_the_soonest_due(student_client, student, enrolment, freezer):
    freezer.move_to(NOW)
    for name, due in (("Later", at(16, 9)), ("Sooner", at(11, 9)), ("Overdue", at(9, 9))):
        set_work(enrolment.group, essay=EssayFactory(headline=name, status="published"), due_at=due)
    page = student_client.get(CLASSES).content.decode()
    assert page.index("Overdue") < page.index("Sooner") < page.index("Later")


def test_an_extension_is_shown_to_its_student_and_no_one_else(client, student, enrolment, freezer):
    freezer.move_to(NOW)
    classmate = EnrolmentFactory(group=enrolment.group).student
    work = set_work(enrolment.group, due_at=at(9, 9))
    ExtensionFactory(assignment=work, student=student, due_at=at(13, 9))

    client.force_login(student)
    row = row_for(client.get(CLASSES).content.decode(), work.essay.headline)
    assert "extended to Friday 09:00" in row and "late" not in row

    client.force_login(classmate)
    row = row_for(client.get(CLASSES).content.decode(), work.essay.headline)
    assert "1 day late" in row and "extended" not in row


def test_a_late_extension_says_both(student_client, student, enrolment, freezer):
    freezer.move_to(NOW)
    work = set_work(enrolment.group, due_at=at(6, 9))
    ExtensionFactory(assignment=work, student=student, due_at=at(8, 9))
    row = row_for(student_client.get(CLASSES).content.decode(), work.essay.headline)
    assert "2 days late (extended to 8 Nov 09:00)" in row


def test_a_student_sees_only_their_own_classes_work_once_it_is_set(
    student_client, student, enrolment, freezer
):
    freezer.move_to(NOW)
    mine = set_work(enrolment.group, due_at=at(12, 9))
    others = set_work(TeachingGroupFactory(), due_at=at(12, 9))
    future = set_work(enrolment.group, set_at=at(11, 8), due_at=at(18, 9))
    left = EnrolmentFactory(student=student, left_at=NOW)
    left_work = set_work(left.group, due_at=at(12, 9))

    page = student_client.get(CLASSES).content.decode()
    assert mine.essay.headline in page
    for hidden in (others, future, left_work):
        assert hidden.essay.headline not in page

    freezer.move_to(at(11, 8, 1))
    assert future.essay.headline in student_client.get(CLASSES).content.decode()


def test_the_classes_page_lists_the_classes_and_their_teachers(student_client, enrolment):
    teacher = UserFactory(username="mr-ali", first_name="Omar", last_name="Ali")
    enrolment.group.teachers.add(teacher)
    page = student_client.get(CLASSES).content.decode()
    assert "13H History" in page and "taught by Omar Ali" in page
    assert "No work has been set to your classes yet." in page


def test_a_student_in_no_class_is_pointed_to_joining_one(student_client):
    page = student_client.get(CLASSES).content.decode()
    assert "You are not in any classes yet." in page
    assert f'href="{JOIN}"' in page


@pytest.mark.parametrize("size", [2, 12])
def test_the_classes_page_takes_the_same_queries_however_much_work(
    student_client, student, enrolment, django_assert_num_queries, size
):
    enrolment.group.teachers.add(UserFactory(), UserFactory())
    other = EnrolmentFactory(student=student)
    soon = timezone.now() + timedelta(days=2)
    for index in range(size):
        work = set_work(enrolment.group if index % 2 else other.group)
        ExtensionFactory(assignment=work, student=student)
        if index % 3 == 0:
            returned = hand_in(student, work, returned=True, redraft_due_at=soon)
            if index % 2:
                hand_in(student, work, attempt=2, redraft_of=returned)
        elif index % 3 == 1:
            hand_in(student, work)
    # Session, user; the work, extensions and responses (work_for_student); the redrafts; the
    # classes and their teachers; the next set work to appear; the nav's counts.
    with django_assert_num_queries(10):
        response = student_client.get(CLASSES)
    assert len(response.context["rows"]) == size
    assert len(response.context["redraft_rows"]) == len(range(0, size, 3))
    # Kept for this browser once it has its CSRF cookie (set by the first visit), and the nav's
    # counts with it: the visit after is the session and the user alone.
    with django_assert_num_queries(9):
        kept = without_tokens(student_client.get(CLASSES))
    with django_assert_num_queries(2):
        assert without_tokens(student_client.get(CLASSES)) == kept


def without_tokens(response) -> str:
    """The page without its CSRF tokens, which are masked afresh on every page."""
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())


def test_the_kept_classes_page_changes_with_the_work_and_the_clock(
    student_client, student, enrolment, freezer
):
    from essays import writing

    freezer.move_to(NOW)
    work = set_work(enrolment.group, due_at=NOW + timedelta(days=1, hours=1))
    set_work(enrolment.group, set_at=NOW + timedelta(hours=2), essay=EssayFactory(headline="Later"))
    student_client.get(CLASSES)
    page = student_client.get(CLASSES).content.decode()
    assert "due tomorrow" in page and "Later" not in page
    freezer.move_to(NOW + timedelta(hours=2))  # the other work appears
    assert "Later" in student_client.get(CLASSES).content.decode()
    freezer.move_to(NOW + timedelta(hours=12))  # past midnight
    assert "due today" in student_client.get(CLASSES).content.decode()
    draft, _ = writing.start_draft(student=student, essay=work.essay, body="Text.", assignment=work)
    assert "Continue" in student_client.get(CLASSES).content.decode()
    freezer.move_to(NOW + timedelta(days=1, hours=2))  # the deadline passes
    assert "late" in student_client.get(CLASSES).content.decode()
    writing.submit_response(student=student, response_id=draft.pk)
    assert "Late" in student_client.get(CLASSES).content.decode()


def test_each_browser_gets_forms_it_can_send(student, enrolment):
    """The kept page holds forms with the browser's CSRF token: a student's second browser
    must not be given the first one's."""
    set_work(enrolment.group)
    browsers = []
    for _ in range(2):
        browser = Client(enforce_csrf_checks=True)
        browser.force_login(student)
        browser.get(CLASSES)
        browsers.append(browser)
    for browser in browsers:
        page = browser.get(CLASSES).content.decode()
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        action = re.search(r'<form method="post" action="([^"]+/respond/new/)"', page)
        answer = browser.post(action.group(1), {"csrfmiddlewaretoken": token})
        assert answer.status_code == 302, answer.status_code


# The nav


def test_the_nav_shows_how_much_work_is_due_this_week(student_client, student, enrolment):
    now = timezone.now()
    set_work(enrolment.group, due_at=now + timedelta(days=2))
    hand_in(student, set_work(enrolment.group, due_at=now + timedelta(days=3)))  # a draft
    set_work(enrolment.group, due_at=now + timedelta(days=9))
    hand_in(student, set_work(enrolment.group, due_at=now + timedelta(days=1)), status="submitted")
    page = student_client.get(reverse("essays:response_list")).content.decode()
    assert re.search(
        r'href="/classes/">Classes <span class="badge[^"]*">2'
        r'<span class="visually-hidden"> due this week</span>',
        page,
    )


def test_the_nav_shows_no_count_when_nothing_is_due(student_client, enrolment):
    page = student_client.get(reverse("essays:response_list")).content.decode()
    assert 'href="/classes/">Classes</a>' in page
    assert "due this week" not in page


def test_visitors_see_no_classes_in_the_nav(client):
    page = client.get("/").content.decode()
    assert 'href="/classes/"' not in page


def test_the_nav_counts_as_the_set_work_rules_do(rf, student, enrolment, freezer):
    """The nav's one query agrees with essays.classes.due_soon_count() in every case."""
    freezer.move_to(NOW)
    group = enrolment.group
    set_work(group, due_at=NOW + timedelta(days=7))  # the last moment of the week: counted
    set_work(group, due_at=NOW + timedelta(days=7, seconds=1))
    set_work(group, due_at=NOW - timedelta(seconds=1))  # overdue is not "due this week"
    extended_in = set_work(group, due_at=NOW - timedelta(days=1))
    ExtensionFactory(assignment=extended_in, student=student, due_at=NOW + timedelta(days=1))
    extended_out = set_work(group, due_at=NOW + timedelta(days=1))
    ExtensionFactory(assignment=extended_out, student=student, due_at=NOW + timedelta(days=9))
    redrafting = set_work(group, due_at=NOW + timedelta(days=2), max_attempts=2)
    hand_in(student, redrafting, status="submitted")
    hand_in(student, redrafting, attempt=2)  # the latest attempt is a draft: not handed in
    returned = set_work(group, due_at=NOW + timedelta(days=2))
    hand_in(student, returned, returned=True)
    set_work(group, set_at=NOW + timedelta(hours=1), due_at=NOW + timedelta(days=2))
    classmate = EnrolmentFactory(group=group).student
    ExtensionFactory(assignment=set_work(group, due_at=NOW + timedelta(days=1)), student=classmate)
    hand_in(classmate, set_work(group, due_at=NOW + timedelta(days=1)), status="submitted")
    set_work(TeachingGroupFactory(), due_at=NOW + timedelta(days=1))

    request = rf.get("/")
    request.user = student
    assert nav_counts(request)["classes_due_count"] == due_soon_count(student, now=NOW) == 5


def test_the_nav_counts_cost_one_query_and_none_until_shown(
    rf, student, enrolment, django_assert_num_queries
):
    request = rf.get("/")
    request.user = student
    with django_assert_num_queries(0):
        counts = nav_counts(request)
    with django_assert_num_queries(1):
        assert counts["classes_due_count"] == 0
        assert counts["new_feedback_count"] == 0
    # The next page takes them from the cache.
    with django_assert_num_queries(0):
        assert nav_counts(request)["classes_due_count"] == 0


# Progress


def test_progress_draws_each_class_s_marks_against_the_target(student_client, student, enrolment):
    enrolment.target_mark = 18
    enrolment.save()
    first = set_work(enrolment.group, essay=EssayFactory(headline="Versailles", status="published"))
    second = set_work(enrolment.group, essay=EssayFactory(headline="Munich", status="published"))
    hand_in(student, first, returned=True, mark=15, submitted_at=at(2, 10))
    hand_in(student, second, returned=True, mark=20, submitted_at=at(9, 10))
    hand_in(student, set_work(enrolment.group), status="submitted")  # not marked yet
    ResponseFactory(student=student, returned=True, mark=3)  # free practice, in no class
    other = EnrolmentFactory(student=student, group=TeachingGroupFactory(name="13J Economics"))
    hand_in(student, set_work(other.group, essay=EssayFactory(headline="Tariffs")), returned=True)

    page = student_client.get(PROGRESS).content.decode()

    history = page.split('id="class-')[1:]
    history = next(section for section in history if "13H History" in section.split("</h2>")[0])
    svg = history[history.index("<svg") : history.index("</svg>")]
    assert f'role="img" aria-labelledby="chart-title-{enrolment.group.pk} chart-desc-' in svg
    assert "<title" in svg and "Your marks in 13H History over time" in svg
    assert "oldest first: 60%, 80%." in svg and "Your target is 18 marks" in svg
    assert svg.count("<circle") == 2 and 'stroke-dasharray="6 4"' in svg
    table = history[history.index("<table") : history.index("</table>")]
    assert table.index("Versailles") < table.index("Munich")
    assert "15 / 25" in table and "20 / 25" in table and "2 Nov 2026" in table
    assert "Tariffs" not in history and "3 / 25" not in page
    assert "Your target mark: <strong>18</strong>" in history
    assert "13J Economics" in page and "Tariffs" in page


def test_a_target_grade_is_shown_as_text(student_client, enrolment):
    enrolment.target_grade = "A*"
    enrolment.save()
    page = student_client.get(PROGRESS).content.decode()
    assert "Your target grade: <strong>A*</strong>" in page
    assert "No marked work in this class yet" in page


def test_progress_for_a_student_in_no_class(student_client):
    page = student_client.get(PROGRESS).content.decode()
    assert "You are not in any classes yet." in page and f'href="{JOIN}"' in page


def test_the_chart_puts_100_percent_at_the_top_and_0_at_the_bottom():
    chart = line_chart([(100, "1 Nov"), (0, "2 Nov"), (50, "3 Nov")], [72, 72, None])
    top, bottom, middle = chart.points
    assert top.y < middle.y < bottom.y
    assert bottom.y == chart.bottom and top.x < bottom.x < middle.x
    assert len(chart.target) == 2  # no target for the third essay
    assert chart.line == " ".join(f"{p.x},{p.y}" for p in chart.points)
    assert line_chart([(120, "")], [None]).points[0].y == top.y  # capped at 100%


@pytest.mark.parametrize("size", [2, 12])
def test_progress_takes_the_same_queries_however_many_marks(
    student_client, student, enrolment, django_assert_num_queries, size
):
    other = EnrolmentFactory(student=student)
    for index in range(size):
        work = set_work(enrolment.group if index % 2 else other.group)
        hand_in(student, work, returned=True)
    # Session, user, the classes, the marks, the nav's counts.
    with django_assert_num_queries(5):
        page = student_client.get(PROGRESS).content.decode()
    assert page.count("<circle") == size


# Names: sign-up and the account page


SIGNUP = {
    "username": "jo",
    "email": "jo@example.com",
    "password1": "a sturdy passphrase 42",
    "password2": "a sturdy passphrase 42",
}


def test_signing_up_asks_for_a_first_and_last_name(client):
    response = client.post("/accounts/signup/", SIGNUP)
    assert response.status_code == 400
    assert response.content.decode().count("This field is required.") == 2
    response = client.post(
        "/accounts/signup/", {**SIGNUP, "first_name": "Jo", "last_name": " March "}
    )
    assert response.status_code == 302
    user = get_user_model().objects.get(username="jo")
    assert (user.first_name, user.last_name) == ("Jo", "March")


def test_the_account_page_changes_the_name(student_client, student):
    page = student_client.get(ACCOUNT).content.decode()
    assert 'name="first_name"' in page and student.username in page
    response = student_client.post(
        ACCOUNT, {"first_name": "Amira", "last_name": "Haddad"}, follow=True
    )
    assert response.redirect_chain == [(ACCOUNT, 302)]
    assert "teachers see you as Amira Haddad." in response.content.decode()
    student.refresh_from_db()
    assert student.get_full_name() == "Amira Haddad"


@pytest.mark.parametrize("value", ["", "   ", "before\x00after", "x" * 151])
def test_the_account_page_refuses_a_bad_name_with_a_reason(student_client, student, value):
    response = student_client.post(ACCOUNT, {"first_name": value, "last_name": "Haddad"})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.content.decode()
    student.refresh_from_db()
    assert student.last_name == ""


def test_the_nav_leads_to_the_account_page(student_client):
    page = student_client.get(CLASSES).content.decode()
    assert f'href="{ACCOUNT}">Account (amira)</a>' in page


def due_badge(client) -> str:
    page = client.get("/").content.decode()
    found = re.search(r'>(\d+)<span class="visually-hidden"> due this week', page)
    return found.group(1) if found else "none"


def test_the_nav_s_kept_counts_follow_every_change_they_count(
    student_client, student, enrolment, teacher
):
    """The counts are kept between pages (essays/nav_counts.py): each change StudyHub makes to
    what they count shows on the student's very next page."""
    from essays import writing
    from essays.marking.rules import return_response

    now = timezone.now()
    assert due_badge(student_client) == "none"
    work = set_work(enrolment.group, set_at=now - timedelta(days=1), due_at=now + timedelta(days=2))
    assert due_badge(student_client) == "1"  # set work: every student counted afresh
    extension = ExtensionFactory(assignment=work, student=student, due_at=now + timedelta(days=9))
    assert due_badge(student_client) == "none"  # an extension beyond the week
    extension.delete()
    assert due_badge(student_client) == "1"
    draft, _ = writing.start_draft(
        student=student, essay=work.essay, body="An answer.", assignment=work
    )
    writing.submit_response(student=student, response_id=draft.pk)
    assert due_badge(student_client) == "none"  # handed in
    Enrolment.objects.filter(pk=enrolment.pk).delete()
    later = set_work(enrolment.group, set_at=now, due_at=now + timedelta(days=1))
    assert due_badge(student_client) == "none"  # no longer in the class
    EnrolmentFactory(group=later.group, student=student)
    assert due_badge(student_client) == "1"  # back in it

    handed_in = writing.submit_response(
        student=student,
        response_id=writing.start_draft(
            student=student, essay=later.essay, body="Text.", assignment=later
        )[0].pk,
    )
    page = student_client.get("/").content.decode()
    assert "newly marked" not in page
    handed_in.level, handed_in.mark = 3, 12
    handed_in.save()
    assert return_response(student_response=handed_in, teacher=teacher, site_url="https://x")
    page = student_client.get("/").content.decode()
    assert '1<span class="visually-hidden"> newly marked</span>' in page


def test_the_kept_progress_page_shows_a_mark_once_released_or_changed(
    student_client, student, enrolment, teacher
):
    from essays import writing
    from essays.marking.rules import return_response

    work = set_work(enrolment.group, essay=EssayFactory(headline="Munich", status="published"))
    draft, _ = writing.start_draft(student=student, essay=work.essay, body="Text.", assignment=work)
    handed_in = writing.submit_response(student=student, response_id=draft.pk)
    student_client.get(PROGRESS)
    assert "Munich" not in student_client.get(PROGRESS).content.decode()  # kept, nothing marked
    handed_in.level, handed_in.mark = 3, 12
    handed_in.save()
    return_response(student_response=handed_in, teacher=teacher, site_url="https://x")
    assert "12 / 25" in student_client.get(PROGRESS).content.decode()
    enrolment.group.name = "13H History (set 2)"
    enrolment.group.save()
    assert "13H History (set 2)" in student_client.get(PROGRESS).content.decode()
