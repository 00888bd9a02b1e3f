"""The editor: writing an answer (with and without JavaScript), autosave, submitting, and
starting a new attempt, for free practice or for set work; in a redraft, the replies to its
targets too. The rules themselves are in essays/writing.py (and, for set work,
essays/classes.py; for redrafts, essays/redrafts.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import time as format_time
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from essays import classes, redrafts, writing
from essays.forms import ResponseForm
from essays.held_text import hold_text, take_held_text
from essays.models import Assignment, Essay, Response
from essays.text import count_words
from essays.views.redraft import redraft_context, redraft_to_reply_to

# Ids are whole numbers below 2**63: anything longer is refused before it reaches the database.
MAX_ID_DIGITS = 18


def student_essay(request: HttpRequest, slug: str, *fields: str) -> Essay:
    """A published essay, or one the student already has work on (even if since unpublished);
    only `fields` of it (and its id) when named."""
    essays = Essay.objects.filter(
        Q(status=Essay.Status.PUBLISHED) | Q(responses__student=request.user)
    ).distinct()
    # The search columns are never needed here, and are as long again as the essay.
    essays = essays.only(*fields) if fields else essays.defer("search_document", "search_vector")
    return get_object_or_404(essays, slug=slug)


def editor_page(
    request,
    essay,
    form,
    *,
    draft=None,
    conflict=None,
    unsaved=False,
    status=200,
    replies=None,
    reply_error="",
):
    """The editor. `replies` (by target number) are replies sent with the form, shown instead of
    the saved ones when they could not be saved."""
    attempts = (
        Response.objects.attempts(student=request.user, essay=essay)
        .without_texts()
        .order_by("attempt")
    )
    set_work = writing.draft_set_work(student=request.user, draft=draft, essay=essay)
    return render(
        request,
        "essays/respond.html",
        {
            "essay": essay,
            "form": form,
            "draft": draft,
            "conflict": conflict,
            "unsaved": unsaved,
            "attempts": attempts,
            "max_words": writing.MAX_WORDS,
            "words": count_words(form["body"].value() or ""),
            "model_hidden": writing.model_essay_hidden(student=request.user, essay=essay),
            **set_work_context(set_work, essay=essay),
            **redraft_context(draft, replies=replies or {}, reply_error=reply_error),
        },
        status=status,
    )


def set_work_context(set_work: writing.DraftSetWork | None, *, essay: Essay) -> dict:
    """What the editor and the confirm page show of the set work a draft is for: its deadline
    in words, whether it has closed, and the minutes its countdown runs for."""
    if set_work is None:
        return {"minutes": essay.time_allowed_minutes}
    now = timezone.now()
    return {
        "set_work": set_work,
        "due_in_words": classes.due_in_words(set_work.work.due_at, now=now),
        "overdue": set_work.work.overdue(now),
        "closed": set_work.work.closed(now),
        "minutes": set_work.assignment.time_allowed_minutes,
        # A timed countdown runs from the recorded start, so a reload or another device
        # continues it: the page says how long ago that was by the server's clock.
        "timer_elapsed": set_work.seconds_since_start(now) if set_work.timed else None,
    }


def respond(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return respond_logged_out(request, slug)
    essay = student_essay(request, slug)
    if request.method == "POST":
        return respond_post(request, essay)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})

    draft = writing.current_draft(student=request.user, essay=essay)
    pending = take_held_text(request.session, essay_id=essay.pk, user_id=request.user.pk)
    if pending is not None:
        messages.warning(
            request,
            "Here is the text you sent while you were logged out. It is not saved yet: "
            "save it or keep writing.",
        )
    if draft is None:
        submitted = Response.objects.attempts(
            student=request.user, essay=essay
        ).submitted_or_returned()
        if pending is None and submitted.exists():
            attempts = list(submitted.order_by("attempt"))
            return render(
                request,
                "essays/respond_start.html",
                {
                    "essay": essay,
                    "attempts": attempts,
                    "redrafts_wanted": redrafts.not_yet_redrafted(attempts),
                },
            )
        last = submitted.order_by("-attempt").first()
        initial = {"body": pending or "", "attempt": (last.attempt + 1) if last else 1}
        initial["version"] = 0
    else:
        initial = {
            "body": draft.body if pending is None else pending,
            "attempt": draft.attempt,
            "version": draft.version,
        }
    return editor_page(
        request, essay, ResponseForm(initial=initial), draft=draft, unsaved=pending is not None
    )


def respond_logged_out(request: HttpRequest, slug: str) -> HttpResponse:
    """Text sent after the session ended is kept in this browser's session and put back in the
    editor once the student logs in again."""
    essay = get_object_or_404(Essay.objects.published(), slug=slug)
    body = request.POST.get("body") if request.method == "POST" else None
    if body:
        # The editor page names its student: the text comes back to them alone.
        student = request.POST.get("student", "")
        held = hold_text(
            request.session,
            essay_id=essay.pk,
            body=body,
            student_id=int(student) if student.isdigit() else None,
        )
        if held:
            messages.warning(
                request,
                "You were logged out, so your text was not saved yet. Log in and it will be "
                "back in the editor.",
            )
        else:
            messages.error(
                request,
                "You were logged out, so your text was not saved. Use your browser's Back "
                "button to copy it, then log in.",
            )
    return redirect_to_login(reverse("essays:respond", kwargs={"slug": essay.slug}))


def respond_post(request: HttpRequest, essay: Essay) -> HttpResponse:
    """The editor without JavaScript: "Save draft" and "Submit" are ordinary form posts. In a
    redraft, the replies to its targets are saved first, so a conflict over the text never
    loses them; replies that cannot be saved refuse the whole post."""
    form = ResponseForm(request.POST)
    replies = redrafts.replies_from_form(request.POST)
    if not form.is_valid():
        draft = writing.current_draft(student=request.user, essay=essay) if replies else None
        return editor_page(request, essay, form, draft=draft, replies=replies, status=400)
    body = form.cleaned_data["body"]
    try:
        if replies:
            redrafts.save_replies(
                student=request.user, redraft_id=redraft_to_reply_to(request), replies=replies
            )
        draft = writing.save_draft(
            student=request.user,
            essay=essay,
            body=body,
            attempt=form.cleaned_data["attempt"],
            version=form.cleaned_data["version"],
        )
    except Response.DoesNotExist:
        raise Http404("No such redraft.") from None
    except ValidationError as error:
        return editor_page(
            request,
            essay,
            form,
            draft=writing.current_draft(student=request.user, essay=essay),
            replies=replies,
            reply_error=" ".join(error.messages),
            status=400,
        )
    except writing.StaleDraft as stale:
        current = stale.current
        form = ResponseForm(
            initial={"body": body, "attempt": current.attempt, "version": current.version}
        )
        return editor_page(
            request, essay, form, draft=current, conflict=current, replies=replies, status=409
        )
    except writing.NotADraft as submitted:
        messages.warning(
            request,
            f"Attempt {submitted.response.attempt} was already submitted, so this text was "
            "not saved into it. Start a new attempt with it below.",
        )
        return render(
            request,
            "essays/respond_start.html",
            {
                "essay": essay,
                "attempts": Response.objects.attempts(student=request.user, essay=essay)
                .submitted_or_returned()
                .order_by("attempt"),
                "unsaved_body": body,
            },
            status=409,
        )
    if request.POST.get("action") == "submit":
        return redirect("essays:submit", slug=essay.slug)
    messages.success(
        request, f"Draft saved at {format_time(timezone.localtime(draft.updated_at), 'H:i')}."
    )
    return redirect("essays:respond", slug=essay.slug)


@login_required
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: confirm before submitting. POST: submit (once, however often it is sent)."""
    essay = student_essay(request, slug)
    if request.method == "POST":
        mine = Response.objects.attempts(student=request.user, essay=essay)
        try:
            response_id = int(request.POST.get("response", ""))
            version = int(request.POST.get("version", ""))
        except ValueError:
            return HttpResponse("The submission was not understood.", status=400)
        student_response = get_object_or_404(mine, pk=response_id)
        if not student_response.is_draft:
            messages.info(request, f"Attempt {student_response.attempt} is already submitted.")
            return redirect(student_response)
        try:
            student_response = writing.submit_response(
                student=request.user, response_id=student_response.pk, version=version
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("essays:respond", slug=essay.slug)
        except writing.StaleDraft:
            messages.warning(
                request,
                "Your draft changed after this page was opened (in another tab?). Check the "
                "latest text, then submit again.",
            )
            return redirect("essays:respond", slug=essay.slug)
        messages.success(
            request,
            f"Submitted attempt {student_response.attempt}: "
            f"{student_response.word_count:,} words. "
            "Well done — compare it with the model essay below.",
        )
        return redirect(student_response)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})

    draft = writing.current_draft(student=request.user, essay=essay)
    if draft is None:
        # Nothing written yet (an empty editor saves nothing): say so, never reload silently.
        messages.warning(request, "Write your answer before submitting: it is empty.")
        return redirect("essays:respond", slug=essay.slug)
    problem = None
    try:
        writing.check_draft_submittable(student=request.user, draft=draft)
    except ValidationError as error:
        problem = " ".join(error.messages)
    set_work = writing.draft_set_work(student=request.user, draft=draft, essay=essay)
    return render(
        request,
        "essays/submit_confirm.html",
        {
            "essay": essay,
            "draft": draft,
            "problem": problem,
            **set_work_context(set_work, essay=essay),
            **redraft_context(draft, replies={}),
        },
    )


def set_work_to_start(request: HttpRequest, essay: Essay) -> Assignment | None:
    """The set work a new attempt is started for (the form's `assignment` field), or None for
    free practice. It must be set work of one of the student's classes, for this essay, and
    already set: anything else is a 404, as if it did not exist."""
    if "assignment" not in request.POST:
        return None
    typed = request.POST["assignment"].strip()
    if not (typed.isascii() and typed.isdigit() and len(typed) <= MAX_ID_DIGITS):
        raise Http404("No such set work.")
    return get_object_or_404(
        Assignment.objects.for_student(request.user).filter(essay=essay).select_related("group"),
        pk=int(typed),
    )


@login_required
@require_POST
def new_attempt(request: HttpRequest, slug: str) -> HttpResponse:
    """Start the next attempt: blank, from the last submitted text, or from text that could not
    be saved into a submitted attempt; for free practice, or for set work (`assignment`, as the
    student's classes page sends it)."""
    essay = student_essay(request, slug)
    assignment = set_work_to_start(request, essay)
    mine = Response.objects.attempts(student=request.user, essay=essay)
    body = ""
    if "body" in request.POST:
        body = request.POST["body"]
    elif request.POST.get("start_from") == "previous":
        last = mine.submitted_or_returned().order_by("-attempt").first()
        body = last.body if last else ""
    try:
        draft, created = writing.start_draft(
            student=request.user, essay=essay, body=body, assignment=assignment
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("essays:respond", slug=essay.slug)
    if created:
        for_work = f" for {assignment.group}'s set work" if assignment else ""
        messages.success(request, f"Started attempt {draft.attempt}{for_work}.")
        return redirect("essays:respond", slug=essay.slug)
    if body and body != draft.body:
        hold_text(request.session, essay_id=essay.pk, body=body, student_id=request.user.pk)
    if assignment is None or not draft.is_draft:
        messages.info(request, f"You already have a draft: attempt {draft.attempt}.")
    elif draft.assignment_id == assignment.pk:
        messages.info(
            request,
            f"Your draft is now for {assignment.group}'s set work: attempt {draft.attempt}, "
            "with everything you wrote in it.",
        )
    else:
        messages.warning(
            request,
            f"You already have a draft of this essay for {draft.assignment.group}'s set work "
            f"(attempt {draft.attempt}), so it is kept for that work. Submit it, then start "
            f"{assignment.group}'s from your classes page.",
        )
    return redirect("essays:respond", slug=essay.slug)
