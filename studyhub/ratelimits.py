"""How often something may be done, counted in the default cache (shared by every worker when
CACHE_URL points at Redis)."""

from datetime import timedelta
from hashlib import sha256

from django.conf import settings

from essays.caching import resilient_cache


def within_limit(key: str, *, limit: int, period: timedelta) -> bool:
    """Count one more use of `key`; True while it has been used at most `limit` times in the
    `period` that began with its first use. While the cache cannot be reached nothing is
    counted and everything is allowed: a limit is not worth an account nobody can get back."""
    cache_key = f"ratelimit:{sha256(key.encode()).hexdigest()}"
    timeout = int(period.total_seconds())
    resilient_cache.add(cache_key, 0, timeout)
    try:
        uses = resilient_cache.incr(cache_key)
    except ValueError:  # the period ran out between the two calls
        resilient_cache.add(cache_key, 1, timeout)
        uses = 1
    return uses is None or uses <= limit


def password_reset_allowed(*, address: str | None, email: str) -> bool:
    """May another reset email be sent? At most so many an hour from one address, and to one
    email address, whether or not an account uses it (the answer must not tell)."""
    hour = timedelta(hours=1)
    return within_limit(
        f"password-reset:address:{address}",
        limit=settings.PASSWORD_RESETS_PER_ADDRESS_PER_HOUR,
        period=hour,
    ) and within_limit(
        f"password-reset:email:{email.strip().casefold()}",
        limit=settings.PASSWORD_RESETS_PER_EMAIL_PER_HOUR,
        period=hour,
    )
