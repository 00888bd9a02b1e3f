"""Sessions in the shared cache (studyhub/sessions.py): read from it, ended everywhere at
logout, and never the reason a page fails when the cache does."""

import time

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.urls import reverse

from essays import caching
from studyhub.sessions import CACHE_SECONDS, SessionStore
from tests.site.test_cache_outage import take_the_cache_down

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def sessions_in_the_cache(settings):
    settings.SESSION_ENGINE = "studyhub.sessions"
    caching.resilient_cache.reset()
    yield
    caching.resilient_cache.reset()


def test_a_signed_in_page_reads_its_session_from_the_cache(
    client, student, django_assert_num_queries
):
    client.force_login(student)
    client.get("/")
    with django_assert_num_queries(1):  # the user; not the session
        assert client.get("/").status_code == 200
    key = SessionStore.cache_key_prefix + client.session.session_key
    assert cache.get(key)[SESSION_KEY] == str(student.pk)
    assert 0 < cache._expire_info[cache.make_key(key)] - time.time() <= CACHE_SECONDS


def test_logging_out_ends_the_session_in_the_cache_too(client, student):
    client.force_login(student)
    old_key = client.session.session_key
    client.post(reverse("logout"))
    assert cache.get(SessionStore.cache_key_prefix + old_key) is None
    # The old cookie, replayed, is a visitor's.
    client.cookies["sessionid"] = old_key
    page = client.get(reverse("essays:response_list"))
    assert page.status_code == 302 and page.url.startswith(reverse("login"))


def test_a_session_missing_from_the_cache_is_read_from_the_database(client, student):
    client.force_login(student)
    cache.clear()
    assert client.get(reverse("essays:response_list")).status_code == 200


def test_logging_in_and_out_work_with_the_cache_down(client, student, settings):
    take_the_cache_down(settings)
    answer = client.post(
        reverse("login"), {"username": "amira", "password": "correct horse battery staple"}
    )
    assert answer.status_code == 302
    assert client.get(reverse("essays:response_list")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("essays:response_list")).status_code == 302
