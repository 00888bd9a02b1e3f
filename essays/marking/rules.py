"""The rules of marking: a mark is a level of response and a mark inside its band; a marked
response is returned (released) to its student once, stamped with who returned it and when,
perhaps for redraft by a date; a piece of set work's marks can be released all at once."""

from dataclasses import dataclass
from datetime import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from essays import student_state
from essays.marking.emails import queue_returned_email
from essays.models import Assignment, Essay, MarkLevel, Response


def check_mark(*, essay: Essay, level: int | None, mark: int | None) -> MarkLevel | None:
    """A mark is given by choosing the best-fit level, then a mark inside that level's band.
    `level` is the number of a level of response in the essay's scheme. Returns that level, or
    raises ValidationError saying what is wrong (by field)."""
    if mark is None:
        raise ValidationError({"mark": "Give a mark before returning the response."})
    if mark > essay.marks_available:
        raise ValidationError(
            {"mark": f"This essay is out of {essay.marks_available}; {mark} is too many."}
        )
    scheme = essay.get_mark_scheme()
    if scheme is None:
        return None
    if level is None:
        raise ValidationError({"level": "Choose the level that best fits the response."})
    mark_level = scheme.level_for(level)
    if mark_level is None:
        raise ValidationError({"level": f"{scheme} has no level {level}."})
    if not mark_level.min_mark <= mark <= mark_level.max_mark:
        raise ValidationError(
            {
                "mark": f"Level {mark_level.number} is {mark_level.min_mark}–"
                f"{mark_level.max_mark} marks; {mark} is outside it. Choose another level or a "
                "mark inside the band."
            }
        )
    return mark_level


def check_redraft_due(redraft_due_at: datetime | None) -> None:
    if redraft_due_at is not None and redraft_due_at <= timezone.now():
        raise ValidationError(
            {"redraft_due_at": "A redraft must be due in the future: choose a later date."}
        )


def return_response(
    *,
    student_response: Response,
    teacher,
    site_url: str,
    redraft_due_at: datetime | None = None,
) -> bool:
    """Return (release) a marked response to its student, stamping who and when, and queue the
    email that tells them (in the same transaction: both happen or neither does). With
    `redraft_due_at`, it is returned for redraft: the student is asked to write the next
    attempt against its targets by then.
    Returns False (and changes nothing) for a draft, an unmarked response or one already
    returned; raises ValidationError for a mark outside the scheme or a redraft due date in
    the past."""
    if student_response.is_draft or student_response.mark is None:
        return False
    check_mark(
        essay=student_response.essay, level=student_response.level, mark=student_response.mark
    )
    check_redraft_due(redraft_due_at)
    with transaction.atomic():
        updated = (
            Response.objects.awaiting_return()
            .filter(pk=student_response.pk)
            .update(
                status=Response.Status.RETURNED,
                returned_at=timezone.now(),
                marked_by=teacher,
                feedback_seen_at=None,
                redraft_due_at=redraft_due_at,
            )
        )
        if updated:
            student_response.refresh_from_db()
            student_state.student_changed(student_response.student_id)
            queue_returned_email(student_response, site_url=site_url)
    return bool(updated)


@dataclass(frozen=True)
class Release:
    """What releasing a piece of set work's marks did."""

    released: int
    # Handed in but not yet marked (or marked outside the scheme): kept back.
    unmarked: int


def release_assignment(
    *,
    assignment: Assignment,
    teacher,
    site_url: str,
    responses,
    redraft_due_at: datetime | None = None,
) -> Release:
    """Release every marked response of `assignment` that `responses` (the ones this teacher
    may see) holds and that is not yet returned, each with its email, and mark the work's
    marks released (which ends anonymous marking). Unmarked responses are kept back and
    counted. With `redraft_due_at`, every one is returned for redraft."""
    check_redraft_due(redraft_due_at)
    released = unmarked = 0
    waiting = (
        responses.filter(assignment=assignment)
        .awaiting_return()
        .select_related("essay", "student", "assignment")
    )
    with transaction.atomic():
        for student_response in waiting:
            try:
                done = return_response(
                    student_response=student_response,
                    teacher=teacher,
                    site_url=site_url,
                    redraft_due_at=redraft_due_at,
                )
            except ValidationError:
                done = False
            released += done
            unmarked += not done
        if unmarked == 0:
            Assignment.objects.filter(pk=assignment.pk, marks_released_at__isnull=True).update(
                marks_released_at=timezone.now()
            )
    return Release(released=released, unmarked=unmarked)


def mark_feedback_seen(student_response: Response) -> None:
    """The student has opened their returned work: the nav stops counting it as new."""
    if student_response.is_returned and student_response.feedback_seen_at is None:
        student_response.feedback_seen_at = timezone.now()
        Response.objects.filter(pk=student_response.pk).update(
            feedback_seen_at=student_response.feedback_seen_at
        )
        student_state.student_changed(student_response.student_id)
