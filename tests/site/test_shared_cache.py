"""StudyHub with Redis as its cache, as production runs it: what another server changes in
Redis shows here at once, although this process keeps copies of versioned entries in its own
memory (essays/caching.py, `get_versioned`). Needs the Redis on 127.0.0.1:6379 (CI starts it);
uses its database 14, emptied before and after."""

import pytest
import redis
from django.core.cache import caches

from essays import caching
from essays.caching import VERSION_KEY
from essays.student_state import CLASSES_KEY, version_key
from studyhub.settings import cache_from_url
from tests.factories import EssayFactory

pytestmark = pytest.mark.django_db
URL = "redis://127.0.0.1:6379/14"


@pytest.fixture
def shared_cache(settings):
    server = redis.Redis.from_url(URL)
    try:
        server.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("no Redis on 127.0.0.1:6379")
    server.flushdb()
    settings.CACHES = {
        "default": cache_from_url(URL),
        "local": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "t"},
    }
    caching.resilient_cache.reset()
    yield server
    caches["local"].clear()
    server.flushdb()


def test_another_servers_change_shows_at_once_over_local_copies(
    shared_cache, student_client, student, django_assert_num_queries
):
    essay = EssayFactory(status="published", headline="Versailles")
    url = essay.get_absolute_url()
    for _ in range(3):
        assert "Versailles" in student_client.get(url).content.decode()
    # Kept in this process's memory: the page is built from it even with Redis's copy gone.
    kept = [key for key in shared_cache.keys("*") if b"studyhub:student:" in key]
    assert kept
    shared_cache.delete(*kept)
    with django_assert_num_queries(2):  # the session and the user: nothing else is read
        assert "Versailles" in student_client.get(url).content.decode()
    # Another server edits the essay: it moves the library's version on in Redis (the row
    # changes in the shared database). This process sees it on the next page.
    type(essay).objects.filter(pk=essay.pk).update(headline="Munich")
    shared_cache.incr(caches["default"].make_key(VERSION_KEY))
    assert "Munich" in student_client.get(url).content.decode()


def test_another_servers_change_to_a_students_work_shows_at_once(
    shared_cache, student_client, student
):
    from essays.models import Response

    essay = EssayFactory(status="published")
    for _ in range(2):
        page = student_client.get(essay.get_absolute_url()).content.decode()
    assert "Continue attempt" not in page
    # Another server saves the student's first draft: the row is in the shared database, and
    # their version moves on in Redis (here without this process's signals).
    Response.objects.bulk_create([Response(student=student, essay=essay, body="Words")])
    caches["default"].set(version_key(student.pk), "moved-on", None)
    assert "Continue attempt 1" in student_client.get(essay.get_absolute_url()).content.decode()
    caches["default"].set(CLASSES_KEY, "moved-on-too", None)
    assert student_client.get("/classes/").status_code == 200


def test_the_redis_cache_reuses_one_client_and_works_as_djangos(shared_cache):
    cache = caches["default"]
    assert cache._cache.get_client() is cache._cache.get_client(write=True)
    cache.set("a", {"b": 1}, 60)
    assert cache.get("a") == {"b": 1} and cache.get_many(["a", "c"]) == {"a": {"b": 1}}
    assert cache.add("a", 2, 60) is False
    assert cache.add("n", 1, 60) is True
    assert cache.incr("n") == 2
    cache.delete("a")
    assert cache.get("a") is None
