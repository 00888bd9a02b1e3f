"""The rules of marking: a mark is a level of response and a mark inside its band; a marked
response is returned to its student once, stamped with who returned it and when."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from essays.marking.emails import queue_returned_email
from essays.models import Essay, MarkLevel, Response


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


def return_response(*, student_response: Response, teacher, site_url: str) -> bool:
    """Return a marked response to its student, stamping who and when, and queue the email
    that tells them (in the same transaction: both happen or neither does).
    Returns False (and changes nothing) for a draft or an unmarked response."""
    if student_response.is_draft or student_response.mark is None:
        return False
    check_mark(
        essay=student_response.essay, level=student_response.level, mark=student_response.mark
    )
    with transaction.atomic():
        updated = (
            Response.objects.submitted_or_returned()
            .filter(pk=student_response.pk)
            .update(
                status=Response.Status.RETURNED,
                returned_at=timezone.now(),
                marked_by=teacher,
                feedback_seen_at=None,
            )
        )
        if updated:
            student_response.refresh_from_db()
            queue_returned_email(student_response, site_url=site_url)
    return bool(updated)


def mark_feedback_seen(student_response: Response) -> None:
    """The student has opened their returned work: the nav stops counting it as new."""
    if student_response.is_returned and student_response.feedback_seen_at is None:
        student_response.feedback_seen_at = timezone.now()
        Response.objects.filter(pk=student_response.pk).update(
            feedback_seen_at=student_response.feedback_seen_at
        )
