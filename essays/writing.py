"""Writing, saving and submitting responses, instant feedback on submission, and attempting an
essay before reading it: the rules that keep a student's text safe.

Every write is one transaction. Saves are guarded by the draft's version so that a stale tab
never overwrites newer text, and submission is idempotent so that a double click makes one
submission.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from essays import feedback
from essays.models import AttemptFirst, Essay, Response
from essays.text import count_words

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


def check_text(body: str) -> None:
    """Refuse what can never be stored: NUL characters, lone surrogates (half of an emoji,
    which browsers can send and no database can store) and text beyond any essay's length."""
    if "\x00" in body:
        raise ValidationError(NUL_MESSAGE, code="nul")
    try:
        body.encode("utf-8")
    except UnicodeEncodeError as error:
        before = body[max(0, error.start - 20) : error.start]
        raise ValidationError(
            f"Your text has a broken character after “{before}” (half of an emoji or symbol, "
            "usually from pasting): retype that part.",
            code="surrogate",
        ) from None
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
    return Response.objects.attempts(student=student, essay=essay).drafts().first()


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
            last = Response.objects.attempts(student=student, essay=essay).aggregate(
                last=Max("attempt")
            )["last"]
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


def save_draft(*, student, essay: Essay, body: str, attempt: int, version: int) -> Response:
    """Store the text of the student's draft, if the copy being saved is of the current draft
    (`attempt`) at its current `version`.

    With no draft, the first save creates one. Returns the saved draft. Raises StaleDraft when
    the draft has moved on and NotADraft when the attempt was submitted meanwhile; nothing is
    written then.
    """
    check_text(body)
    with transaction.atomic():
        draft = current_draft(student=student, essay=essay)
        edited = Response.objects.attempts(student=student, essay=essay).filter(attempt=attempt)
        edited = edited.first()
        if draft is None:
            if edited is not None:
                raise NotADraft(edited)
            draft, _ = start_draft(student=student, essay=essay)
            # A new draft has nothing newer to protect.
            version = draft.version
        elif draft.attempt != attempt:
            if edited is not None and not edited.is_draft:
                raise NotADraft(edited)
            raise StaleDraft(draft)
        if draft.version != version:
            if draft.body == body:
                # Another tab already saved exactly this text: nothing to choose between.
                return draft
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
    return draft


def submit_response(*, student, response_id: int, version: int | None = None) -> Response:
    """Submit the student's draft. Submitting an already submitted response returns it as it is
    (a double click or a repeated POST makes one submission)."""
    with transaction.atomic():
        student_response = (
            Response.objects.for_student(student).select_for_update().get(pk=response_id)
        )
        if not student_response.is_draft:
            return student_response
        if version is not None and version != student_response.version:
            raise StaleDraft(student_response)
        student_response.word_count = check_submittable(student_response.body)
        student_response.status = Response.Status.SUBMITTED
        student_response.submitted_at = timezone.now()
        record_instant_feedback(student_response)
        student_response.save(
            update_fields=[
                "status",
                "submitted_at",
                "word_count",
                "similarity",
                "key_points_covered",
                "key_points_total",
            ]
        )
    return student_response


def record_instant_feedback(student_response: Response) -> None:
    """Work out, for a response being submitted, which of the essay's key points it makes and
    how much of it is shared word for word with the model essay."""
    essay = student_response.essay
    key_points = [
        feedback.KeyPoint(id=note.pk, text=note.text, phrases=tuple(note.phrase_list()))
        for note in essay.key_points()
    ]
    body = student_response.body
    student_response.key_points_covered = feedback.covered_key_points(body, key_points)
    student_response.key_points_total = len(key_points)
    student_response.similarity = feedback.similarity(body, essay.body)


def choose_attempt_first(*, student, essay: Essay) -> None:
    AttemptFirst.objects.get_or_create(student=student, essay=essay)


def model_essay_hidden(*, student, essay: Essay) -> bool:
    """Hidden while a student who chose to attempt first has not yet submitted an answer."""
    if not student.is_authenticated:
        return False
    if not AttemptFirst.objects.filter(student=student, essay=essay).exists():
        return False
    handed_in = Response.objects.attempts(student=student, essay=essay).submitted_or_returned()
    return not handed_in.exists()
