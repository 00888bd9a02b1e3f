"""Margin comments and the comment bank while marking: the rules for adding, editing and
deleting a comment on a passage of a submitted response, and for picking from the bank and
adding to it. Each refusal is a ValidationError that says what is wrong, and nothing is
written then.

Offsets count characters as Python does (code points). A response's text never changes once
it is submitted, so a comment's offsets hold for good; the quoted passage is checked against
that text, so no comment is ever stored on words that are not there. Comments change only
until the response is released to its student: what the student has read stays as it was.
"""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone

from essays.models import (
    Annotation,
    CommentBankItem,
    CommentKind,
    Objective,
    Response,
    Subject,
)
from essays.models.marking import COMMENT_MAX_LENGTH

BANK_CHOICES_SHOWN = 10


def find_response(*, user, response_id: int) -> Response:
    """The response a member of staff comments on: one they may see and mark. Raises
    PermissionDenied for staff who may not mark at all, and Response.DoesNotExist for work that
    is not theirs (or does not exist): the same answer for both, so it tells nobody what
    exists."""
    if not user.has_perm("essays.change_response"):
        raise PermissionDenied("You may not mark students' work.")
    return (
        Response.objects.visible_to_staff(user).select_related("essay__subject").get(pk=response_id)
    )


def check_open_for_comments(student_response: Response) -> None:
    if student_response.is_draft:
        raise ValidationError(
            "This answer is still a draft: it can be commented on once submitted."
        )
    if student_response.is_returned:
        raise ValidationError(
            "This response has been released to the student: its margin comments no longer change."
        )


def clean_text(text, *, what: str = "comment") -> str:
    """A comment's text, stripped: 1 to COMMENT_MAX_LENGTH characters that can be stored."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationError(f"Write the {what} first.")
    text = text.strip()
    if len(text) > COMMENT_MAX_LENGTH:
        raise ValidationError(
            f"A {what} is at most {COMMENT_MAX_LENGTH} characters; this one is {len(text)}."
        )
    # NUL and halves of surrogate pairs cannot be stored (PostgreSQL refuses NUL; no encoding
    # holds a lone surrogate).
    if any(ch == "\x00" or "\ud800" <= ch <= "\udfff" for ch in text):
        raise ValidationError(f"This {what} holds characters that cannot be stored: retype it.")
    return text


def clean_kind(kind) -> str:
    if kind not in CommentKind.values:
        raise ValidationError("Choose whether the comment is a strength, a target or general.")
    return kind


def clean_objective(objective) -> str:
    if objective in (None, ""):
        return ""
    if objective not in Objective.values:
        raise ValidationError("Choose AO1, AO2, AO3 or no assessment objective.")
    return objective


def check_passage(body: str, start, end, quote) -> None:
    """`start` and `end` mark a passage of `body` (start < end), and `quote` is that passage."""
    if type(start) is not int or type(end) is not int:
        raise ValidationError("Select a passage of the answer to comment on.")
    if not 0 <= start < end <= len(body):
        raise ValidationError("That passage is not in the answer: select it again.")
    if body[start:end] != quote:
        raise ValidationError(
            "The quoted passage does not match the answer's text: select it again."
        )


def usable_bank_items(*, user, subject: Subject | None, ids) -> list[CommentBankItem]:
    """The bank comments with these ids, in the same order (repeats kept: each pick counts),
    if this member of staff may use every one of them in this subject."""
    if any(type(pk) is not int for pk in ids):
        raise ValidationError("A chosen bank comment was not understood: choose it again.")
    if not ids:
        return []
    found = CommentBankItem.objects.usable_by(user, subject).in_bulk(set(ids))
    if len(found) != len(set(ids)):
        raise ValidationError("A chosen comment is not in a bank you may use: choose another.")
    return [found[pk] for pk in ids]


def usable_bank_item(*, user, subject: Subject | None, bank_item_id) -> CommentBankItem | None:
    if bank_item_id is None:
        return None
    (item,) = usable_bank_items(user=user, subject=subject, ids=[bank_item_id])
    return item


def count_bank_uses(items: list[CommentBankItem]) -> None:
    """Each comment picked from the bank was used once more: the bank offers the most used
    first."""
    counts: dict[int, int] = {}
    for item in items:
        counts[item.pk] = counts.get(item.pk, 0) + 1
    for pk, uses in counts.items():
        CommentBankItem.objects.filter(pk=pk).update(times_used=models.F("times_used") + uses)


def _lock_open(student_response: Response) -> None:
    """Inside a transaction: hold the response's row, so a release waits for this change (or
    this change sees the release), then check comments may still change."""
    current = Response.objects.select_for_update().only("status").get(pk=student_response.pk)
    check_open_for_comments(current)


def add_annotation(
    *,
    student_response: Response,
    author,
    start,
    end,
    quote,
    comment,
    kind,
    objective="",
    bank_item_id=None,
) -> Annotation:
    """Comment on characters `start` to `end` of a submitted response's text (`quote` is that
    passage), perhaps with a comment from the bank, whose use is counted."""
    check_open_for_comments(student_response)
    check_passage(student_response.body, start, end, quote)
    comment = clean_text(comment)
    kind = clean_kind(kind)
    objective = clean_objective(objective)
    bank_item = usable_bank_item(
        user=author, subject=student_response.essay.subject, bank_item_id=bank_item_id
    )
    with transaction.atomic():
        _lock_open(student_response)
        annotation = Annotation.objects.create(
            response=student_response,
            start=start,
            end=end,
            quote=quote,
            comment=comment,
            kind=kind,
            objective=objective,
            bank_item=bank_item,
            author=author,
        )
        if bank_item is not None:
            count_bank_uses([bank_item])
    return annotation


def edit_annotation(
    *, annotation: Annotation, editor, comment, kind, objective="", bank_item_id=None
) -> Annotation:
    """Change what a margin comment says (its passage stays): before the response is
    released. A bank comment newly chosen for it counts as a use."""
    student_response = annotation.response
    check_open_for_comments(student_response)
    comment = clean_text(comment)
    kind = clean_kind(kind)
    objective = clean_objective(objective)
    # The comment it already came from stays, whoever's bank that is (a colleague's, say).
    kept = bank_item_id is not None and bank_item_id == annotation.bank_item_id
    bank_item = (
        annotation.bank_item
        if kept
        else usable_bank_item(
            user=editor, subject=student_response.essay.subject, bank_item_id=bank_item_id
        )
    )
    newly_picked = bank_item is not None and not kept
    with transaction.atomic():
        _lock_open(student_response)
        annotation.comment = comment
        annotation.kind = kind
        annotation.objective = objective
        annotation.bank_item = bank_item
        annotation.updated_at = timezone.now()
        annotation.save(update_fields=["comment", "kind", "objective", "bank_item", "updated_at"])
        if newly_picked:
            count_bank_uses([bank_item])
    return annotation


def delete_annotation(*, annotation: Annotation) -> None:
    """Take a margin comment away: before the response is released."""
    check_open_for_comments(annotation.response)
    with transaction.atomic():
        _lock_open(annotation.response)
        annotation.delete()


def search_bank(
    *, user, subject: Subject | None, query: str, kind: str = ""
) -> list[CommentBankItem]:
    """What the bank offers as the teacher types: comments they may use in this subject whose
    text holds `query` (in any case), the most used first. Asked for one kind (strengths for
    "what went well", targets for "even better if"), general comments come too."""
    query = "".join(ch for ch in query if ch != "\x00" and not "\ud800" <= ch <= "\udfff")
    items = CommentBankItem.objects.usable_by(user, subject)
    if query.strip():
        items = items.filter(text__icontains=query.strip())
    if kind in CommentKind.values:
        items = items.filter(kind__in={kind, CommentKind.GENERAL})
    return list(items[:BANK_CHOICES_SHOWN])


def add_to_bank(*, owner, subject: Subject | None, text, kind, objective="") -> CommentBankItem:
    """Keep a comment in the teacher's own (private) bank for this subject, unless the very same
    text is already in their bank."""
    if not owner.has_perm("essays.add_commentbankitem"):
        raise PermissionDenied("You may not add to a comment bank.")
    text = clean_text(text)
    kind = clean_kind(kind)
    objective = clean_objective(objective)
    if CommentBankItem.objects.filter(owner=owner).with_text(text).exists():
        raise ValidationError("That comment is already in your bank.")
    return CommentBankItem.objects.create(
        owner=owner, subject=subject, text=text, kind=kind, objective=objective, shared=False
    )
