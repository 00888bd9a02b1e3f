"""Visitors get cached library pages; no one ever sees a page older than the library."""

import pytest
from django.core.cache import caches
from django.urls import reverse

from tests.factories import EssayFactory, NoteFactory, ResponseFactory

pytestmark = pytest.mark.django_db


def test_a_visitors_second_view_needs_no_database(client, django_assert_num_queries):
    essay = EssayFactory(status="published", headline="Versailles")
    client.get("/")
    client.get(essay.get_absolute_url())
    with django_assert_num_queries(0):
        assert "Versailles" in client.get("/").content.decode()
        assert client.get(essay.get_absolute_url()).status_code == 200


def test_editing_an_essay_or_its_notes_shows_at_once(client):
    essay = EssayFactory(status="published", headline="Versailles")
    client.get(essay.get_absolute_url())
    essay.headline = "Versailles, revised"
    essay.save()
    assert "Versailles, revised" in client.get(essay.get_absolute_url()).content.decode()
    NoteFactory(essay=essay, text="A new examiner tip")
    assert "A new examiner tip" in client.get(essay.get_absolute_url()).content.decode()


def test_unpublishing_in_admin_removes_the_page_at_once(client, admin_client):
    essay = EssayFactory(status="published", headline="Versailles")
    visitor = type(client)()
    assert visitor.get(essay.get_absolute_url()).status_code == 200
    admin_client.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "unpublish", "_selected_action": [essay.pk]},
    )
    assert visitor.get(essay.get_absolute_url()).status_code == 404
    assert "Versailles" not in visitor.get("/").content.decode()


def test_signed_in_students_get_their_own_nav_around_the_shared_listing(
    student_client, student, django_assert_num_queries
):
    essay = EssayFactory(status="published", headline="Versailles")
    student_client.get("/")
    ResponseFactory(
        student=student,
        essay=essay,
        returned=True,
    )
    with django_assert_num_queries(3):  # session, user, the nav's count of newly marked work
        page = student_client.get("/").content.decode()
    assert "Versailles" in page
    assert '1<span class="visually-hidden"> newly marked</span>' in page
    essay.headline = "Versailles, revised"
    essay.save()
    assert "Versailles, revised" in student_client.get("/").content.decode()


def test_different_searches_are_different_pages(client):
    EssayFactory(status="published", headline="Versailles", body="Reparations")
    EssayFactory(status="published", headline="Hamlet", body="Witches")
    assert "Hamlet" not in client.get("/", {"q": "reparations"}).content.decode()
    assert "Versailles" not in client.get("/", {"q": "witches"}).content.decode()


def test_pages_in_a_per_process_cache_expire_soon_so_other_processes_catch_up(
    client, settings, monkeypatch
):
    """Local memory is each server process's own: an edit made through one process must reach
    visitors served by the others within half a minute, not an hour."""
    from essays import caching

    stored = []

    class Recording:
        def __getattr__(self, name):
            return getattr(caches["default"], name)

        def set(self, *args, **kwargs):
            stored.append(args)
            return caches["default"].set(*args, **kwargs)

    monkeypatch.setattr(caching, "cache", Recording())
    EssayFactory(status="published")
    stored.clear()
    client.get("/")
    assert stored[-1][2] == caching.LOCAL_PAGE_TIMEOUT == 30
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "x"}
    }
    assert caching.page_timeout() == caching.SHARED_PAGE_TIMEOUT == 3600
