"""Sessions kept in the shared cache in front of the database, for installations with Redis.

Every signed-in request reads its session: from Redis that is a round trip, from the database
a query. Django's own `cached_db` backend does the same, but lets a cache error escape from
reading a session it found only in the database, and from logging out, so a Redis outage would
sign students out or fail their pages. This store reaches the cache through StudyHub's
`resilient_cache` (essays/caching.py): while Redis is down every session is read from and
written to the database alone, as if there were no cache.

A session is kept in the cache for at most CACHE_SECONDS. The database stays the record: an
entry the cache missed dropping while it was unreachable (a logout during an outage that Redis
survived with its contents) lives only that long.
"""

from django.contrib.sessions.backends.db import SessionStore as DatabaseStore

from essays.caching import resilient_cache

CACHE_SECONDS = 5 * 60


class SessionStore(DatabaseStore):
    cache_key_prefix = "studyhub:session:"

    @property
    def cache_key(self) -> str:
        return self.cache_key_prefix + self._get_or_create_session_key()

    def load(self) -> dict:
        data = resilient_cache.get(self.cache_key) if self.session_key else None
        if data is not None:
            return data
        stored = self._get_session_from_db()
        if stored is None:
            return {}
        data = self.decode(stored.session_data)
        resilient_cache.set(self.cache_key, data, self.cache_seconds(stored.expire_date))
        return data

    def save(self, must_create: bool = False) -> None:
        super().save(must_create)
        resilient_cache.set(self.cache_key, self._session, self.cache_seconds())

    def delete(self, session_key: str | None = None) -> None:
        super().delete(session_key)
        if session_key is None:
            if self.session_key is None:
                return
            session_key = self.session_key
        resilient_cache.delete(self.cache_key_prefix + session_key)

    def cache_seconds(self, expiry=None) -> int:
        age = self.get_expiry_age(expiry=expiry) if expiry else self.get_expiry_age()
        return max(0, min(age, CACHE_SECONDS))
