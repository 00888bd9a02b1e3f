"""Joining by code, deadlines in words (in the classroom's time zone, across the clocks
changing), and where each student's set work stands."""

from datetime import UTC, datetime, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from essays.classes import (
    JoinRefused,
    Status,
    check_can_submit,
    due_in_words,
    due_soon_count,
    join_class,
    work_for_student,
)
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


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_joining_by_code_tolerates_case_spaces_and_dashes():
    group = TeachingGroupFactory()
    student = UserFactory()
    typed = f" {group.join_code[:4].lower()}-{group.join_code[4:]} "
    enrolment, joined = join_class(student=student, code=typed)
    assert (enrolment.group, joined) == (group, True)
    again, joined = join_class(student=student, code=group.join_code)
    assert (again, joined) == (enrolment, False)


@pytest.mark.parametrize(
    ("setup", "message"),
    [
        (lambda g: None, "No class has the code"),
        (lambda g: setattr(g, "archived", True) or g.save(), "is archived"),
    ],
)
def test_wrong_and_archived_codes_are_refused_with_the_reason(setup, message):
    group = TeachingGroupFactory()
    setup(group)
    code = group.join_code if "archived" in message else "ZZZZZZZZ"
    with pytest.raises(JoinRefused, match=message):
        join_class(student=UserFactory(), code=code)


def test_a_disabled_code_joins_nothing():
    group = TeachingGroupFactory()
    code = group.join_code
    group.join_code = None
    group.save()
    with pytest.raises(JoinRefused, match="No class has the code"):
        join_class(student=UserFactory(), code=code)


def test_a_student_who_left_can_rejoin():
    enrolment = EnrolmentFactory(left_at=timezone.now())
    again, joined = join_class(student=enrolment.student, code=enrolment.group.join_code)
    assert joined and again.pk == enrolment.pk and again.left_at is None


@pytest.mark.parametrize(
    ("now", "due", "words"),
    [
        (utc(2026, 11, 25, 10), utc(2026, 11, 25, 15, 30), "due today 15:30"),
        (utc(2026, 11, 25, 10), utc(2026, 11, 26, 9), "due tomorrow 09:00"),
        (utc(2026, 11, 25, 10), utc(2026, 11, 27, 9), "due Friday 09:00"),
        (utc(2026, 11, 25, 10), utc(2026, 12, 3, 9), "due 3 Dec 09:00"),
        (utc(2026, 11, 25, 10), utc(2026, 11, 25, 9, 30), "30 minutes late"),
        (utc(2026, 11, 25, 10), utc(2026, 11, 25, 7), "3 hours late"),
        (utc(2026, 11, 25, 10), utc(2026, 11, 22, 9), "3 days late"),
        # British Summer Time: 08:00 UTC is 09:00 on the classroom clock.
        (utc(2026, 6, 1, 10), utc(2026, 6, 2, 8), "due tomorrow 09:00"),
        # The clocks go back on 25 October 2026: due 09:00 BST on Saturday, seen on Monday.
        (utc(2026, 10, 26, 9), utc(2026, 10, 24, 8), "2 days late"),
        # Just after midnight in London, still the day before in UTC.
        (utc(2026, 6, 1, 23, 30), utc(2026, 6, 2, 7), "due today 08:00"),
    ],
)
def test_deadlines_in_words_on_the_classroom_clock(settings, now, due, words):
    settings.TIME_ZONE = "Europe/London"
    timezone.activate("Europe/London")
    try:
        assert due_in_words(due, now=now) == words
    finally:
        timezone.deactivate()


def set_work(enrolment, **fields):
    return AssignmentFactory(group=enrolment.group, **fields)


def test_each_status_a_student_can_see(freezer):
    enrolment = EnrolmentFactory()
    student = enrolment.student
    now = timezone.now()
    not_started = set_work(enrolment, due_at=now + timedelta(days=4))
    drafted = set_work(enrolment, due_at=now + timedelta(days=3))
    on_time = set_work(enrolment, due_at=now + timedelta(days=2))
    late = set_work(enrolment, set_at=now - timedelta(days=5), due_at=now - timedelta(days=2))
    returned = set_work(enrolment, due_at=now + timedelta(days=1))
    ResponseFactory(student=student, essay=drafted.essay, assignment=drafted)
    ResponseFactory(student=student, essay=on_time.essay, assignment=on_time, status="submitted")
    ResponseFactory(student=student, essay=late.essay, assignment=late, status="submitted")
    ResponseFactory(student=student, essay=returned.essay, assignment=returned, returned=True)

    statuses = {item.assignment: item.status for item in work_for_student(student)}
    assert statuses == {
        not_started: Status.NOT_STARTED,
        drafted: Status.DRAFT,
        on_time: Status.SUBMITTED,
        late: Status.LATE,
        returned: Status.RETURNED,
    }


def test_an_extension_moves_the_deadline_for_that_student_only():
    enrolment = EnrolmentFactory()
    classmate = EnrolmentFactory(group=enrolment.group).student
    now = timezone.now()
    work = set_work(enrolment, set_at=now - timedelta(days=5), due_at=now - timedelta(days=1))
    ExtensionFactory(assignment=work, student=enrolment.student, due_at=now + timedelta(days=1))
    for student in (enrolment.student, classmate):
        ResponseFactory(student=student, essay=work.essay, assignment=work, status="submitted")
    assert work_for_student(enrolment.student)[0].status == Status.SUBMITTED
    assert work_for_student(classmate)[0].status == Status.LATE


def test_overdue_work_comes_first_then_the_soonest_due():
    enrolment = EnrolmentFactory()
    now = timezone.now()
    later = set_work(enrolment, due_at=now + timedelta(days=6))
    sooner = set_work(enrolment, due_at=now + timedelta(days=1))
    overdue = set_work(enrolment, set_at=now - timedelta(days=9), due_at=now - timedelta(days=2))
    done = set_work(enrolment, due_at=now + timedelta(hours=2))
    ResponseFactory(
        student=enrolment.student, essay=done.essay, assignment=done, status="submitted"
    )
    order = [item.assignment for item in work_for_student(enrolment.student)]
    assert order == [overdue, sooner, later, done]


def test_work_for_a_student_takes_three_queries_however_much_there_is(
    django_assert_num_queries,
):
    enrolment = EnrolmentFactory()
    for _ in range(6):
        work = set_work(enrolment)
        ResponseFactory(student=enrolment.student, essay=work.essay, assignment=work)
    with django_assert_num_queries(3):
        assert len(work_for_student(enrolment.student)) == 6


def test_the_nav_counts_work_due_in_the_next_seven_days():
    enrolment = EnrolmentFactory()
    now = timezone.now()
    set_work(enrolment, due_at=now + timedelta(days=2))
    set_work(enrolment, due_at=now + timedelta(days=6, hours=23))
    set_work(enrolment, due_at=now + timedelta(days=8))
    handed_in = set_work(enrolment, due_at=now + timedelta(days=1))
    ResponseFactory(
        student=enrolment.student, essay=handed_in.essay, assignment=handed_in, status="submitted"
    )
    assert due_soon_count(enrolment.student) == 2


def test_nothing_is_submitted_after_the_cut_off():
    enrolment = EnrolmentFactory()
    now = timezone.now()
    work = set_work(
        enrolment,
        set_at=now - timedelta(days=5),
        due_at=now - timedelta(days=2),
        cut_off_at=now - timedelta(days=1),
    )
    with pytest.raises(ValidationError, match="no longer be submitted"):
        check_can_submit(assignment=work, student=enrolment.student)
    # An extension past the cut-off lets that student submit.
    ExtensionFactory(assignment=work, student=enrolment.student, due_at=now + timedelta(days=1))
    check_can_submit(assignment=work, student=enrolment.student)


def test_no_more_attempts_than_the_work_allows():
    enrolment = EnrolmentFactory()
    work = set_work(enrolment, max_attempts=1)
    check_can_submit(assignment=work, student=enrolment.student)
    ResponseFactory(
        student=enrolment.student, essay=work.essay, assignment=work, status="submitted"
    )
    with pytest.raises(ValidationError, match="allows 1 attempt"):
        check_can_submit(assignment=work, student=enrolment.student)
    assert Response.objects.count() == 1
