"""What the marking page shows of a student's previous attempt when it marks the next one: its
level (with the descriptor), mark, targets and margin comments, the student's reply to each
target, and what changed between the two texts, so the teacher sees whether the targets were
acted on."""

from dataclasses import dataclass

from essays.models import Annotation, MarkLevel, Response
from essays.text import Change, text_changes


@dataclass(frozen=True)
class TargetAnswer:
    """One target the previous attempt was returned with, and what the student says they
    changed for it (empty when they did not reply)."""

    number: int
    target: str
    reply: str


@dataclass(frozen=True)
class PreviousAttempt:
    attempt: Response
    mark_level: MarkLevel | None
    comments: list[Annotation]
    targets: list[TargetAnswer]
    changes: list[Change]

    @property
    def replied(self) -> int:
        return sum(1 for target in self.targets if target.reply)


def earlier_attempt(*, user, student_response: Response) -> Response | None:
    """The attempt this one follows: the one it redrafts, or else the student's latest earlier
    attempt at the same essay; only if this member of staff may see it."""
    if student_response.redraft_of_id is None and student_response.attempt <= 1:
        return None
    visible = Response.objects.visible_to_staff(user).select_related("essay")
    if student_response.redraft_of_id is not None:
        return visible.filter(pk=student_response.redraft_of_id).first()
    return (
        visible.filter(
            student_id=student_response.student_id,
            essay_id=student_response.essay_id,
            attempt__lt=student_response.attempt,
        )
        .order_by("-attempt")
        .first()
    )


def previous_attempt(*, user, student_response: Response) -> PreviousAttempt | None:
    """The previous attempt as the marking page shows it, or None on a first attempt (or when
    the earlier one is not this member of staff's to see)."""
    earlier = earlier_attempt(user=user, student_response=student_response)
    if earlier is None:
        return None
    replies = {reply.number: reply for reply in student_response.target_replies.all()}
    targets = earlier.targets()
    numbers = sorted(set(range(1, len(targets) + 1)) | replies.keys())
    answers = [
        TargetAnswer(
            number=number,
            target=replies[number].target if number in replies else targets[number - 1],
            reply=replies[number].reply.strip() if number in replies else "",
        )
        for number in numbers
    ]
    return PreviousAttempt(
        attempt=earlier,
        mark_level=earlier.mark_level(),
        comments=list(earlier.annotations.all()),
        targets=answers,
        changes=text_changes(earlier.body, student_response.body),
    )
