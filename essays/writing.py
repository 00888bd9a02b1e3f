"""Writing, saving and submitting responses, instant feedback on submission, and attempting an
essay before reading it: the rules that keep a student's text safe.

Every write is one transaction. Saves are guarded by the draft's version so that a stale tab
never overwrites newer text, and submission is idempotent so that a double click makes one
submission.

A draft may be for set work (`Response.assignment`): it is started and submitted under that
work's own rules (essays/classes.py: its cut-off and attempts), and its time limit counts from
when it was started for the work (`Response.created_at`). A redraft the teacher asked for is
submitted under the rules of redrafting instead (essays/redrafts.py): replies to its targets,
its own due date, and neither the work's cut-off nor its attempts.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, Max, OuterRef, Q, Subquery
from django.utils import timezone

from essays import classes, feedback, redrafts, student_state
from essays.models import Assignment, AttemptFirst, Essay, Extension, Response
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


def check_can_start(*, assignment: Assignment, student) -> None:
    """Set work can be started while it can still be submitted: before its cut-off (or the
    student's extension), with an attempt left. Raises ValidationError with the reason."""
    try:
        classes.check_can_submit(assignment=assignment, student=student)
    except ValidationError as error:
        if error.code != "cut_off":
            raise
        cut_off = timezone.localtime(assignment.cut_off_at)
        raise ValidationError(
            f"{assignment.group}'s set work closed at its cut-off, {cut_off:%-d %b %H:%M}: it "
            "can no longer be started or submitted. Speak to your teacher.",
            code="cut_off",
        ) from None


def start_draft(
    *, student, essay: Essay, body: str = "", assignment: Assignment | None = None
) -> tuple[Response, bool]:
    """The student's draft for this essay, creating the next attempt if there is none.

    Two tabs starting at once get the same draft: the database allows one draft per student
    and essay, and the loser of the race reads the winner's row.

    Started for set work (`assignment`, which must be one the student may see), a new draft is
    for that work, and a free-practice draft becomes for it; a draft already for other set work
    is returned as it is (the caller can tell by its `assignment_id`). Raises ValidationError
    when the work is closed or its attempts are used.
    """
    check_text(body)
    if assignment is not None:
        if assignment.essay_id != essay.pk:
            raise ValidationError("This set work is for another essay.", code="other_essay")
        check_can_start(assignment=assignment, student=student)
    draft = current_draft(student=student, essay=essay)
    if draft is not None:
        return attach_to_set_work(draft, assignment=assignment), False
    try:
        with transaction.atomic():
            last = Response.objects.attempts(student=student, essay=essay).aggregate(
                last=Max("attempt")
            )["last"]
            draft = Response.objects.create(
                student=student,
                essay=essay,
                assignment=assignment,
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
        return attach_to_set_work(draft, assignment=assignment), False


def attach_to_set_work(draft: Response, *, assignment: Assignment | None) -> Response:
    """Make a free-practice draft the student's answer to `assignment`, keeping its text.

    The work starts now, so its time limit counts from now (`created_at`), not from when the
    practice began. A conditional UPDATE: a draft that another tab attached to set work, or
    that was submitted meanwhile, is left as it is and returned as it now stands. A redraft
    stays the redraft it is (essays/redrafts.py).
    """
    if assignment is None or draft.assignment_id is not None or draft.redraft_of_id is not None:
        return draft
    Response.objects.drafts().filter(pk=draft.pk, assignment__isnull=True).update(
        assignment=assignment, created_at=timezone.now()
    )
    student_state.student_changed(draft.student_id)
    draft.refresh_from_db()
    return draft


def save_draft(*, student, essay: Essay, body: str, attempt: int, version: int) -> Response:
    """Store the text of the student's draft, if the copy being saved is of the current draft
    (`attempt`) at its current `version`.

    With no draft, the first save creates one. Returns the saved draft. Raises StaleDraft when
    the draft has moved on and NotADraft when the attempt was submitted meanwhile; nothing is
    written then.
    """
    check_text(body)
    with transaction.atomic():
        # The current draft and the attempt being saved into, in one query (often one row).
        rows = list(
            Response.objects.attempts(student=student, essay=essay)
            .filter(Q(status=Response.Status.DRAFT) | Q(attempt=attempt))
            .defer("body")
        )
        draft = next((row for row in rows if row.is_draft), None)
        edited = next((row for row in rows if row.attempt == attempt), None)
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
        # The last save may have been stamped by another server whose clock runs ahead of this
        # one's: that is no time spent, not less.
        counted = int(min(max(gap, timedelta(0)), MAX_COUNTED_GAP).total_seconds())
        words = count_words(body)
        # A conditional UPDATE: if another save got in first, no row matches and this save is
        # refused instead of overwriting it.
        updated = (
            Response.objects.for_student(student)
            .filter(pk=draft.pk, status=Response.Status.DRAFT, version=version)
            .update(
                body=body,
                word_count=words,
                version=F("version") + 1,
                updated_at=now,
                time_spent_seconds=F("time_spent_seconds") + counted,
            )
        )
        if not updated:
            draft.refresh_from_db()
            if not draft.is_draft:
                raise NotADraft(draft)
            raise StaleDraft(draft)
        # What the UPDATE wrote, without reading the row back.
        draft.body, draft.word_count, draft.version = body, words, version + 1
        draft.updated_at = now
        draft.time_spent_seconds += counted
        # My work shows the draft's words and when it was saved.
        student_state.student_changed(student.pk)
    return draft


def check_draft_submittable(*, student, draft: Response) -> int:
    """Everything that must hold to submit this draft: its text (check_submittable); for a
    redraft, a reply to each of its targets; for other set work, the work's cut-off and
    attempts. Returns the word count; raises ValidationError with a message for the student.
    The confirm page and submit_response both ask it."""
    words = check_submittable(draft.body)
    if draft.redraft_of_id is not None:
        redrafts.check_replied(draft)
    elif draft.assignment_id is not None:
        classes.check_can_submit(assignment=draft.assignment, student=student)
    return words


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
        student_response.word_count = check_draft_submittable(
            student=student, draft=student_response
        )
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


@dataclass(frozen=True)
class DraftSetWork:
    """The set work a draft is for, as its student stands with it: what the editor shows."""

    work: classes.StudentWork
    # When the student started the draft for this work: its time limit counts from then.
    started_at: datetime

    @property
    def assignment(self) -> Assignment:
        return self.work.assignment

    @property
    def timed(self) -> bool:
        """The teacher set a time limit: the countdown runs by itself, from `started_at`."""
        return self.assignment.time_limit_minutes is not None

    @property
    def cut_off_at(self) -> datetime | None:
        """The last moment this student can submit: the work's cut-off, or their extension if
        it runs past it (essays.classes.check_can_submit)."""
        cut_off = self.assignment.cut_off_at
        return None if cut_off is None else max(cut_off, self.work.due_at)

    @property
    def ends_at(self) -> datetime:
        return self.started_at + timedelta(minutes=self.assignment.time_allowed_minutes)

    def seconds_since_start(self, now: datetime) -> int:
        return max(0, int((now - self.started_at).total_seconds()))


def draft_set_work(*, student, draft: Response | None, essay: Essay) -> DraftSetWork | None:
    """The set work `draft` (of `essay`) is for, with the student's own deadline and attempts;
    None for free practice and for a redraft (which has its own date and no time limit: see
    essays.redrafts). Three queries for set work, none otherwise."""
    if draft is None or draft.assignment_id is None or draft.redraft_of_id is not None:
        return None
    assignment = Assignment.objects.select_related("group").get(pk=draft.assignment_id)
    if assignment.essay_id == essay.pk:
        # Its time allowed is the essay's unless the work sets a limit: no need to read it again.
        assignment.essay = essay
    extension = Extension.objects.filter(assignment=assignment, student=student).first()
    handed_in = classes.counted_attempts(student=student, assignment=assignment).count()
    work = classes.StudentWork(
        assignment=assignment,
        due_at=classes.effective_due(assignment, extension),
        extension=extension,
        latest=draft,
        submitted_attempts=handed_in,
    )
    return DraftSetWork(work=work, started_at=draft.created_at)


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


@dataclass(frozen=True)
class ModelEssayHidden:
    """Whether, and why, an essay's model answer and notes are hidden from a student: false
    when they are shown."""

    # The student chose to attempt the essay first and has handed in no answer to it.
    chosen: bool = False
    # A class of theirs was set this essay as attempt-first work they have not yet submitted.
    set_for: str = ""

    def __bool__(self) -> bool:
        return self.chosen or bool(self.set_for)


def model_essay_hidden(*, student, essay: Essay) -> ModelEssayHidden:
    """Hidden while a student who chose to attempt first has not yet submitted an answer, and
    while set work of one of their classes asks for this essay to be attempted first and they
    have not yet submitted for that work. One query, whatever the student's work, kept between
    pages until it could change (essays/student_state.py)."""
    if not student.is_authenticated:
        return ModelEssayHidden()
    return student_state.remembered(
        student, f"model-hidden:{essay.pk}", lambda: read_model_essay_hidden(student, essay)
    )


def read_model_essay_hidden(student, essay: Essay) -> ModelEssayHidden:
    mine = Response.objects.for_student(student)
    set_first = (
        Assignment.objects.for_student(student)
        .filter(essay=OuterRef("pk"), attempt_first=True)
        .filter(~Exists(mine.filter(assignment=OuterRef("pk")).submitted_or_returned()))
        .order_by("due_at")
    )
    row = (
        Essay.objects.filter(pk=essay.pk)
        .annotate(
            chose=Exists(AttemptFirst.objects.filter(student=student, essay=OuterRef("pk"))),
            handed_in=Exists(mine.filter(essay=OuterRef("pk")).submitted_or_returned()),
            set_for=Subquery(set_first.values("group__name")[:1]),
        )
        .values("chose", "handed_in", "set_for")
        .first()
    )
    if row is None:
        return ModelEssayHidden()
    return ModelEssayHidden(
        chosen=row["chose"] and not row["handed_in"], set_for=row["set_for"] or ""
    )
