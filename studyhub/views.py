"""Site-wide pages that belong to no part of the library: signing up, the pages for a locked
account and an expired security token, and the health check."""

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.db import DatabaseError, connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from essays.text import count_words
from studyhub.forms import SignupForm

logger = logging.getLogger(__name__)


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
