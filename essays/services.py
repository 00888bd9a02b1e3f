"""Writing, saving and submitting responses: the rules that keep a student's text safe.

Every write is one transaction. Saves are guarded by the draft's version so that a stale tab
never overwrites newer text, and submission is idempotent so that a double click makes one
submission.
"""

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from essays import feedback
from essays.models import AttemptFirst, Essay, MarkLevel, Note, Response
from essays.text import count_words

logger = logging.getLogger(__name__)

MAX_WORDS = 15_000
# Far above MAX_WORDS of real prose; refuses pasted megabytes without losing an essay.
MAX_CHARACTERS = 200_000
# Time between two saves counts towards "time spent" up to this gap (a pause, not a lunch).
MAX_COUNTED_GAP = timedelta(minutes=5)


NUL_MESSAGE = (
    "Your text contains a NUL character, which cannot be saved. "
    "It usually comes from pasting out of another program: retype that part."
)


class StaleDraft(Exception):
    """The draft changed since this copy of it was loaded (another tab or device saved)."""

    def __init__(self, current: Response):
        super().__init__("This draft was changed somewhere else.")
        self.current = current


class NotADraft(Exception):
    """The response has been submitted: its text can no longer change."""

    def __init__(self, response: Response):
        super().__init__("This response has been submitted and can no longer be changed.")
        self.response = response


@dataclass(frozen=True)
class SaveResult:
    response: Response
    created: bool


def check_text(body: str) -> None:
    """Refuse what can never be stored: NUL characters and text beyond any essay's length."""
    if "\x00" in body:
        raise ValidationError(NUL_MESSAGE, code="nul")
    if len(body) > MAX_CHARACTERS:
        raise ValidationError(
            f"Your text is {len(body):,} characters long; StudyHub keeps up to {MAX_CHARACTERS:,}.",
            code="too_long",
        )


def check_submittable(body: str) -> int:
    """The rules for submitting: some words, and no more than MAX_WORDS. Returns the count."""
    check_text(body)
    words = count_words(body)
    if words == 0:
        raise ValidationError("Write your answer before submitting: it is empty.", code="empty")
    if words > MAX_WORDS:
        raise ValidationError(
            f"Your answer is {words:,} words; the limit is {MAX_WORDS:,}. "
            f"Cut {words - MAX_WORDS:,} words and submit again.",
            code="too_many_words",
        )
    return words


def current_draft(*, student, essay: Essay) -> Response | None:
    return Response.objects.for_student(student).drafts().filter(essay=essay).first()


def start_draft(*, student, essay: Essay, body: str = "") -> tuple[Response, bool]:
    """The student's draft for this essay, creating the next attempt if there is none.

    Two tabs starting at once get the same draft: the database allows one draft per student
    and essay, and the loser of the race reads the winner's row.
    """
    check_text(body)
    draft = current_draft(student=student, essay=essay)
    if draft is not None:
        return draft, False
    try:
        with transaction.atomic():
            last = (
                Response.objects.for_student(student)
                .filter(essay=essay)
                .aggregate(last=Max("attempt"))["last"]
            )
            draft = Response.objects.create(
                student=student,
                essay=essay,
                attempt=(last or 0) + 1,
                body=body,
                word_count=count_words(body),
                version=1 if body else 0,
            )
            return draft, True
    except IntegrityError:
        draft = current_draft(student=student, essay=essay)
        if draft is None:
            raise
        return draft, False


def save_draft(*, student, essay: Essay, body: str, attempt: int, version: int) -> SaveResult:
    """Store the text of the student's draft, if the copy being saved is of the current draft
    (`attempt`) at its current `version`.

    With no draft, the first save creates one. Raises StaleDraft when the draft has moved on
    and NotADraft when the attempt was submitted meanwhile; nothing is written then.
    """
    check_text(body)
    with transaction.atomic():
        draft = current_draft(student=student, essay=essay)
        created = False
        edited = Response.objects.for_student(student).filter(essay=essay, attempt=attempt).first()
        if draft is None:
            if edited is not None:
                raise NotADraft(edited)
            draft, created = start_draft(student=student, essay=essay)
            # A new draft has nothing newer to protect.
            version = draft.version
        elif draft.attempt != attempt:
            if edited is not None and not edited.is_draft:
                raise NotADraft(edited)
            raise StaleDraft(draft)
        if draft.version != version:
            if draft.body == body:
                # Another tab already saved exactly this text: nothing to choose between.
                return SaveResult(draft, created)
            raise StaleDraft(draft)

        now = timezone.now()
        gap = now - draft.updated_at if draft.version else timedelta(0)
        counted = int(min(gap, MAX_COUNTED_GAP).total_seconds())
        # A conditional UPDATE: if another save got in first, no row matches and this save is
        # refused instead of overwriting it.
        updated = (
            Response.objects.for_student(student)
            .filter(pk=draft.pk, status=Response.Status.DRAFT, version=version)
            .update(
                body=body,
                word_count=count_words(body),
                version=F("version") + 1,
                updated_at=now,
                time_spent_seconds=F("time_spent_seconds") + counted,
            )
        )
        draft.refresh_from_db()
        if not updated:
            if not draft.is_draft:
                raise NotADraft(draft)
            raise StaleDraft(draft)
    return SaveResult(draft, created)


def submit_response(*, student, response_id: int, version: int | None = None) -> Response:
    """Submit the student's draft. Submitting an already submitted response returns it as it is
    (a double click or a repeated POST makes one submission)."""
    with transaction.atomic():
        response = Response.objects.for_student(student).select_for_update().get(pk=response_id)
        if response.status != Response.Status.DRAFT:
            return response
        if version is not None and version != response.version:
            raise StaleDraft(response)
        response.word_count = check_submittable(response.body)
        response.status = Response.Status.SUBMITTED
        response.submitted_at = timezone.now()
        record_instant_feedback(response)
        response.save(
            update_fields=[
                "status",
                "submitted_at",
                "word_count",
                "similarity",
                "key_points_covered",
                "key_points_total",
            ]
        )
    return response


def record_instant_feedback(response: Response) -> None:
    """Work out, for a response being submitted, which of the essay's key points it makes and
    how much of it is shared word for word with the model essay."""
    essay = response.essay
    key_points = [
        feedback.KeyPoint(id=note.pk, text=note.text, phrases=tuple(note.phrase_list()))
        for note in essay.notes.filter(kind=Note.Kind.KEY_POINT)
    ]
    response.key_points_covered = feedback.covered_key_points(response.body, key_points)
    response.key_points_total = len(key_points)
    response.similarity = feedback.similarity(response.body, essay.body)


# Marking


def check_mark(*, essay: Essay, level: int | None, mark: int | None) -> MarkLevel | None:
    """A mark is given by choosing the best-fit level, then a mark inside that level's band.
    Returns the level, or raises ValidationError saying what is wrong (by field)."""
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
    chosen = scheme.level_for(level)
    if chosen is None:
        raise ValidationError({"level": f"{scheme} has no level {level}."})
    if not chosen.min_mark <= mark <= chosen.max_mark:
        raise ValidationError(
            {
                "mark": f"Level {chosen.number} is {chosen.min_mark}–{chosen.max_mark} marks; "
                f"{mark} is outside it. Choose another level or a mark inside the band."
            }
        )
    return chosen


def return_response(*, response: Response, teacher, site_url: str) -> bool:
    """Return a marked response to its student, stamping who and when, and email them.
    Returns False (and changes nothing) for a draft or an unmarked response."""
    if response.is_draft or response.mark is None:
        return False
    check_mark(essay=response.essay, level=response.level, mark=response.mark)
    with transaction.atomic():
        updated = (
            Response.objects.submitted()
            .filter(pk=response.pk)
            .update(
                status=Response.Status.RETURNED,
                returned_at=timezone.now(),
                marked_by=teacher,
                feedback_seen_at=None,
            )
        )
        if updated:
            response.refresh_from_db()
            transaction.on_commit(lambda: email_returned_response(response, site_url=site_url))
    return bool(updated)


def email_returned_response(response: Response, *, site_url: str) -> None:
    """Tell the student their work is back. A mail server that is down is logged, not raised:
    the response is returned either way, and the student sees it on My work."""
    student = response.student
    if not student.email:
        return
    link = f"{site_url.rstrip('/')}{response.get_absolute_url()}"
    try:
        send_returned_email(response, student, link)
    except Exception:
        logger.exception("Could not email %s about returned response %s", student, response.pk)


def send_returned_email(response: Response, student, link: str) -> None:
    send_mail(
        subject=f"Your essay has been marked: {response.essay.headline}",
        message=(
            f"Hello {student.get_username()},\n\n"
            f"Your teacher has marked attempt {response.attempt} of "
            f'"{response.essay.headline}" and returned it with feedback.\n\n'
            f"Read it here: {link}\n\nStudyHub"
        ),
        from_email=None,
        recipient_list=[student.email],
        fail_silently=False,
    )


def mark_feedback_seen(response: Response) -> None:
    if response.is_returned and response.feedback_seen_at is None:
        response.feedback_seen_at = timezone.now()
        Response.objects.filter(pk=response.pk).update(feedback_seen_at=response.feedback_seen_at)


def choose_attempt_first(*, student, essay: Essay) -> None:
    AttemptFirst.objects.get_or_create(student=student, essay=essay)


def model_essay_hidden(*, student, essay: Essay) -> bool:
    """Hidden while a student who chose to attempt first has not yet submitted an answer."""
    if not student.is_authenticated:
        return False
    if not AttemptFirst.objects.filter(student=student, essay=essay).exists():
        return False
    return not Response.objects.for_student(student).submitted().filter(essay=essay).exists()
