import json
import logging
import re
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import DatabaseError, connection
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import time as format_time
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from essays import search, services
from essays.caching import cache_for_visitors, cached_fragment
from essays.forms import ResponseForm, SignupForm
from essays.models import Essay, Level, Note, Response, Subject, Tag
from essays.text import count_words, text_changes

logger = logging.getLogger(__name__)

ESSAYS_PER_PAGE = 20
SLUG = re.compile(r"[-a-zA-Z0-9_]{1,200}")
FILTERS = {"subject": Subject, "level": Level, "tag": Tag}
FILTER_LOOKUPS = {"subject": "subject__slug", "level": "level__slug", "tag": "tags__slug"}
FACET_FIELDS = {"subject": "subject", "level": "level", "tag": "tags"}


def pending_text_key(essay: Essay) -> str:
    return f"pending-response-text:{essay.pk}"


# The catalogue and essay pages


def link_with(query, param: str, value: str | None) -> str:
    """The current address with `param` set to `value` (or removed) and the page number
    dropped: what {% querystring %} gives, without its cost on a list of sixty links."""
    params = {key: query.getlist(key) for key in query if key != "page"}
    if value is None:
        params.pop(param, None)
    else:
        params[param] = [value]
    return "?" + urlencode(params, doseq=True)


def facet_counts(essays, field: str) -> list[dict]:
    """How many of `essays` have each subject, level or tag: rows of slug, name and essays.
    One join per field (an essay without tags gives one row with no tag, skipped here)."""
    rows = (
        essays.order_by()
        .values(f"{field}__slug", f"{field}__name")
        .annotate(essays=Count("pk"))
        .order_by(f"{field}__name")
    )
    return [
        {"slug": row[f"{field}__slug"], "name": row[f"{field}__name"], "essays": row["essays"]}
        for row in rows
        if row[f"{field}__slug"] is not None
    ]


@require_safe
@cache_for_visitors
def catalogue(request: HttpRequest) -> HttpResponse:
    """The library, filtered and searched. Its listing is the same for everyone, so it is kept
    as a fragment (until the library changes): signed-in students pay only for their own nav."""

    def build():
        context = catalogue_context(request)
        return render_to_string("essays/_catalogue.html", context, request), context

    listing, context = cached_fragment(request, "catalogue", build)
    query = request.GET.get("q", "").strip()
    return render(request, "essays/catalogue.html", {**context, "query": query, "listing": listing})


def catalogue_context(request: HttpRequest) -> dict:
    query = request.GET.get("q", "").strip()
    chosen = {
        param: request.GET.get(param, "").strip()
        for param in FILTERS
        if request.GET.get(param, "").strip()
    }
    # A filter that is not a slug matches nothing (and is never sent to the database).
    unusable = any(not SLUG.fullmatch(slug) for slug in chosen.values())
    published = Essay.objects.published()
    if query:
        published = search.search(published, query)

    def filtered(except_param: str | None = None):
        queryset = published.none() if unusable else published
        for param, slug in chosen.items():
            if param != except_param:
                queryset = queryset.filter(**{FILTER_LOOKUPS[param]: slug})
        return queryset

    facets = {}
    for param, field in FACET_FIELDS.items():
        # Each list counts the essays the other filters leave, so choices can be combined.
        facets[param] = []
        for row in facet_counts(filtered(except_param=param), field):
            active = chosen.get(param) == row["slug"]
            # Choosing a facet filters by it; choosing the chosen one removes it.
            url = link_with(request.GET, param, None if active else row["slug"])
            facets[param].append({**row, "active": active, "url": url})

    active = []
    for param, slug in chosen.items():
        name = next((f["name"] for f in facets[param] if f["slug"] == slug), None)
        if name is None and SLUG.fullmatch(slug):
            name = FILTERS[param].objects.filter(slug=slug).values_list("name", flat=True).first()
        active.append({"param": param, "slug": slug, "name": name})

    essays = filtered().select_related("subject", "level").prefetch_related("tags")
    page = Paginator(essays, ESSAYS_PER_PAGE).get_page(request.GET.get("page"))
    terms = search.search_terms(query)
    for essay in page.object_list:
        essay.excerpt = search.excerpt(essay.body, terms) if terms else None
    return {
        "page": page,
        "essays": page.object_list,
        "query": query,
        "facets": facets,
        "active_filters": active,
        "filtered": bool(query or chosen),
    }


@require_safe
@cache_for_visitors
def essay_detail(request: HttpRequest, slug: str) -> HttpResponse:
    essay = get_object_or_404(
        Essay.objects.published().for_listing().prefetch_related("notes"), slug=slug
    )
    attempts = []
    hidden = False
    if request.user.is_authenticated:
        attempts = list(
            Response.objects.for_student(request.user).filter(essay=essay).order_by("attempt")
        )
        hidden = services.model_essay_hidden(student=request.user, essay=essay)
    return render(
        request,
        "essays/essay_detail.html",
        {
            "essay": essay,
            "attempts": attempts,
            "model_hidden": hidden,
            "has_submitted": any(not a.is_draft for a in attempts),
            "draft": next((a for a in attempts if a.is_draft), None),
        },
    )


@login_required
@require_POST
def attempt_first(request: HttpRequest, slug: str) -> HttpResponse:
    essay = get_object_or_404(Essay.objects.published(), slug=slug)
    services.choose_attempt_first(student=request.user, essay=essay)
    messages.info(
        request,
        "The model essay and notes are hidden until you submit your answer. Good luck!",
    )
    return redirect("essays:respond", slug=essay.slug)


# Writing a response


def student_essay(request: HttpRequest, slug: str) -> Essay:
    """A published essay, or one the student already has work on (even if since unpublished)."""
    essays = Essay.objects.filter(
        Q(status=Essay.Status.PUBLISHED) | Q(responses__student=request.user)
    ).distinct()
    return get_object_or_404(essays, slug=slug)


def editor_page(request, essay, form, *, draft=None, conflict=None, unsaved=False, status=200):
    attempts = Response.objects.for_student(request.user).filter(essay=essay).order_by("attempt")
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
            "max_words": services.MAX_WORDS,
            "words": count_words(form["body"].value() or ""),
            "model_hidden": services.model_essay_hidden(student=request.user, essay=essay),
        },
        status=status,
    )


def respond(request: HttpRequest, slug: str) -> HttpResponse:
    if not request.user.is_authenticated:
        return respond_logged_out(request, slug)
    essay = student_essay(request, slug)
    if request.method == "POST":
        return respond_post(request, essay)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})

    draft = services.current_draft(student=request.user, essay=essay)
    pending = request.session.pop(pending_text_key(essay), None)
    if pending is not None:
        messages.warning(
            request,
            "Here is the text you sent while you were logged out. It is not saved yet: "
            "save it or keep writing.",
        )
    if draft is None:
        submitted = Response.objects.for_student(request.user).filter(essay=essay).submitted()
        if pending is None and submitted.exists():
            return render(
                request,
                "essays/respond_start.html",
                {"essay": essay, "attempts": submitted.order_by("attempt")},
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
        request.session[pending_text_key(essay)] = body
        messages.warning(
            request,
            "You were logged out, so your text was not saved yet. Log in and it will be back "
            "in the editor.",
        )
    return redirect_to_login(reverse("essays:respond", kwargs={"slug": essay.slug}))


def respond_post(request: HttpRequest, essay: Essay) -> HttpResponse:
    """The editor without JavaScript: "Save draft" and "Submit" are ordinary form posts."""
    form = ResponseForm(request.POST)
    if not form.is_valid():
        return editor_page(request, essay, form, status=400)
    body = form.cleaned_data["body"]
    try:
        result = services.save_draft(
            student=request.user,
            essay=essay,
            body=body,
            attempt=form.cleaned_data["attempt"],
            version=form.cleaned_data["version"],
        )
    except ValidationError as error:
        form.add_error("body", error)
        return editor_page(request, essay, form, status=400)
    except services.StaleDraft as stale:
        current = stale.current
        form = ResponseForm(
            initial={"body": body, "attempt": current.attempt, "version": current.version}
        )
        return editor_page(request, essay, form, draft=current, conflict=current, status=409)
    except services.NotADraft as submitted:
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
                "attempts": Response.objects.for_student(request.user)
                .filter(essay=essay)
                .submitted()
                .order_by("attempt"),
                "unsaved_body": body,
            },
            status=409,
        )
    draft = result.response
    if request.POST.get("action") == "submit":
        return redirect("essays:submit", slug=essay.slug)
    messages.success(
        request, f"Draft saved at {format_time(timezone.localtime(draft.updated_at), 'H:i')}."
    )
    return redirect("essays:respond", slug=essay.slug)


@never_cache
def autosave(request: HttpRequest, slug: str) -> JsonResponse:
    """Saves from the editor's script. Answers JSON whatever happens, so the page can always
    tell the student where their text is."""
    if request.method != "POST":
        return JsonResponse({"error": "method", "message": "Use POST."}, status=405)
    if not request.user.is_authenticated:
        return JsonResponse(
            {
                "error": "login",
                "message": "You are logged out. Your text is kept in this browser: log in "
                "again to save it.",
                "login_url": f"{reverse('login')}?next="
                + reverse("essays:respond", kwargs={"slug": slug}),
            },
            status=401,
        )
    essay = student_essay(request, slug)
    try:
        data = json.loads(request.body)
        body, attempt, version = data["body"], data["attempt"], data["version"]
        if not isinstance(body, str) or not all(
            isinstance(n, int) and not isinstance(n, bool) and n >= 0 for n in (attempt, version)
        ):
            raise TypeError
    except (ValueError, KeyError, TypeError):
        return JsonResponse(
            {
                "error": "invalid",
                "message": "The save was not understood: send JSON with body (text), attempt "
                "and version (whole numbers).",
            },
            status=400,
        )
    try:
        result = services.save_draft(
            student=request.user, essay=essay, body=body, attempt=attempt, version=version
        )
    except ValidationError as error:
        return JsonResponse({"error": "invalid", "message": " ".join(error.messages)}, status=400)
    except services.StaleDraft as stale:
        current = stale.current
        return JsonResponse(
            {
                "error": "stale",
                "message": "This draft was changed in another tab or on another device.",
                "server": {
                    "body": current.body,
                    "attempt": current.attempt,
                    "version": current.version,
                    "saved_at": current.updated_at.isoformat(),
                    "word_count": current.word_count,
                },
            },
            status=409,
        )
    except services.NotADraft as submitted:
        return JsonResponse(
            {
                "error": "submitted",
                "message": f"Attempt {submitted.response.attempt} has been submitted, so this "
                "text was not saved into it. Your text is kept in this browser.",
                "response_url": submitted.response.get_absolute_url(),
            },
            status=409,
        )
    draft = result.response
    return JsonResponse(
        {
            "response": draft.pk,
            "attempt": draft.attempt,
            "version": draft.version,
            "saved_at": draft.updated_at.isoformat(),
            "word_count": draft.word_count,
            "submit_url": reverse("essays:submit", kwargs={"slug": essay.slug}),
        }
    )


@login_required
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    """GET: confirm before submitting. POST: submit (once, however often it is sent)."""
    essay = student_essay(request, slug)
    if request.method == "POST":
        mine = Response.objects.for_student(request.user).filter(essay=essay)
        try:
            response_id = int(request.POST.get("response", ""))
            version = int(request.POST.get("version", ""))
        except ValueError:
            return HttpResponse("The submission was not understood.", status=400)
        response = get_object_or_404(mine, pk=response_id)
        if not response.is_draft:
            messages.info(request, f"Attempt {response.attempt} is already submitted.")
            return redirect(response)
        try:
            response = services.submit_response(
                student=request.user, response_id=response.pk, version=version
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("essays:respond", slug=essay.slug)
        except services.StaleDraft:
            messages.warning(
                request,
                "Your draft changed after this page was opened (in another tab?). Check the "
                "latest text, then submit again.",
            )
            return redirect("essays:respond", slug=essay.slug)
        messages.success(
            request,
            f"Submitted attempt {response.attempt}: {response.word_count:,} words. "
            "Well done — compare it with the model essay below.",
        )
        return redirect(response)
    if request.method not in ("GET", "HEAD"):
        return HttpResponse(status=405, headers={"Allow": "GET, HEAD, POST"})

    draft = services.current_draft(student=request.user, essay=essay)
    if draft is None:
        return redirect("essays:respond", slug=essay.slug)
    problem = None
    try:
        services.check_submittable(draft.body)
    except ValidationError as error:
        problem = " ".join(error.messages)
    return render(
        request,
        "essays/submit_confirm.html",
        {"essay": essay, "draft": draft, "problem": problem},
    )


@login_required
@require_POST
def new_attempt(request: HttpRequest, slug: str) -> HttpResponse:
    """Start the next attempt: blank, from the last submitted text, or from text that could not
    be saved into a submitted attempt."""
    essay = student_essay(request, slug)
    mine = Response.objects.for_student(request.user).filter(essay=essay)
    body = ""
    if "body" in request.POST:
        body = request.POST["body"]
    elif request.POST.get("start_from") == "previous":
        last = mine.submitted().order_by("-attempt").first()
        body = last.body if last else ""
    try:
        draft, created = services.start_draft(student=request.user, essay=essay, body=body)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("essays:respond", slug=essay.slug)
    if not created:
        messages.info(request, f"You already have a draft: attempt {draft.attempt}.")
        if body and body != draft.body:
            request.session[pending_text_key(essay)] = body
    else:
        messages.success(request, f"Started attempt {draft.attempt}.")
    return redirect("essays:respond", slug=essay.slug)


# My work


@login_required
@require_safe
def response_list(request: HttpRequest) -> HttpResponse:
    """The student's responses, attempts at the same essay together, most recent work first."""
    responses = list(
        Response.objects.for_student(request.user).without_texts().order_by("-updated_at", "-pk")
    )
    groups: dict[int, list[Response]] = {}
    for response in responses:
        groups.setdefault(response.essay_id, []).append(response)
    essays = [
        {"essay": attempts[0].essay, "attempts": sorted(attempts, key=lambda r: -r.attempt)}
        for attempts in groups.values()
    ]
    return render(request, "essays/response_list.html", {"responses": responses, "essays": essays})


def own_response(request: HttpRequest, pk: int) -> Response:
    return get_object_or_404(
        Response.objects.for_student(request.user)
        .select_related("essay", "essay__subject", "essay__level")
        .defer("essay__search_document", "essay__search_vector"),
        pk=pk,
    )


@login_required
@require_safe
def response_detail(request: HttpRequest, pk: int) -> HttpResponse:
    response = own_response(request, pk)
    services.mark_feedback_seen(response)
    context = {"response": response}
    if not response.is_draft:
        # Key points are shown only once the student has submitted (never while drafting).
        covered = set(response.key_points_covered)
        points = list(response.essay.notes.filter(kind=Note.Kind.KEY_POINT))
        context["points_made"] = [p for p in points if p.pk in covered]
        context["points_missed"] = [p for p in points if p.pk not in covered]
        context["points_total"] = len(points)
        context["earlier"] = (
            Response.objects.for_student(request.user)
            .submitted()
            .filter(essay=response.essay, attempt__lt=response.attempt)
            .order_by("-attempt")
            .first()
        )
    return render(request, "essays/response_detail.html", context)


@login_required
@require_safe
def response_changes(request: HttpRequest, pk: int, earlier_pk: int) -> HttpResponse:
    """What changed between two of the student's attempts at the same essay."""
    response = own_response(request, pk)
    earlier = get_object_or_404(
        Response.objects.for_student(request.user).filter(essay=response.essay), pk=earlier_pk
    )
    return render(
        request,
        "essays/response_changes.html",
        {
            "response": response,
            "earlier": earlier,
            "changes": text_changes(earlier.body, response.body),
        },
    )


@login_required
@require_safe
def response_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """The student's submitted answer beside the model essay."""
    response = own_response(request, pk)
    if response.is_draft:
        raise Http404("Drafts are compared after they are submitted.")
    return render(request, "essays/response_compare.html", {"response": response})


# Accounts


def safe_next(request: HttpRequest) -> str:
    """The page to return to after signing up: a path on this site, or nothing."""
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if next_url.startswith("/") and url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return next_url
    return ""


def signup(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request)
    if request.user.is_authenticated:
        return HttpResponseRedirect(next_url or reverse("essays:catalogue"))
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, f"Welcome to StudyHub, {user.username}.")
        return HttpResponseRedirect(next_url or reverse("essays:catalogue"))
    return render(
        request,
        "registration/signup.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username django-axes records for a failed login, cut to what the database holds:
    a 5,000-character or NUL-laden username is refused as a failed login, not a server error."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).replace("\x00", "")[:150]


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Too many failed logins for this account or from this address (django-axes)."""
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return render(request, "registration/locked_out.html", {"minutes": minutes}, status=429)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or save sent from a page whose security token has expired (for example after
    logging in again in another tab). The student's text is shown back, never dropped."""
    if request.headers.get("Accept", "").startswith("application/json") or (
        request.content_type == "application/json"
    ):
        return JsonResponse(
            {
                "error": "csrf",
                "message": "This page's security token has expired. Your text is kept in "
                "this browser: reload the page or log in again to save it.",
                "login_url": reverse("login"),
            },
            status=403,
        )
    posted = request.POST if request.method == "POST" else {}
    body = posted.get("body", "")
    hidden_fields = {name: posted[name] for name in ("attempt", "version") if name in posted}
    return render(
        request,
        "403_csrf.html",
        {
            "body": body,
            "words": count_words(body),
            "action": request.path,
            "hidden_fields": hidden_fields,
        },
        status=403,
    )


@require_safe
def bare(request: HttpRequest) -> HttpResponse:
    """The least a Django page can do here: the ceiling the page benchmarks compare against."""
    return HttpResponse("ok", content_type="text/plain")


@never_cache
@require_safe
def healthz(request: HttpRequest) -> HttpResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.exception("Health check: the database did not answer")
        return HttpResponse("database unavailable", status=503, content_type="text/plain")
    return HttpResponse("ok", content_type="text/plain")
