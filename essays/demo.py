"""The demo class for a new installation: "13H History", taught by the demo teacher, with the
demo student and eight named classmates, and three pieces of set work in every state a teacher
meets — on time, late, drafted, not started, extended, marked and returned.

A teacher signing in finds a pile worth marking: four classmates' different answers on Stalin's
foreign policy waiting, a redraft on Versailles answering the targets its first attempt was
returned with (with the first attempt's margin comments), and a piece marked anonymously. The
answers live in essays/demo_answers.py.

Its times are set from now, so whenever `make run` is first run there is work overdue, due
soon and waiting to be marked. Built once; a class of that name already there is left alone.
"""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from essays import redrafts, writing
from essays.demo_answers import ANSWERS, MARKS, REDRAFT
from essays.marking import annotations
from essays.models import (
    Assignment,
    Enrolment,
    Essay,
    Extension,
    Level,
    Response,
    Subject,
    TargetReply,
    TeachingGroup,
)

CLASS_NAME = "13H History"
STALIN = "stalins-foreign-policy-objectives-defending-the-soviet-union"
VERSAILLES = "the-treaty-of-versailles-a-harsh-peace"
ALLIANCES = "the-alliance-system-and-the-outbreak-of-the-first-world-war"


@dataclass(frozen=True)
class SetWork:
    slug: str
    set_day: int  # days from today
    due_day: int
    instructions: str
    attempt_first: bool = False
    anonymous_marking: bool = False


SET_WORK = [
    SetWork(
        STALIN, -10, -3, "Plan for ten minutes, then write for forty. Use at least two historians."
    ),
    SetWork(
        VERSAILLES,
        -2,
        4,
        "Timed practice: write it before you read the model essay.",
        attempt_first=True,
    ),
    SetWork(
        ALLIANCES,
        -6,
        -1,
        "Mock exam question, marked blind: your name stays hidden until the marks are released.",
        anonymous_marking=True,
    ),
]
STUDENTS = [
    # username, first name, last name, target, work on each piece of set work (as SET_WORK)
    ("mpatel", "Maya", "Patel", "A*", ("returned", "draft", "submitted")),
    ("osmith", "Oliver", "Smith", "A", ("submitted", "submitted", "none")),
    ("akhan", "Amira", "Khan", "A", ("late", "none", "submitted")),
    ("nwilliams", "Noah", "Williams", "B", ("late", "draft", "none")),
    ("ibrown", "Isla", "Brown", "B", ("draft", "none", "none")),
    ("ljones", "Leo", "Jones", "C", ("none", "none", "submitted")),
    ("zahmed", "Zara", "Ahmed", "A", ("submitted", "redraft", "none")),
    ("etaylor", "Ethan", "Taylor", "B", ("extended", "none", "none")),
]


@dataclass
class DemoClass:
    group: TeachingGroup
    created: bool

    def pile(self) -> tuple[int, int]:
        """The class's scripts waiting to be marked, and how many of them are redrafts."""
        waiting = Response.objects.filter(assignment__group=self.group).awaiting_return()
        return waiting.count(), waiting.filter(redraft_of__isnull=False).count()

    def anonymous_work(self) -> int:
        return self.group.assignments.filter(anonymous_marking=True).count()


def at_nine(days_from_today: int) -> datetime:
    """09:00 on the classroom clock, `days_from_today` days away."""
    day = timezone.localdate() + timedelta(days=days_from_today)
    return timezone.make_aware(datetime.combine(day, time(9)))


def build_demo_class(*, teacher, student) -> DemoClass | None:
    """The demo class, or None when the demo library is not loaded."""
    existing = TeachingGroup.objects.filter(name=CLASS_NAME).first()
    if existing is not None:
        return DemoClass(existing, False)
    essays = {
        essay.slug: essay
        for essay in Essay.objects.filter(slug__in=[work.slug for work in SET_WORK])
    }
    subject = Subject.objects.filter(slug="history").first()
    level = Level.objects.filter(slug="a-level").first()
    if len(essays) < len(SET_WORK) or subject is None or level is None:
        return None
    with transaction.atomic():
        group = TeachingGroup.objects.create(name=CLASS_NAME, subject=subject, level=level)
        group.teachers.add(teacher)
        pieces = [
            Assignment.objects.create(
                group=group,
                essay=essays[work.slug],
                set_at=at_nine(work.set_day),
                due_at=at_nine(work.due_day),
                instructions=work.instructions,
                attempt_first=work.attempt_first,
                anonymous_marking=work.anonymous_marking,
                set_by=teacher,
            )
            for work in SET_WORK
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
            for assignment, state in zip(pieces, states, strict=True):
                if state == "redraft":
                    hand_in_redraft(assignment, classmate, teacher=teacher)
                else:
                    hand_in(assignment, classmate, state, teacher=teacher)
    return DemoClass(group, True)


def handed_in_at(assignment: Assignment, state: str) -> datetime:
    """A day after the deadline for late work; otherwise an hour before it, or two hours ago for
    work not yet due."""
    if state == "late":
        return assignment.due_at + timedelta(days=1)
    return min(assignment.due_at, timezone.now() - timedelta(hours=1)) - timedelta(hours=1)


def submit_at(student_response: Response, when: datetime, *, minutes_writing: int = 45) -> Response:
    """Submit a demo draft, then date it as if it was written in the `minutes_writing` before
    `when`."""
    submitted = writing.submit_response(
        student=student_response.student, response_id=student_response.pk
    )
    Response.objects.filter(pk=submitted.pk).update(
        created_at=when - timedelta(minutes=minutes_writing),
        submitted_at=when,
        updated_at=when,
        time_spent_seconds=minutes_writing * 60,
    )
    return submitted


def hand_in(assignment: Assignment, student, state: str, *, teacher) -> None:
    """Leave `student`'s work on `assignment` in `state`, in their own words."""
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
        student=student,
        essay=assignment.essay,
        body=ANSWERS[assignment.essay.slug][student.username],
        assignment=assignment,
    )
    if state == "draft":
        return
    when = handed_in_at(assignment, state)
    submitted = submit_at(draft, when)
    if state == "returned":
        level, mark, went_well, even_better_if, feedback = MARKS[student.username]
        Response.objects.filter(pk=submitted.pk).update(
            status=Response.Status.RETURNED,
            level=level,
            mark=mark,
            went_well=went_well,
            even_better_if=even_better_if,
            feedback=feedback,
            marked_by=teacher,
            returned_at=when + timedelta(days=1),
            feedback_seen_at=when + timedelta(days=1, hours=3),
        )


def hand_in_redraft(assignment: Assignment, student, *, teacher) -> None:
    """The first attempt handed in the day the work was set, returned the next morning for
    redraft (due in three days) with two targets and margin comments, and the redraft handed
    in that evening with a reply to each target: waiting to be marked."""
    first_draft, _ = writing.start_draft(
        student=student, essay=assignment.essay, body=REDRAFT.first, assignment=assignment
    )
    handed_in = assignment.set_at + timedelta(hours=6)
    first = submit_at(first_draft, handed_in)
    returned_at = at_nine(-1)
    # Margin comments are added while the work is marked, before it is returned.
    for quote, comment, kind, objective in REDRAFT.margin_comments:
        start = REDRAFT.first.index(quote)
        annotations.add_annotation(
            student_response=first,
            author=teacher,
            start=start,
            end=start + len(quote),
            quote=quote,
            comment=comment,
            kind=kind,
            objective=objective,
        )
    first.annotations.update(
        created_at=returned_at - timedelta(minutes=20),
        updated_at=returned_at - timedelta(minutes=20),
    )
    Response.objects.filter(pk=first.pk).update(
        status=Response.Status.RETURNED,
        level=REDRAFT.level,
        mark=REDRAFT.mark,
        went_well=REDRAFT.went_well,
        even_better_if="\n".join(REDRAFT.targets),
        feedback=REDRAFT.feedback,
        marked_by=teacher,
        returned_at=returned_at,
        feedback_seen_at=returned_at + timedelta(hours=3),
        redraft_due_at=at_nine(3),
    )
    # The student's side goes through the rules of redrafting, as the editor does.
    first.refresh_from_db()
    redraft, _ = redrafts.start_redraft(student=student, returned=first)
    redraft = writing.save_draft(
        student=student,
        essay=assignment.essay,
        body=REDRAFT.second,
        attempt=redraft.attempt,
        version=redraft.version,
    )
    redrafts.save_replies(
        student=student,
        redraft_id=redraft.pk,
        replies=dict(enumerate(REDRAFT.replies, start=1)),
    )
    redrafted_at = returned_at + timedelta(hours=10)
    submit_at(redraft, redrafted_at, minutes_writing=60)
    TargetReply.objects.filter(response=redraft).update(updated_at=redrafted_at)
