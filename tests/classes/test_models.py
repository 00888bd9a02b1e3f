"""Classes, enrolments, set work and extensions: what the database itself refuses."""

from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from essays.models import Enrolment, TeachingGroup
from essays.models.classes import JOIN_CODE_ALPHABET, JOIN_CODE_LENGTH
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    ExtensionFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db


def test_a_new_class_gets_a_join_code_without_look_alike_characters():
    codes = {TeachingGroupFactory().join_code for _ in range(20)}
    assert len(codes) == 20
    for code in codes:
        assert len(code) == JOIN_CODE_LENGTH
        assert set(code) <= set(JOIN_CODE_ALPHABET)
        assert not set(code) & set("0O1IL5S2Z8B")


def test_regenerating_a_code_stops_the_old_one():
    group = TeachingGroupFactory()
    old = group.join_code
    new = group.regenerate_join_code()
    assert new != old
    assert TeachingGroup.objects.get(join_code=new) == group
    assert not TeachingGroup.objects.filter(join_code=old).exists()


def test_a_student_is_enrolled_in_a_class_once():
    enrolment = EnrolmentFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Enrolment.objects.create(group=enrolment.group, student=enrolment.student)


def test_a_student_may_be_in_several_classes():
    student = UserFactory()
    EnrolmentFactory(student=student)
    EnrolmentFactory(student=student)
    assert TeachingGroup.objects.for_student(student).count() == 2


def test_work_cannot_be_due_before_it_is_set():
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(set_at=now, due_at=now - timedelta(hours=1))


def test_a_cut_off_cannot_come_before_the_due_date():
    assignment = AssignmentFactory()
    assignment.cut_off_at = assignment.due_at - timedelta(minutes=1)
    with pytest.raises(ValidationError, match="cut-off cannot be before"):
        assignment.full_clean()
    with pytest.raises(IntegrityError), transaction.atomic():
        assignment.save()


@pytest.mark.parametrize("field", ["max_attempts", "time_limit_minutes"])
def test_attempts_and_time_limits_are_positive(field):
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentFactory(**{field: 0})


def test_an_extension_must_end_after_the_work_is_set():
    extension = ExtensionFactory()
    extension.due_at = extension.assignment.set_at - timedelta(hours=1)
    with pytest.raises(ValidationError, match="after the work is set"):
        extension.full_clean()


def test_a_student_has_one_extension_per_piece_of_work():
    extension = ExtensionFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ExtensionFactory(assignment=extension.assignment, student=extension.student)


def test_archiving_a_class_or_leaving_it_keeps_every_response():
    enrolment = EnrolmentFactory()
    assignment = AssignmentFactory(group=enrolment.group)
    response = ResponseFactory(
        student=enrolment.student, essay=assignment.essay, assignment=assignment, returned=True
    )
    enrolment.group.archived = True
    enrolment.group.save()
    enrolment.left_at = timezone.now()
    enrolment.save()
    response.refresh_from_db()
    assert (response.assignment, response.mark, response.status) == (assignment, 15, "returned")


def test_set_work_is_visible_to_students_from_its_set_at_time():
    enrolment = EnrolmentFactory()
    later = AssignmentFactory(
        group=enrolment.group,
        set_at=timezone.now() + timedelta(days=1),
        due_at=timezone.now() + timedelta(days=5),
    )
    now = AssignmentFactory(group=enrolment.group)
    visible = list(enrolment.group.assignments.for_student(enrolment.student))
    assert visible == [now]
    assert later not in visible
