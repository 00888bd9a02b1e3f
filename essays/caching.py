"""Whole-page caching of the library's public pages for visitors who are not signed in.

Every cached page is keyed by the library's version, which any change to an essay, note, tag,
subject, level or mark scheme moves on (essays/signals.py, and the admin's bulk actions), so a
visitor never sees a page older than the library. Signed-in users, and any request carrying a
message to show, always get a fresh page.
"""

import hashlib
from functools import wraps

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

VERSION_KEY = "studyhub:library-version"
PAGE_TIMEOUT = 60 * 60


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
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()
        key = f"studyhub:page:{library_version()}:{path}"
        hit = cache.get(key)
        if hit is not None:
            content, content_type = hit
            return HttpResponse(content, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code == 200 and not response.cookies and not response.streaming:
            cache.set(key, (response.content, response["Content-Type"]), PAGE_TIMEOUT)
        return response

    return wrapper
