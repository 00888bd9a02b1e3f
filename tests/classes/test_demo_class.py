"""The demo class a new installation shows: a populated board at once."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command

from essays.classes import Status, work_for_student
from essays.models import Assignment, Enrolment, Extension, Response, TeachingGroup

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings, default_scheme):
    settings.DEBUG = True
    call_command("loaddata", "fixtures/library.json", verbosity=0)
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    return out.getvalue()


def test_the_demo_class_has_its_teacher_students_and_two_pieces_of_work(demo):
    assert "Demo class 13H History (created)" in demo
    group = TeachingGroup.objects.get(name="13H History")
    assert list(group.teachers.values_list("username", flat=True)) == ["teacher"]
    assert Enrolment.objects.filter(group=group).count() == 9  # the demo student and eight
    assert Assignment.objects.filter(group=group).count() == 2
    names = set(
        get_user_model()
        .objects.filter(enrolments__group=group)
        .exclude(username="student")
        .values_list("first_name", flat=True)
    )
    assert len(names) == 8 and "" not in names


def test_the_demo_work_is_in_every_state_a_teacher_meets(demo):
    first = Assignment.objects.order_by("due_at").first()
    statuses = {}
    for enrolment in Enrolment.objects.filter(group=first.group).select_related("student"):
        for item in work_for_student(enrolment.student):
            if item.assignment == first:
                statuses[enrolment.student.username] = item.status
    assert statuses["mpatel"] == Status.RETURNED
    assert statuses["osmith"] == Status.SUBMITTED
    assert statuses["akhan"] == Status.LATE
    assert statuses["ibrown"] == Status.DRAFT
    assert statuses["ljones"] == Status.NOT_STARTED
    assert Extension.objects.filter(student__username="etaylor").exists()
    assert Response.objects.filter(status="submitted", assignment=first).exists()


def test_the_demo_student_has_work_overdue_and_work_due_soon(demo):
    student = get_user_model().objects.get(username="student")
    work = work_for_student(student)
    assert [item.status for item in work] == [Status.NOT_STARTED, Status.NOT_STARTED]
    assert work[0].due_at < work[1].due_at


def test_running_it_again_changes_nothing(demo, settings):
    counts = (Response.objects.count(), get_user_model().objects.count())
    out = StringIO()
    call_command("create_demo_users", stdout=out)
    assert "Demo class 13H History (already there)" in out.getvalue()
    assert (Response.objects.count(), get_user_model().objects.count()) == counts
