"""What StudyHub keeps in the cache about one signed-in student between their pages: the nav's
two numbers (returned work not yet opened, set work and redrafts due this week), whether an
essay's model answer is hidden from them, and their whole catalogue, essay, My work, classes
and progress pages (`kept_whole_for_students`).

Each takes one or a few elaborate queries and rendering that cost more than the rest of a page
like the catalogue. So each is kept (`remembered`) under three versions, and built afresh when
any moves on (the library's version, essays/caching.py, moves on with any change to an essay):

- the student's own version moves on when their work or place in a class changes (a response
  handed in, returned, opened, deleted; an extension; joining or leaving a class; choosing to
  attempt an essay first): `student_changed`, called by essays/signals.py and by the rules that
  change responses with an UPDATE;
- the classes' version moves on when set work is set, changed or removed: `classes_changed`.

Saving a draft's text changes neither: nothing kept here depends on it.

Time passing also changes what is kept (work coming within the week, a deadline going by): an
entry lives at most TIMEOUT seconds. With the cache in local memory, each server process
keeps its own entries and versions and does not see another process move them on, so there
entries live only LOCAL_TIMEOUT seconds. A version moves on when the change is made and again
once its transaction commits, so a page reading at the same moment cannot keep what it read
before the change. When the cache cannot be reached, everything is read afresh on every page.
"""

import hashlib
import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from essays import caching
from essays.caching import VERSION_KEY, canonical_query, library_version, resilient_cache

CLASSES_KEY = "studyhub:classes-version"
# Moves on with every change this process makes, so a request that changes something and then
# reads (marking feedback seen, then counting the nav) does not use the versions it read before.
changes_made = 0
TIMEOUT = 5 * 60
LOCAL_TIMEOUT = 30


def version_key(student_id: int) -> str:
    return f"studyhub:student-version:{student_id}"


def remembered(
    user,
    name: str,
    build: Callable[[], Any],
    *,
    until: Callable[[Any], datetime | None] | None = None,
) -> Any:
    """`build()` for this student, kept until their work, their classes' set work or the
    library changes, or the clock reaches `until(value)` (a deadline passing, say), or TIMEOUT
    passes."""
    versions = current_versions(user)
    if versions is None:
        return build()
    key = f"studyhub:student:{user.pk}:{name}:{versions}"
    kept = resilient_cache.get_versioned(key)
    if kept is not None:
        expires, value = kept
        if expires is None or timezone.now() < expires:
            return value
    value = build()
    if value is not None:  # None: not to be kept
        resilient_cache.set_versioned(key, (until(value) if until else None, value), timeout())
    return value


def browser_key(request: HttpRequest) -> str | None:
    browser = request.COOKIES.get(settings.CSRF_COOKIE_NAME)
    return hashlib.sha256(browser.encode()).hexdigest()[:16] if browser else None


def kept_whole_for_students(*, params: Sequence[str] = ()):
    """Keep a signed-in student's whole page, per browser (its forms carry the browser's CSRF
    token), as `remembered` keeps values: until their work, their classes' set work or the
    library changes, or the clock reaches the moment the view sets as the response's
    `kept_until` (the next deadline, say). `params` are
    the query parameters the page reads (the address is part of the key, as for visitors'
    pages: essays/caching.py). A page is built afresh, and not kept, when it has a message to
    show, when it is not a plain 200, and in a browser without its CSRF cookie yet."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            browser = browser_key(request)
            if (
                request.method not in ("GET", "HEAD")
                or not request.user.is_authenticated
                or browser is None
                or has_messages(request)
            ):
                return view(request, *args, **kwargs)
            built = []

            def build():
                response = view(request, *args, **kwargs)
                built.append(response)
                if response.status_code != 200 or response.streaming or has_messages(request):
                    return None
                until = getattr(response, "kept_until", None)
                return response.content, response["Content-Type"], until

            address = f"{request.path}?{canonical_query(request, params)}"
            name = f"page:{browser}:{hashlib.sha256(address.encode()).hexdigest()[:24]}"
            kept = remembered(request.user, name, build, until=lambda kept: kept[2])
            if built:
                return built[0]
            content, content_type, _ = kept
            return HttpResponse(content, content_type=content_type)

        return wrapper

    return decorator


def has_messages(request: HttpRequest) -> bool:
    """A message waits to be shown, or was just added (Django's messages framework: kept in a
    cookie, or in the session when too long for one)."""
    storage = getattr(request, "_messages", None)
    if storage is not None and len(storage):
        return True
    return "messages" in request.COOKIES or "_messages" in request.session


def current_versions(user) -> str | None:
    """The student's, the classes' and the library's versions, read once per request (kept on
    the request's user object until this process changes something); None when the cache
    cannot be reached."""
    if getattr(user, "_studyhub_versions_read", None) != changes_made:
        keys = [version_key(user.pk), CLASSES_KEY, VERSION_KEY]
        known = getattr(caching.this_request, "library_version", None)
        # The library's version in the same round trip, unless this request has read it.
        found = resilient_cache.get_many(keys if known is None else keys[:2])
        if known is not None:
            found[VERSION_KEY] = known
        elif VERSION_KEY not in found or caching.unrecorded_change:
            found[VERSION_KEY] = library_version()
        else:
            caching.read_library_version(found[VERSION_KEY])
        for key in keys[:2]:
            if key not in found and resilient_cache.add(key, new_version(), timeout=None):
                found[key] = resilient_cache.get(key)
        versions = [found.get(key) for key in keys]
        user._studyhub_versions = None if None in versions else ":".join(map(str, versions))
        user._studyhub_versions_read = changes_made
    return user._studyhub_versions


def student_changed(student_id: int) -> None:
    """Something kept for the student has changed: it is read afresh on their next page."""
    move_on = lambda: resilient_cache.set(version_key(student_id), new_version(), None)  # noqa: E731
    move_on()
    transaction.on_commit(move_on)


def classes_changed() -> None:
    """Set work was set, changed or removed: what is kept for every student is read afresh."""
    move_on = lambda: resilient_cache.set(CLASSES_KEY, new_version(), None)  # noqa: E731
    move_on()
    transaction.on_commit(move_on)


def new_version() -> str:
    global changes_made
    changes_made += 1
    return secrets.token_hex(6)


def timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_TIMEOUT if backend.endswith("LocMemCache") else TIMEOUT
