"""Site-wide pages that belong to no part of the library: signing up, logging in, resetting a
password, the pages for a locked account and an expired security token, and the health check."""

import logging
import math

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe
from django_tasks_db.models import DBTaskResult, get_date_max

from studyhub.addresses import client_ip_address
from studyhub.forms import LoginForm, NamesForm, PasswordResetForm, SignupForm
from studyhub.lockout import find_lockout, lift_lockouts
from studyhub.ratelimits import password_reset_allowed

logger = logging.getLogger(__name__)

# The editor's own posts: a refused one leads back to the editor, where the text is kept.
EDITOR_URL_NAMES = {"respond", "autosave", "submit", "new_attempt"}


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


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def account(request: HttpRequest) -> HttpResponse:
    """The signed-in user's account: their name as teachers see it, and a way to the password
    page."""
    form = NamesForm(request.POST if request.method == "POST" else None, instance=request.user)
    if form.is_valid():
        user = form.save()
        messages.success(
            request, f"Your name is saved: teachers see you as {user.get_full_name()}."
        )
        return redirect("account")
    return render(
        request, "registration/account.html", {"form": form}, status=400 if form.errors else 200
    )


def login_username(request: HttpRequest, credentials: dict | None = None) -> str:
    """The username django-axes records for a failed login, cut to what the database holds:
    a 5,000-character or NUL-laden username is refused as a failed login, not a server error."""
    username = (credentials or {}).get("username") or request.POST.get("username", "")
    return str(username).replace("\x00", "")[:150]


class LoginView(auth_views.LoginView):
    """Logging in. On a shared school computer the session ends when the browser closes;
    "Keep me signed in" keeps it across browser restarts. Either way it ends after
    SESSION_COOKIE_AGE without a request (studyhub/middleware.py)."""

    form_class = LoginForm

    def form_valid(self, form: LoginForm) -> HttpResponse:
        response = super().form_valid(form)
        if form.cleaned_data["remember"]:
            self.request.session.set_expiry(settings.SESSION_COOKIE_AGE)
        return response


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """Too many failed logins for this account (django-axes): from this address, or from
    everywhere (studyhub/lockout.py). The page says which, and until when."""
    lockout = find_lockout(request, credentials)
    if lockout is None:  # lifted in the moment since axes refused the login
        minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    else:
        minutes = math.ceil((lockout.until - timezone.now()).total_seconds() / 60)
    return render(
        request,
        "registration/locked_out.html",
        {"lockout": lockout, "minutes": minutes},
        status=429,
    )


class PasswordResetView(auth_views.PasswordResetView):
    """Asking for a reset link: at most so many emails an hour from one address and to one
    email address (studyhub/ratelimits.py). Past that, nothing is sent and the page says so,
    in the same words whether or not an account uses the email address. The email itself is
    queued for the background worker (PasswordResetForm)."""

    form_class = PasswordResetForm

    def form_valid(self, form) -> HttpResponse:
        if password_reset_allowed(
            address=client_ip_address(self.request), email=form.cleaned_data["email"]
        ):
            return super().form_valid(form)
        form.add_error(
            None,
            "Too many reset emails have been asked for, from here or for this email address. "
            "Please wait an hour and try again. A link already sent still works.",
        )
        return self.render_to_response(self.get_context_data(form=form), status=429)


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """Choosing a new password from a reset link; it also lifts any login lockout on the
    account: whoever chose it has shown they hold the account's email."""

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        lift_lockouts(form.user.get_username())
        return response


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form or save sent from a page whose security token has expired (for example after
    logging in again in another tab). Nothing is changed, and nothing posted is shown back or
    offered for sending again: a page that re-posted the text with a fresh token would let
    another site save text of its choosing. The editor keeps the student's text in the
    browser, so the way back is the editor itself."""
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
    return render(request, "403_csrf.html", {"editor_url": editor_for(request.path)}, status=403)


def editor_for(path: str) -> str | None:
    """The editor of the essay a refused post was for, if it was for one."""
    try:
        match = resolve(path)
    except Resolver404:
        return None
    if match.namespace == "essays" and match.url_name in EDITOR_URL_NAMES:
        return reverse("essays:respond", kwargs={"slug": match.kwargs["slug"]})
    return None


def database_answers() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def cache_answers() -> None:
    # The cache itself, not essays.caching's wrapper, which hides an outage from pages.
    cache.set("studyhub:healthz", True, timeout=60)


class Stuck(Exception):
    """A component that answers but is not doing its work; `facts` say what was seen."""

    def __init__(self, reason: str, facts: dict):
        super().__init__(reason)
        self.facts = facts


def task_queue_moves() -> dict:
    """The oldest email or other task waiting for a worker, in seconds. A queue whose oldest
    task has waited longer than STUDYHUB_TASK_QUEUE_STUCK_SECONDS has no worker running."""
    now = timezone.now()
    due = DBTaskResult.objects.ready()
    # A task queued to run at once stores the latest possible run_after; a retry, its time.
    waiting_since = [
        due.filter(run_after=get_date_max())
        .order_by("enqueued_at")
        .values_list("enqueued_at", flat=True)[:1],
        due.exclude(run_after=get_date_max())
        .order_by("run_after")
        .values_list("run_after", flat=True)[:1],
    ]
    oldest = min((when for query in waiting_since for when in query), default=None)
    age = round((now - oldest).total_seconds()) if oldest else 0
    facts = {"oldest_waiting_seconds": age}
    if age > settings.STUDYHUB_TASK_QUEUE_STUCK_SECONDS:
        raise Stuck("no worker has taken a task for too long", facts)
    return facts


# What /healthz checks: each check raises when its component does not answer or is stuck, and
# may return facts to show. Without a REQUIRED component StudyHub is down (503); without
# another it is degraded (it serves, slower).
HEALTH_CHECKS = {"database": database_answers, "cache": cache_answers, "tasks": task_queue_moves}
REQUIRED = {"database", "tasks"}


@never_cache
@require_safe
def healthz(request: HttpRequest) -> JsonResponse:
    """{"status": "ok" | "degraded" | "down", "<component>": {"ok": true} or {"ok": false,
    "error": "<exception class>"}, ...}: 503 when down, 200 otherwise. The error's details,
    which could name internal hosts, go to the log, not to this public page."""
    components = {}
    for name, check in HEALTH_CHECKS.items():
        try:
            facts = check() or {}
        except Stuck as stuck:
            logger.error(
                "Health check: the %s component is stuck (%s: %s)", name, stuck, stuck.facts
            )
            components[name] = {"ok": False, "error": str(stuck), **stuck.facts}
        except Exception as error:  # whatever the failure, the component is not answering
            level = logging.ERROR if name in REQUIRED else logging.WARNING
            logger.log(
                level,
                "Health check: the %s did not answer (%s: %s)",
                name,
                type(error).__name__,
                error,
            )
            components[name] = {"ok": False, "error": type(error).__name__}
        else:
            components[name] = {"ok": True, **facts}
    failed = {name for name, state in components.items() if not state["ok"]}
    status = "down" if failed & REQUIRED else "degraded" if failed else "ok"
    return JsonResponse({"status": status, **components}, status=503 if status == "down" else 200)
