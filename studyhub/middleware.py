"""Middleware of StudyHub's own: sessions that expire after idle hours, and private pages that
no browser or proxy keeps."""

import time
from collections.abc import Callable

from django.contrib.auth import SESSION_KEY
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.cache import patch_cache_control

# How stale a signed-in session's expiry may get before a request saves it again.
ACTIVITY_SAVE_INTERVAL = 5 * 60
LAST_ACTIVE = "last_active"


class SessionActivityMiddleware:
    """Signed-in sessions expire SESSION_COOKIE_AGE after the last request, not after logging in.

    SESSION_SAVE_EVERY_REQUEST would do that with a database write on every request (every
    autosave, every page). Saving at most once every few minutes instead costs a session up
    to ACTIVITY_SAVE_INTERVAL of its idle time.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        if SESSION_KEY in session and stale(session.get(LAST_ACTIVE, 0)):
            session[LAST_ACTIVE] = int(time.time())  # the session is saved, with a new expiry
        return self.get_response(request)


def stale(last_active: int) -> bool:
    return time.time() - last_active >= ACTIVITY_SAVE_INTERVAL


@receiver(user_logged_in)
def stamp_activity_at_login(sender, request: HttpRequest, **kwargs) -> None:
    """Logging in saves the session anyway: the requests just after it need not."""
    request.session[LAST_ACTIVE] = int(time.time())


class PrivatePagesMiddleware:
    """Pages for a signed-in user (the editor, My work, a response, the catalogue with their
    own menu) and every admin page are `Cache-Control: private, no-store`: on a shared school
    computer the browser's back button or cache must not show the last user's work to the next,
    and no proxy may keep them. Visitors' public pages keep their own caching."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.admin_prefix = None

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if self.admin_prefix is None:
            self.admin_prefix = reverse("admin:index")
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in or request.path.startswith(self.admin_prefix):
            patch_cache_control(response, private=True, no_store=True)
        return response
