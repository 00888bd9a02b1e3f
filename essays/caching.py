"""Whole-page caching of the library's public pages for visitors who are not signed in, and the
one way StudyHub reaches the cache (`resilient_cache`).

Every cached page is keyed by the library's version, which any change to an essay, note, tag,
subject, level or mark scheme moves on (essays/signals.py, and the admin's bulk actions), so a
visitor never sees a page older than the library — at once with a shared cache (Redis), within
LOCAL_PAGE_TIMEOUT seconds on the other processes of a server using local memory. Signed-in
users, and any request carrying a message to show, always get a fresh page.

The cache only saves work: when it cannot be reached, pages are built afresh, nothing is
kept, and the outage is logged once a minute per process, not once per request.
"""

import hashlib
import logging
import threading
import time
from collections.abc import Callable, Sequence
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.cache import cache, caches
from django.core.signals import request_finished, request_started
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, QueryDict
from django.utils.safestring import SafeString, mark_safe
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

VERSION_KEY = "studyhub:library-version"
# A shared cache (Redis) sees every change the moment it is made, so pages can be kept an hour.
# Local memory is each server process's own: a change moves the version only in the process
# that made it, so there pages live half a minute and the other processes catch up within that.
SHARED_PAGE_TIMEOUT = 60 * 60
LOCAL_PAGE_TIMEOUT = 30

# What Django's Redis cache raises when Redis is down, too slow (the timeouts in settings.py's
# cache_from_url) or refusing a command: redis-py's errors all derive from RedisError.
CACHE_ERRORS = (RedisError,)
# After a failure this process leaves the cache alone for a few seconds: an unreachable host
# then costs one connection timeout every few seconds, not one on every cache call.
RETRY_SECONDS = 5
WARNING_SECONDS = 60


class ResilientCache:
    """The default cache for StudyHub's own use. While the cache cannot be reached it answers
    as an empty cache that keeps nothing would (`get` gives the default, `add` False, `incr`
    None) and the page goes on without it."""

    def __init__(self) -> None:
        self.reset()

    def reset(self) -> None:
        self.retry_at = 0.0
        self.warned_at: float | None = None

    def get(self, key: str, default: Any = None) -> Any:
        return self._attempt(default, cache.get, key, default)

    def set(self, key: str, value: Any, timeout: int | None) -> None:
        self._attempt(None, cache.set, key, value, timeout)

    def get_many(self, keys: list[str]) -> dict[str, Any]:
        return self._attempt({}, cache.get_many, keys)

    def get_versioned(self, key: str) -> Any:
        """The value under a key that names the versions it was built from, so it never
        changes: from this process's memory when it is there (no round trip to Redis), else
        from the shared cache, and then kept in memory too."""
        local = local_copies()
        if local is not None:
            value = local.get(key)
            if value is not None:
                return value
        value = self.get(key)
        if value is not None and local is not None:
            local.set(key, value, page_timeout())
        return value

    def set_versioned(self, key: str, value: Any, timeout: int | None) -> None:
        self.set(key, value, timeout)
        local = local_copies()
        if local is not None:
            local.set(key, value, timeout)

    def set_many(self, values: dict[str, Any], timeout: int | None) -> None:
        if values:
            self._attempt(None, cache.set_many, values, timeout)

    def delete(self, key: str) -> None:
        self._attempt(None, cache.delete, key)

    def add(self, key: str, value: Any, timeout: int | None) -> bool:
        return self._attempt(False, cache.add, key, value, timeout)

    def incr(self, key: str) -> int | None:
        """The key's new value; ValueError, as from the cache, when it has none."""
        return self._attempt(None, cache.incr, key)

    def get_or_set(self, key: str, build: Callable[[], Any], timeout: int | None) -> Any:
        if self._resting():
            return build()
        try:
            return cache.get_or_set(key, build, timeout)
        except CACHE_ERRORS as error:
            self._failed(error)
            return build()

    def _attempt(self, fallback: Any, operation: Callable, *args) -> Any:
        if self._resting():
            return fallback
        try:
            return operation(*args)
        except CACHE_ERRORS as error:
            self._failed(error)
            return fallback

    def _resting(self) -> bool:
        return time.monotonic() < self.retry_at

    def _failed(self, error: Exception) -> None:
        now = time.monotonic()
        self.retry_at = now + RETRY_SECONDS
        if self.warned_at is None or now - self.warned_at >= WARNING_SECONDS:
            self.warned_at = now
            logger.warning(
                "The cache is not answering (%s: %s): pages are built without it. "
                "Logged at most once a minute.",
                type(error).__name__,
                error,
            )


resilient_cache = ResilientCache()
# A change to the library made while the cache could not be reached: recorded (the version
# moved on) the next time this process reaches it, so a Redis that comes back with its pages
# does not serve ones older than the change.
unrecorded_change = False


def local_copies():
    """This process's own memory, for copies of versioned entries kept in Redis; None when the
    shared cache is itself in local memory (or "local" is not configured)."""
    if "local" not in settings.CACHES or not settings.CACHES["default"]["BACKEND"].endswith(
        "RedisCache"
    ):
        return None
    return caches["local"]


# The library's version as this request read it: read once per request, not once per part of
# the page. Only while a request is being answered (a worker or a shell keeps no copy).
this_request = threading.local()


@receiver(request_started)
def request_began(**kwargs) -> None:
    this_request.answering, this_request.library_version = True, None


@receiver(request_finished)
def request_ended(**kwargs) -> None:
    this_request.answering, this_request.library_version = False, None


def page_timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_PAGE_TIMEOUT if backend.endswith("LocMemCache") else SHARED_PAGE_TIMEOUT


def library_version() -> int | None:
    """The library's version, or None when the cache cannot be reached."""
    if unrecorded_change:
        library_changed()
    if getattr(this_request, "library_version", None) is not None:
        return this_request.library_version
    version = resilient_cache.get(VERSION_KEY)
    if version is None:
        resilient_cache.add(VERSION_KEY, 1, timeout=None)
        version = resilient_cache.get(VERSION_KEY)
    read_library_version(version)
    return version


def read_library_version(version: int | None) -> None:
    """Remember for the rest of this request the library's version just read."""
    if getattr(this_request, "answering", False):
        this_request.library_version = version


def library_changed() -> None:
    global unrecorded_change
    this_request.library_version = None
    try:
        recorded = resilient_cache.incr(VERSION_KEY) is not None
    except ValueError:
        # No version yet (a new or emptied cache): start past the first one.
        recorded = resilient_cache.add(VERSION_KEY, 2, timeout=None)
    unrecorded_change = not recorded


def canonical_query(request: HttpRequest, params: Sequence[str]) -> str:
    """The query string as a page reading only `params` sees it: those parameters alone, in
    order of name, without empty values (which the pages treat as absent)."""
    return urlencode(
        [(name, value) for name in sorted(params) for value in request.GET.getlist(name) if value]
    )


def cache_key(kind: str, request: HttpRequest, params: Sequence[str]) -> str | None:
    """What is kept for this page in this version of the library: keyed by its path and the
    query parameters it reads, so `/?x=<anything>` is one entry, not one per address. None when
    the cache cannot be reached."""
    if request.user.is_authenticated:
        # A signed-in page reads the student's versions too: the library's comes with them,
        # in one round trip (essays/student_state.py).
        from essays.student_state import current_versions

        current_versions(request.user)
    version = library_version()
    if version is None:
        return None
    address = f"{request.path}?{canonical_query(request, params)}"
    return f"studyhub:{kind}:{version}:{hashlib.sha256(address.encode()).hexdigest()}"


def cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    if "messages" in request.COOKIES:
        return False
    return not (request.COOKIES.get("sessionid") and request.session.get("_messages"))


def cache_for_visitors(*, params: Sequence[str]):
    """Keep the page whole for visitors. `params` are the query parameters the page reads: the
    view sees only those (canonical_query), for everyone, so what is kept under a key never
    carries another address's parameters in its links."""

    def decorator(view):
        @wraps(view)
        def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            query = canonical_query(request, params)
            request.GET = QueryDict(query)
            request.META["QUERY_STRING"] = query
            key = cache_key("page", request, params) if cacheable(request) else None
            if key is None:
                return view(request, *args, **kwargs)
            hit = resilient_cache.get(key)
            if hit is not None:
                content, content_type = hit
                return HttpResponse(content, content_type=content_type)
            response = view(request, *args, **kwargs)
            if response.status_code == 200 and not response.cookies and not response.streaming:
                resilient_cache.set(
                    key, (response.content, response["Content-Type"]), page_timeout()
                )
            return response

        return wrapper

    return decorator


def cached_fragment(
    request: HttpRequest, name: str, build, *, params: Sequence[str]
) -> tuple[SafeString, dict]:
    """A piece of a page that is the same for everyone at this address, kept until the library
    changes. `build()` returns (html, context); on a hit the context is empty. `params` are the
    query parameters it reads, as for cache_for_visitors."""
    context: dict = {}

    def render() -> str:
        html, built = build()
        context.update(built)
        return str(html)

    return mark_safe(kept_with_library(request, f"fragment:{name}", render, params=params)), context


def kept_with_library(
    request: HttpRequest, name: str, build: Callable[[], Any], *, params: Sequence[str] = ()
) -> Any:
    """What `build()` makes from the library for this address (never None; anything the cache
    can pickle), kept until the library changes: the parts of a page that are the same for
    everyone, signed in or not. `params` are the query parameters it reads."""
    key = cache_key(name, request, params)
    kept = resilient_cache.get_versioned(key) if key else None
    if kept is not None:
        return kept
    value = build()
    if key:
        resilient_cache.set_versioned(key, value, page_timeout())
    return value
