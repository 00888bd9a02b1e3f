"""Emails about set work: telling a class when work is set, and reminding those who have not
handed it in. Rendered from templates/emails/ and sent by the background worker
(studyhub/mail.py), one email per student: nobody sees who else is in the class.

Work set for later is announced at its set-at time, not when the teacher saves it. One task per
piece of work waits in the queue until then (`announce_set_work`) and decides at that moment
who to email, so the announcement reaches the class as it is then (a student who joined in
between is told; one who left is not) and says what the work is then. A teacher who moves the
set-at time gets a new announcement at the new time; the old one, finding the work moved, does
nothing.
"""

from datetime import datetime

from django.tasks import task
from django.urls import reverse
from django.utils import timezone

from essays.classes import due_in_words
from essays.markbook import assignment_board, current_members
from essays.marking.emails import render_email
from essays.models import Assignment
from essays.people import display_name
from studyhub.mail import queue_email


def classes_link(site_url: str) -> str:
    return f"{site_url.rstrip('/')}{reverse('essays:classes')}"


@task
def announce_set_work(*, assignment_id: int, set_at: str, site_url: str) -> str:
    """Email each current member of the class that the work is set. `set_at` is the set-at
    time this announcement was scheduled for."""
    assignment = (
        Assignment.objects.select_related("essay", "group", "set_by")
        .filter(pk=assignment_id)
        .first()
    )
    if assignment is None:
        return "the work was deleted"
    if assignment.set_at != datetime.fromisoformat(set_at):
        return "the work was moved to another time, with its own announcement"
    students = [
        enrolment.student
        for enrolment in current_members(assignment.group)
        if enrolment.student.email and enrolment.student.is_active
    ]
    teacher = assignment.set_by
    for student in students:
        subject, body = render_email(
            "work-set",
            {
                "student": student,
                "assignment": assignment,
                "teacher": display_name(teacher) if teacher else "",
                "due": due_words(assignment.due_at),
                "link": classes_link(site_url),
            },
        )
        queue_email(to=[student.email], subject=subject, body=body)
    return f"announced to {len(students)} students"


def due_words(due_at: datetime) -> str:
    """ "Friday 5 December at 09:00", on the classroom's clock."""
    local = timezone.localtime(due_at)
    return f"{local:%A} {local.day} {local:%B} at {local:%H:%M}"


def schedule_set_work_emails(assignment: Assignment, *, site_url: str) -> None:
    """Queue the announcement of this work for its set-at time. Call it in the transaction that
    saves the work: the announcement is queued if and only if the work is saved.

    A task backend that cannot wait (the immediate backend of tests and of development without
    a worker) announces at once."""
    announce = announce_set_work
    if announce.get_backend().supports_defer:
        announce = announce.using(run_after=assignment.set_at)
    announce.enqueue(
        assignment_id=assignment.pk, set_at=assignment.set_at.isoformat(), site_url=site_url
    )


def needs_announcing_again(*, old_set_at: datetime, new_set_at: datetime) -> bool:
    """A changed set-at time is announced anew unless both times have passed (the class was
    told already, and the work stays visible)."""
    now = timezone.now()
    return old_set_at != new_set_at and (old_set_at > now or new_set_at > now)


def queue_reminders(assignment: Assignment, *, site_url: str) -> tuple[int, int]:
    """Remind each current member who has not handed the work in and still can (before the
    cut-off, or their extension). Returns (reminded, not reminded for want of an email)."""
    now = timezone.now()
    reminded = without_email = 0
    if assignment.set_at > now:
        return reminded, without_email  # students cannot see it yet
    for row in assignment_board(assignment, now=now):
        work = row.work
        if work.handed_in or work.closed(now):
            continue
        student = row.student
        if not student.email:
            without_email += 1
            continue
        subject, body = render_email(
            "work-reminder",
            {
                "student": student,
                "assignment": assignment,
                "due": due_words(work.due_at),
                "late_by": due_in_words(work.due_at, now=now) if work.overdue(now) else "",
                "extension": work.extension,
                "started": work.latest is not None,
                "link": classes_link(site_url),
            },
        )
        queue_email(to=[student.email], subject=subject, body=body)
        reminded += 1
    return reminded, without_email
