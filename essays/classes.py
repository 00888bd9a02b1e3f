"""Classes and set work: joining a class by its code, each student's deadline (extensions
included), where a student's set work stands, and the words a deadline is shown in.

A redraft the teacher asked for is not an attempt at the set work in these rules: it does not
count against the work's attempts, nor change where the work stands; it is its own piece of
work with its own due date (essays/redrafts.py).

Times are stored in UTC and shown in the site's time zone (Europe/London): "due tomorrow 09:00"
means 09:00 on the clock in the classroom, whether or not the clocks changed in between.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from essays.models import (
    Assignment,
    Enrolment,
    Extension,
    Response,
    TeachingGroup,
    normalise_join_code,
)

DUE_SOON_DAYS = 7


class JoinRefused(Exception):
    """A join code that leads to no class a student can join; the message says why."""


def join_class(*, student, code: str) -> tuple[Enrolment, bool]:
    """Put the student in the class whose join code this is. Joining twice is harmless (the
    enrolment is returned as it is); a student who left is back in. Returns (enrolment,
    joined now)."""
    typed = normalise_join_code(code)
    if not typed:
        raise JoinRefused("Enter the code your teacher gave you.")
    group = TeachingGroup.objects.filter(join_code=typed).first()
    if group is None:
        raise JoinRefused(
            f"No class has the code {typed}. Check it with your teacher: codes are 8 letters "
            "and digits."
        )
    if group.archived:
        raise JoinRefused(f"{group} is archived and takes no new members.")
    try:
        with transaction.atomic():
            enrolment, created = Enrolment.objects.get_or_create(group=group, student=student)
    except IntegrityError:  # two tabs joining at once: the other one won
        enrolment, created = Enrolment.objects.get(group=group, student=student), False
    if enrolment.left_at is not None:
        enrolment.left_at = None
        enrolment.save(update_fields=["left_at"])
        return enrolment, True
    return enrolment, created


def effective_due(assignment: Assignment, extension: Extension | None) -> datetime:
    """When this student's work is due: their extension's date if they have one."""
    return extension.due_at if extension is not None else assignment.due_at


def is_late(submitted_at: datetime | None, due_at: datetime) -> bool:
    return submitted_at is not None and submitted_at > due_at


class Status(StrEnum):
    NOT_STARTED = "not started"
    DRAFT = "draft"
    SUBMITTED = "submitted"
    LATE = "late"
    RETURNED = "returned"


@dataclass
class StudentWork:
    """One piece of set work as one student stands with it."""

    assignment: Assignment
    due_at: datetime
    extension: Extension | None
    latest: Response | None  # their latest attempt for this work
    submitted_attempts: int

    @property
    def status(self) -> Status:
        if self.latest is None:
            return Status.NOT_STARTED
        if self.latest.is_draft:
            return Status.DRAFT
        if self.latest.is_returned:
            return Status.RETURNED
        if is_late(self.latest.submitted_at, self.due_at):
            return Status.LATE
        return Status.SUBMITTED

    @property
    def handed_in(self) -> bool:
        return self.status in (Status.SUBMITTED, Status.LATE, Status.RETURNED)

    def overdue(self, now: datetime) -> bool:
        return not self.handed_in and now > self.due_at

    def closed(self, now: datetime) -> bool:
        """Past the cut-off: nothing more can be submitted."""
        cut_off = self.assignment.cut_off_at
        return cut_off is not None and now > max(cut_off, self.due_at)


def work_for_student(student, *, now: datetime | None = None) -> list[StudentWork]:
    """Every piece of set work in the student's classes, overdue first, then due soonest, then
    what is handed in. Three queries whatever the amount of work."""
    now = now or timezone.now()
    assignments = list(
        Assignment.objects.for_student(student)
        .select_related("essay", "group", "group__subject")
        .defer("essay__body", "essay__search_document", "essay__search_vector")
    )
    extensions = {
        extension.assignment_id: extension
        for extension in Extension.objects.filter(
            student=student, assignment__in=[a.pk for a in assignments]
        )
    }
    latest: dict[int, Response] = {}
    submitted: dict[int, int] = {}
    responses = Response.objects.for_student(student).filter(
        assignment__in=[a.pk for a in assignments], redraft_of__isnull=True
    )
    for student_response in responses.defer("body", "feedback").order_by("attempt"):
        latest[student_response.assignment_id] = student_response
        if not student_response.is_draft:
            submitted[student_response.assignment_id] = (
                submitted.get(student_response.assignment_id, 0) + 1
            )
    work = [
        StudentWork(
            assignment=assignment,
            due_at=effective_due(assignment, extensions.get(assignment.pk)),
            extension=extensions.get(assignment.pk),
            latest=latest.get(assignment.pk),
            submitted_attempts=submitted.get(assignment.pk, 0),
        )
        for assignment in assignments
    ]
    return sorted(work, key=lambda item: (item.handed_in, not item.overdue(now), item.due_at))


def due_soon(student, *, now: datetime | None = None, days: int = DUE_SOON_DAYS):
    """Set work not yet handed in that is due in the next `days` days, the student's own
    deadline counting (extensions included), and redrafts not yet handed in due by then; work
    whose latest attempt is a draft is not handed in. One query, usable as a subquery (the nav
    counts it together with new feedback)."""
    now = now or timezone.now()
    mine = Q(student=student, assignment=OuterRef("pk"))
    own_due = Coalesce(Subquery(Extension.objects.filter(mine).values("due_at")[:1]), F("due_at"))
    latest_status = Subquery(
        Response.objects.filter(mine, redraft_of__isnull=True)
        .order_by("-attempt")
        .values("status")[:1]
    )
    set_work = (
        Assignment.objects.for_student(student)
        .annotate(own_due=own_due, latest_status=latest_status)
        .filter(own_due__range=(now, now + timedelta(days=days)))
        .filter(Q(latest_status__isnull=True) | Q(latest_status=Response.Status.DRAFT))
        .values("pk")
    )
    # Unordered, parts and whole: a union's parts take no ORDER BY.
    redrafts = redrafts_due_soon(student, now=now, days=days)
    return set_work.order_by().union(redrafts.order_by(), all=True).order_by()


def redrafts_due_soon(student, *, now: datetime, days: int):
    """The student's attempts returned for redraft whose redraft, not yet handed in, is due in
    the next `days` days (essays/redrafts.py)."""
    return (
        Response.objects.for_student(student)
        .filter(
            status=Response.Status.RETURNED,
            redraft_due_at__range=(now, now + timedelta(days=days)),
        )
        .filter(Q(redraft__isnull=True) | Q(redraft__status=Response.Status.DRAFT))
        .values("pk")
    )


def due_soon_count(student, *, now: datetime | None = None, days: int = DUE_SOON_DAYS) -> int:
    return due_soon(student, now=now, days=days).count()


def due_in_words(due_at: datetime, *, now: datetime | None = None) -> str:
    """ "due today 15:30", "due tomorrow 09:00", "due Friday 09:00", "due 3 Dec 09:00";
    once passed, "1 hour late", "3 days late". Days are the site's calendar days."""
    now = now or timezone.now()
    local_due, local_now = timezone.localtime(due_at), timezone.localtime(now)
    clock = local_due.strftime("%H:%M")
    if due_at >= now:
        days = (local_due.date() - local_now.date()).days
        if days == 0:
            return f"due today {clock}"
        if days == 1:
            return f"due tomorrow {clock}"
        if days < 7:
            return f"due {local_due:%A} {clock}"
        return f"due {local_due.day} {local_due:%b} {clock}"
    late = now - due_at
    days = (local_now.date() - local_due.date()).days
    if days >= 1:
        return f"{days} day{'s' if days != 1 else ''} late"
    hours = int(late.total_seconds() // 3600)
    if hours >= 1:
        return f"{hours} hour{'s' if hours != 1 else ''} late"
    minutes = max(1, int(late.total_seconds() // 60))
    return f"{minutes} minute{'s' if minutes != 1 else ''} late"


def counted_attempts(*, student, assignment: Assignment):
    """The student's attempts handed in for `assignment` that count against its maximum: not
    the redrafts their teacher asked for."""
    return (
        Response.objects.for_student(student)
        .filter(assignment=assignment, redraft_of__isnull=True)
        .submitted_or_returned()
    )


def check_can_submit(*, assignment: Assignment, student, now: datetime | None = None) -> None:
    """The set work's own rules for submitting: its cut-off and its maximum attempts (which
    redrafts do not count against). Raises ValidationError with a message for the student.
    Redrafts are submitted under their own rules, not these (essays.writing)."""
    now = now or timezone.now()
    extension = Extension.objects.filter(assignment=assignment, student=student).first()
    due_at = effective_due(assignment, extension)
    cut_off = assignment.cut_off_at
    if cut_off is not None and now > max(cut_off, due_at):
        raise ValidationError(
            f"The cut-off for this work was {timezone.localtime(cut_off):%-d %b %H:%M}: it can "
            "no longer be submitted. Your draft is kept; speak to your teacher.",
            code="cut_off",
        )
    handed_in = counted_attempts(student=student, assignment=assignment).count()
    if handed_in >= assignment.max_attempts:
        allowed = assignment.max_attempts
        raise ValidationError(
            f"This work allows {allowed} attempt{'s' if allowed != 1 else ''}, and you have "
            "submitted it already.",
            code="attempts",
        )
