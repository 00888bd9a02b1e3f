"""Redrafting, for the student: starting the redraft their teacher asked for, and saving their
replies to its targets from the editor's script (always JSON, like autosave). The rules are in
essays/redrafts.py; the editor itself, with its form for the replies without JavaScript, is
essays/views/writing.py."""

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import RequestDataTooBig, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from essays import classes, redrafts, writing
from essays.models import Response

# Ids are whole numbers below 2**63; a larger one names nothing.
MAX_ID = 2**63 - 1
MAX_ID_DIGITS = 18


def redraft_context(draft: Response | None, *, replies: dict[int, str], reply_error="") -> dict:
    """What the editor and the confirm page show of the redraft a draft is: the attempt it
    redrafts, its due date in words, and each target with its reply. Nothing for other drafts
    (and no query)."""
    redraft = redrafts.redraft_replies(draft) if draft is not None else None
    if redraft is None:
        return {}
    due_at = redraft.returned.redraft_due_at
    return {
        "redraft": redraft,
        "redraft_due_words": classes.due_in_words(due_at) if due_at else "",
        "targets": [
            {
                "number": row.number,
                "target": row.target,
                "reply": replies.get(row.number, row.reply),
            }
            for row in redraft.replies
        ],
        "reply_error": reply_error,
    }


def redraft_to_reply_to(request: HttpRequest) -> int:
    """The redraft whose replies the form sends (its `redraft` field): a 404 for no id."""
    typed = request.POST.get("redraft", "").strip()
    if not (typed.isascii() and typed.isdigit() and len(typed) <= MAX_ID_DIGITS):
        raise Http404("No such redraft.")
    return int(typed)


@login_required
@require_POST
def start_redraft(request: HttpRequest, pk: int) -> HttpResponse:
    """Start the redraft of a returned attempt ("Start your redraft"): the next attempt, from
    the returned text. A second click reaches the same redraft."""
    if pk > MAX_ID:
        raise Http404("No such response.")
    returned = get_object_or_404(
        Response.objects.for_student(request.user).select_related("essay"), pk=pk
    )
    try:
        redraft, started = redrafts.start_redraft(student=request.user, returned=returned)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(returned)
    if started:
        messages.success(
            request,
            f"Attempt {redraft.attempt} is your redraft of attempt {returned.attempt}. Improve "
            "it against your targets, and say what you changed for each.",
        )
    elif redraft.is_draft:
        messages.info(request, f"Your redraft is already started: attempt {redraft.attempt}.")
    else:
        messages.info(request, f"You handed in your redraft: attempt {redraft.attempt}.")
        return redirect(redraft)
    return redirect("essays:respond", slug=returned.essay.slug)


def refused(error: str, message: str, status: int, **extra) -> JsonResponse:
    return JsonResponse({"error": error, "message": message, **extra}, status=status)


@never_cache
def target_replies(request: HttpRequest, pk: int) -> JsonResponse:
    """Saves of the replies to a redraft's targets from the editor's script: {"replies":
    {"1": "What I changed", …}}. Answers JSON whatever happens, so the page can always tell the
    student where their replies are."""
    if request.method != "POST":
        return refused("method", "Use POST.", 405)
    if not request.user.is_authenticated:
        return refused(
            "login",
            "You are logged out. Your replies are kept in this browser: log in again to save them.",
            401,
            login_url=f"{reverse('login')}?next={reverse('essays:response_list')}",
        )
    try:
        payload = request.body
    except RequestDataTooBig:
        return refused("too_big", "Your replies are too long to save: shorten them.", 400)
    try:
        replies = redrafts.replies_from_json(json.loads(payload))
    except (ValueError, RecursionError):
        replies = None
    if replies is None:
        return refused(
            "invalid",
            'The save was not understood: send JSON with "replies", each target\'s number '
            "with its reply as text.",
            400,
        )
    if pk > MAX_ID:
        return refused("not_found", "There is no such redraft of yours.", 404)
    try:
        saved = redrafts.save_replies(student=request.user, redraft_id=pk, replies=replies)
    except Response.DoesNotExist:
        return refused("not_found", "There is no such redraft of yours.", 404)
    except ValidationError as error:
        return refused("invalid", " ".join(error.messages), 400)
    except writing.NotADraft as submitted:
        return refused(
            "submitted",
            f"Attempt {submitted.response.attempt} has been handed in, so these replies were "
            "not saved into it.",
            409,
            response_url=submitted.response.get_absolute_url(),
        )
    return JsonResponse(
        {
            "saved_at": timezone.now().isoformat(),
            "replies": {str(row.number): row.reply for row in saved},
        }
    )
