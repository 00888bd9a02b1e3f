"""The rules of redrafting. A teacher may return an attempt for redraft by a date
(essays.marking.rules.return_response); the student's next attempt is then its redraft: it
starts from the returned text, is for the same set work, and is handed in with a reply to each
of the returned attempt's targets ("what I changed").

A redraft is work the teacher asked for, so the set work's own rules do not hold it back: it is
due by the redraft date, not the work's deadline; the work's cut-off does not close it; and it
is not counted against the work's maximum attempts (essays.classes.check_can_submit). A
returned attempt has one redraft (`Response.redraft_of` is one-to-one): starting it again
reaches the same one.
"""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from essays import student_state, writing
from essays.models import Response, TargetReply
from essays.models.marking import COMMENT_MAX_LENGTH
from essays.text import count_words

# Reply boxes are named "reply-1", "reply-2"… in the editor's form (and its JSON, "1", "2"…).
REPLY_FIELD_PREFIX = "reply-"
# No essay has a thousand targets: longer numbers are not numbers of targets.
MAX_TARGET_DIGITS = 3


def asked_for(student_response: Response) -> bool:
    """The teacher returned this attempt for redraft."""
    return student_response.is_returned and student_response.redraft_due_at is not None


def redraft_of(returned: Response) -> Response | None:
    """The redraft of `returned`, if it was started (read through the reverse one-to-one, so
    a query that selected it costs nothing more)."""
    return getattr(returned, "redraft", None)


class RedraftStatus(StrEnum):
    TO_DO = "to do"
    OVERDUE = "overdue"
    HANDED_IN = "handed in"


@dataclass(frozen=True)
class Redraft:
    """An attempt returned for redraft, as its student stands with it."""

    returned: Response
    redraft: Response | None  # None until the student starts it

    @property
    def due_at(self) -> datetime:
        return self.returned.redraft_due_at

    @property
    def handed_in(self) -> bool:
        return self.redraft is not None and not self.redraft.is_draft

    def overdue(self, now: datetime) -> bool:
        return not self.handed_in and now > self.due_at

    def status(self, now: datetime) -> RedraftStatus:
        if self.handed_in:
            return RedraftStatus.HANDED_IN
        return RedraftStatus.OVERDUE if self.overdue(now) else RedraftStatus.TO_DO


TEXT_FIELDS = ("body", "went_well", "even_better_if", "feedback")


def asked_of(student):
    """The student's attempts returned for redraft, each with its redraft (if started)."""
    return (
        Response.objects.for_student(student)
        .filter(status=Response.Status.RETURNED, redraft_due_at__isnull=False)
        .select_related("essay", "assignment__group", "redraft")
        .defer(
            *(f"{prefix}{field}" for prefix in ("", "redraft__") for field in TEXT_FIELDS),
            "essay__body",
            "essay__search_document",
            "essay__search_vector",
        )
    )


def redrafts_for_student(student, *, now: datetime | None = None) -> list[Redraft]:
    """Every redraft the student was asked for: those still to do first (overdue, then the
    soonest due), then those handed in. One query, whatever their number."""
    now = now or timezone.now()
    redrafts = [Redraft(returned=r, redraft=redraft_of(r)) for r in asked_of(student)]
    return sorted(redrafts, key=lambda item: (item.handed_in, not item.overdue(now), item.due_at))


def not_yet_redrafted(attempts: list[Response]) -> list[Response]:
    """Of all of a student's attempts at an essay, those returned for redraft whose redraft is
    not among them (not yet started)."""
    redrafted = {attempt.redraft_of_id for attempt in attempts}
    return [attempt for attempt in attempts if asked_for(attempt) and attempt.pk not in redrafted]


def start_redraft(*, student, returned: Response) -> tuple[Response, bool]:
    """The student's redraft of `returned` (one of their attempts, returned for redraft),
    started if it was not: the next attempt, for the same set work, starting from the returned
    text, with a reply to write to each of its targets. Returns (redraft, started now).

    A draft of the essay already in progress becomes the redraft with its text (an empty one
    takes the returned text), unless it is for other set work or redrafts another attempt.
    Raises ValidationError then, and when no redraft was asked for; nothing changes.
    """
    if not asked_for(returned):
        raise ValidationError(
            "Your teacher has not asked for a redraft of this attempt.", code="not_asked"
        )
    existing = Response.objects.for_student(student).filter(redraft_of=returned).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            draft = writing.current_draft(student=student, essay=returned.essay)
            if draft is None:
                redraft = new_redraft(student=student, returned=returned)
            else:
                redraft = adopt_draft(draft, returned=returned)
            TargetReply.objects.bulk_create(
                TargetReply(response=redraft, number=number, target=target)
                for number, target in enumerate(returned.targets(), start=1)
            )
            return redraft, True
    except IntegrityError:
        # Another tab started it at the same moment (one redraft per attempt, one draft per
        # essay): theirs is the redraft.
        existing = Response.objects.for_student(student).filter(redraft_of=returned).first()
        if existing is None:
            raise
        return existing, False


def new_redraft(*, student, returned: Response) -> Response:
    last = Response.objects.attempts(student=student, essay=returned.essay).aggregate(
        last=Max("attempt")
    )["last"]
    return Response.objects.create(
        student=student,
        essay=returned.essay,
        assignment_id=returned.assignment_id,
        redraft_of=returned,
        attempt=last + 1,
        body=returned.body,
        word_count=count_words(returned.body),
        version=1 if returned.body else 0,
    )


def adopt_draft(draft: Response, *, returned: Response) -> Response:
    """Make the draft in progress the redraft of `returned`. A conditional UPDATE on its
    version: a draft saved or submitted meanwhile is left alone, and the student asked to try
    again."""
    if draft.redraft_of_id is not None:
        other = Response.objects.get(pk=draft.redraft_of_id)
        raise ValidationError(
            f"You are already redrafting attempt {other.attempt} of this essay (your attempt "
            f"{draft.attempt}): hand that in first, then start this redraft.",
            code="other_redraft",
        )
    if draft.assignment_id not in (None, returned.assignment_id):
        raise ValidationError(
            f"You already have a draft of this essay for other set work (attempt "
            f"{draft.attempt}): submit it first, then start your redraft.",
            code="other_set_work",
        )
    changes = {"redraft_of": returned, "assignment_id": returned.assignment_id}
    if not draft.body.strip():
        changes |= {
            "body": returned.body,
            "word_count": count_words(returned.body),
            "version": F("version") + 1,
            "updated_at": timezone.now(),
        }
    adopted = (
        Response.objects.drafts()
        .filter(pk=draft.pk, version=draft.version, redraft_of__isnull=True)
        .update(**changes)
    )
    if not adopted:
        raise ValidationError(
            "Your draft changed while the redraft was being started: try again.",
            code="changed",
        )
    student_state.student_changed(draft.student_id)
    draft.refresh_from_db()
    return draft


def replies_in_order(redraft: Response):
    # By number alone: the model's ordering starts with the response, which costs a join.
    return redraft.target_replies.order_by("number")


@dataclass(frozen=True)
class RedraftReplies:
    """What the editor of a redraft shows: the attempt it redrafts and a reply to each of its
    targets."""

    returned: Response
    replies: list[TargetReply]


def redraft_replies(redraft: Response) -> RedraftReplies | None:
    """None unless `redraft` is a redraft. Two queries."""
    if redraft.redraft_of_id is None:
        return None
    returned = Response.objects.only("pk", "attempt", "redraft_due_at", "status").get(
        pk=redraft.redraft_of_id
    )
    return RedraftReplies(returned=returned, replies=list(replies_in_order(redraft)))


def target_number(key: str) -> int | None:
    """The target a reply's key names ("1", "2"…), or None for any other key."""
    if key.isascii() and key.isdigit() and len(key) <= MAX_TARGET_DIGITS and int(key) >= 1:
        return int(key)
    return None


def replies_from_json(data) -> dict[int, str] | None:
    """The replies of the editor script's JSON, {"replies": {"1": "text", …}}, by target
    number; None when it is not that."""
    if not isinstance(data, dict) or not isinstance(data.get("replies"), dict):
        return None
    replies = {}
    for key, text in data["replies"].items():
        number = target_number(key)
        if number is None or not isinstance(text, str):
            return None
        replies[number] = text
    return replies


def replies_from_form(post: Mapping[str, str]) -> dict[int, str]:
    """The replies the editor's form sends without JavaScript ("reply-1", …) by number; a field
    with no target's number is left out (the form has none)."""
    replies = {}
    for key in post:
        number = target_number(key.removeprefix(REPLY_FIELD_PREFIX))
        if key.startswith(REPLY_FIELD_PREFIX) and number is not None:
            replies[number] = post[key]
    return replies


def check_reply(text: str, *, number: int) -> None:
    """A reply is what a student can type: no NUL or broken characters, and short."""
    try:
        writing.check_text(text)
    except ValidationError as error:
        raise ValidationError(
            f"Your reply to target {number}: {' '.join(error.messages)}", code=error.code
        ) from None
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"Your reply to target {number} is {len(text):,} characters; keep it under "
            f"{COMMENT_MAX_LENGTH:,}: say briefly what you changed.",
            code="too_long",
        )


def save_replies(*, student, redraft_id: int, replies: dict[int, str]) -> list[TargetReply]:
    """Store the student's replies (by target number) in their redraft, all or none: a reply
    that cannot be stored, or a number that is none of its targets, refuses them all with a
    ValidationError. Raises Response.DoesNotExist for an attempt that is not the student's and
    writing.NotADraft once the redraft was handed in. Returns every reply of the redraft."""
    for number, text in replies.items():
        check_reply(text, number=number)
    with transaction.atomic():
        # Locked as submitting locks it: no reply lands after the redraft was handed in.
        redraft = Response.objects.for_student(student).select_for_update().get(pk=redraft_id)
        if not redraft.is_draft:
            raise writing.NotADraft(redraft)
        if redraft.redraft_of_id is None:
            raise ValidationError(
                f"Attempt {redraft.attempt} is not a redraft: it has no targets to reply to.",
                code="not_a_redraft",
            )
        rows = {row.number: row for row in replies_in_order(redraft)}
        unknown = sorted(set(replies) - set(rows))
        if unknown:
            raise ValidationError(
                f"Your redraft has {len(rows)} target{'s' if len(rows) != 1 else ''}; there "
                f"is no target {unknown[0]} to reply to. Reload the page.",
                code="unknown_target",
            )
        now = timezone.now()
        changed = [
            row for number, row in rows.items() if replies.get(number, row.reply) != row.reply
        ]
        for row in changed:
            row.reply = replies[row.number]
            row.updated_at = now
        TargetReply.objects.bulk_update(changed, ["reply", "updated_at"])
    return [rows[number] for number in sorted(rows)]


def check_replied(redraft: Response) -> None:
    """A redraft is handed in with a reply to every target of the attempt it redrafts. Raises
    ValidationError naming the targets still without one."""
    missing = [row for row in replies_in_order(redraft) if not row.reply.strip()]
    if not missing:
        return
    named = [f"{row.number} (“{shorten(row.target)}”)" for row in missing]
    listed = named[0] if len(named) == 1 else f"{', '.join(named[:-1])} and {named[-1]}"
    raise ValidationError(
        "Before you hand in your redraft, say what you changed for each target. "
        f"No reply yet to target{'s' if len(named) > 1 else ''} {listed}.",
        code="replies_missing",
    )


def shorten(text: str, length: int = 60) -> str:
    return text if len(text) <= length else f"{text[: length - 1].rstrip()}…"
