"""The demo class for a new installation: "13H History", taught by the demo teacher, with the
demo student and eight named classmates, and two pieces of set work in every state a teacher
meets — on time, late, drafted, not started, extended, marked and returned.

Its times are set from now, so whenever `make run` is first run there is work overdue, due
soon and waiting to be marked. Built once; a class of that name already there is left alone.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from essays import writing
from essays.models import (
    Assignment,
    Enrolment,
    Essay,
    Extension,
    Level,
    Response,
    Subject,
    TeachingGroup,
)

CLASS_NAME = "13H History"
SET_WORK = [
    # slug, set (days from today), due (days from today), instructions, attempt first
    (
        "stalins-foreign-policy-objectives-defending-the-soviet-union",
        -10,
        -3,
        "Plan for ten minutes, then write for forty. Use at least two historians.",
        False,
    ),
    (
        "the-treaty-of-versailles-a-harsh-peace",
        -2,
        4,
        "Timed practice: write it before you read the model essay.",
        True,
    ),
]
STUDENTS = [
    # username, first name, last name, target, work on each piece of set work
    ("mpatel", "Maya", "Patel", "A*", ("returned", "draft")),
    ("osmith", "Oliver", "Smith", "A", ("submitted", "submitted")),
    ("akhan", "Amira", "Khan", "A", ("late", "none")),
    ("nwilliams", "Noah", "Williams", "B", ("late", "draft")),
    ("ibrown", "Isla", "Brown", "B", ("draft", "none")),
    ("ljones", "Leo", "Jones", "C", ("none", "none")),
    ("zahmed", "Zara", "Ahmed", "A", ("returned", "submitted")),
    ("etaylor", "Ethan", "Taylor", "B", ("extended", "none")),
]
ANSWER = (
    "Stalin's foreign policy in the 1930s was shaped above all by the fear of attack. "
    "The Soviet Union joined the League of Nations in 1934 and signed mutual assistance pacts "
    "with France and Czechoslovakia in 1935, a policy of collective security.\n\n"
    "Yet the Munich Agreement of 1938 convinced Stalin that Britain and France would not "
    "stand against Hitler, and in August 1939 he signed the Nazi-Soviet Pact, buying time "
    "and territory. Security, not revolution, was the aim."
)


@dataclass
class DemoClass:
    group: TeachingGroup
    created: bool


def at_nine(days_from_today: int) -> datetime:
    """09:00 on the classroom clock, `days_from_today` days away."""
    day = timezone.localdate() + timedelta(days=days_from_today)
    return timezone.make_aware(datetime.combine(day, time(9)))


def build_demo_class(*, teacher, student) -> DemoClass | None:
    """The demo class, or None when the demo library is not loaded."""
    existing = TeachingGroup.objects.filter(name=CLASS_NAME).first()
    if existing is not None:
        return DemoClass(existing, False)
    slugs = [slug for slug, *_ in SET_WORK]
    essays = {essay.slug: essay for essay in Essay.objects.filter(slug__in=slugs)}
    subject = Subject.objects.filter(slug="history").first()
    level = Level.objects.filter(slug="a-level").first()
    if len(essays) < len(SET_WORK) or subject is None or level is None:
        return None
    with transaction.atomic():
        group = TeachingGroup.objects.create(name=CLASS_NAME, subject=subject, level=level)
        group.teachers.add(teacher)
        work = [
            Assignment.objects.create(
                group=group,
                essay=essays[slug],
                set_at=at_nine(set_day),
                due_at=at_nine(due_day),
                instructions=instructions,
                attempt_first=attempt_first,
                set_by=teacher,
            )
            for slug, set_day, due_day, instructions, attempt_first in SET_WORK
        ]
        Enrolment.objects.create(group=group, student=student, target_grade="A")
        User = get_user_model()
        for username, first, last, target, states in STUDENTS:
            classmate, _ = User.objects.get_or_create(
                username=username,
                defaults={
                    "first_name": first,
                    "last_name": last,
                    "email": f"{username}@example.com",
                },
            )
            if not classmate.has_usable_password():
                classmate.set_unusable_password()
                classmate.save(update_fields=["password"])
            Enrolment.objects.create(group=group, student=classmate, target_grade=target)
            for assignment, state in zip(work, states, strict=True):
                hand_in(assignment, classmate, state, teacher=teacher)
    return DemoClass(group, True)


def hand_in(assignment: Assignment, student, state: str, *, teacher) -> None:
    """Leave `student`'s work on `assignment` in `state`."""
    if state == "none":
        return
    if state == "extended":
        Extension.objects.create(
            assignment=assignment,
            student=student,
            due_at=at_nine(2),
            reason="Off school ill on the day it was due.",
            granted_by=teacher,
        )
        return
    draft, _ = writing.start_draft(
        student=student, essay=assignment.essay, body=ANSWER, assignment=assignment
    )
    if state == "draft":
        return
    submitted = writing.submit_response(student=student, response_id=draft.pk)
    # Handed in an hour before the deadline, or a day after it.
    when = assignment.due_at + (timedelta(days=1) if state == "late" else -timedelta(hours=1))
    Response.objects.filter(pk=submitted.pk).update(submitted_at=when, updated_at=when)
    if state == "returned":
        Response.objects.filter(pk=submitted.pk).update(
            status=Response.Status.RETURNED,
            level=4 if student.username == "mpatel" else 3,
            mark=18 if student.username == "mpatel" else 12,
            feedback="A clear argument. Weigh Munich against the Pact more directly.",
            marked_by=teacher,
            returned_at=when + timedelta(days=1),
        )
