"""Whole-page caching of the library's public pages for visitors who are not signed in.

Every cached page is keyed by the library's version, which any change to an essay, note, tag,
subject, level or mark scheme moves on (essays/signals.py, and the admin's bulk actions), so a
visitor never sees a page older than the library — at once with a shared cache (Redis), within
LOCAL_PAGE_TIMEOUT seconds on the other processes of a server using local memory. Signed-in
users, and any request carrying a message to show, always get a fresh page.
"""

import hashlib
from functools import wraps

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.utils.safestring import SafeString, mark_safe

VERSION_KEY = "studyhub:library-version"
# A shared cache (Redis) sees every change the moment it is made, so pages can be kept an hour.
# Local memory is each server process's own: a change moves the version only in the process
# that made it, so there pages live half a minute and the other processes catch up within that.
SHARED_PAGE_TIMEOUT = 60 * 60
LOCAL_PAGE_TIMEOUT = 30


def page_timeout() -> int:
    backend = settings.CACHES["default"]["BACKEND"]
    return LOCAL_PAGE_TIMEOUT if backend.endswith("LocMemCache") else SHARED_PAGE_TIMEOUT


def library_version() -> int:
    version = cache.get(VERSION_KEY)
    if version is None:
        cache.add(VERSION_KEY, 1, timeout=None)
        version = cache.get(VERSION_KEY, 1)
    return version


def library_changed() -> None:
    try:
        cache.incr(VERSION_KEY)
    except ValueError:
        cache.set(VERSION_KEY, 2, timeout=None)


def cache_key(kind: str, request: HttpRequest) -> str:
    """What is kept for this address in this version of the library."""
    path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
    return f"studyhub:{kind}:{library_version()}:{path}"


def cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    if "messages" in request.COOKIES:
        return False
    return not (request.COOKIES.get("sessionid") and request.session.get("_messages"))


def cache_for_visitors(view):
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        if not cacheable(request):
            return view(request, *args, **kwargs)
        key = cache_key("page", request)
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), page_timeout())
        return response

    return wrapper


def cached_fragment(request: HttpRequest, name: str, build) -> tuple[SafeString, dict]:
    """A piece of a page that is the same for everyone at this address, kept until the library
    changes. `build()` returns (html, context); on a hit the context is empty."""
    key = cache_key(f"fragment:{name}", request)
    html = cache.get(key)
    if html is not None:
        return mark_safe(html), {}
    html, context = build()
    cache.set(key, str(html), page_timeout())
    return mark_safe(html), context
