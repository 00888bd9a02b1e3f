"""A cache outage is a slow day, not an outage: with Redis down or hanging every page still
answers (uncached), edits are saved, the outage is logged once a minute, and /healthz says
which part is down. And one cached page per page a visitor can see, whatever they add to its
address."""

import json
import logging
import socket
import time
import uuid
from unittest import mock

import pytest
from django.core.cache import caches
from django.db import OperationalError
from django.urls import reverse
from redis.exceptions import ConnectionError as RedisConnectionError

from essays import caching
from essays.models import Essay, Response
from studyhub import views
from studyhub.settings import cache_from_url
from tests.factories import (
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    TeachingGroupFactory,
)

pytestmark = pytest.mark.django_db

# Nothing listens on port 1 (only root could), so connecting is refused at once, every time.
NOBODY_LISTENING = "redis://127.0.0.1:1/0"


@pytest.fixture(autouse=True)
def forget_outages():
    """What a process remembers of outages (when it last warned, a change it could not record)
    must not leak from one test into the next."""
    caching.resilient_cache.reset()
    caching.unrecorded_change = False
    yield
    caching.resilient_cache.reset()
    caching.unrecorded_change = False


def take_the_cache_down(settings, url: str = NOBODY_LISTENING) -> None:
    """Point the cache at a Redis that does not answer. Called inside a test, after the
    autouse locmem settings and after the test's data is made; Django's setting_changed
    handler drops the cache connections, so the next use connects to `url`."""
    settings.CACHES = {"default": cache_from_url(url)}


@pytest.fixture
def essay():
    return EssayFactory(status="published", headline="Versailles: a harsh peace?")


def page_entries() -> list[str]:
    return [key for key in caches["default"]._cache if "studyhub:page:" in key]


# 1. Every page still answers, uncached.

PAGES = [
    ("visitor", "catalogue", lambda essay: "/"),
    ("visitor", "search", lambda essay: "/?q=versailles"),
    ("visitor", "essay", lambda essay: essay.get_absolute_url()),
    ("student", "catalogue", lambda essay: "/"),
    ("student", "essay", lambda essay: essay.get_absolute_url()),
    ("student", "editor", lambda essay: reverse("essays:respond", args=[essay.slug])),
    ("student", "my work", lambda essay: reverse("essays:response_list")),
    ("student", "classes", lambda essay: reverse("essays:classes")),
    ("student", "progress", lambda essay: reverse("essays:progress")),
    ("teacher", "admin index", lambda essay: reverse("admin:index")),
    ("teacher", "marking pile", lambda essay: reverse("admin:essays_response_changelist")),
]


@pytest.mark.parametrize(("who", "page", "url"), PAGES, ids=[f"{w}-{p}" for w, p, _ in PAGES])
def test_every_page_answers_with_the_cache_down(
    client, student, teacher, essay, settings, who, page, url
):
    ResponseFactory(student=student, essay=essay, status="submitted")
    EnrolmentFactory(group=TeachingGroupFactory(name="13H", teachers=[teacher]), student=student)
    if who != "visitor":
        client.force_login({"student": student, "teacher": teacher}[who])
    take_the_cache_down(settings)
    shows = {"classes": "13H", "progress": "13H"}.get(page, "Versailles")
    for _ in range(2):  # the second time too: nothing half-cached is served
        response = client.get(url(essay))
        assert response.status_code == 200, page
        assert shows in response.content.decode(), page


def test_the_editor_saves_and_submits_with_the_cache_down(student_client, student, essay, settings):
    take_the_cache_down(settings)
    saved = student_client.post(
        reverse("essays:autosave", args=[essay.slug]),
        json.dumps({"body": "Germany was not crushed.", "attempt": 1, "version": 0}),
        content_type="application/json",
    )
    assert saved.status_code == 200
    assert saved.json()["version"] == 1
    draft = Response.objects.for_student(student).get()
    submitted = student_client.post(
        reverse("essays:submit", args=[essay.slug]), {"response": draft.pk, "version": 1}
    )
    assert submitted.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Response.Status.SUBMITTED


def test_an_editors_change_in_admin_is_saved_with_the_cache_down(client, editor, essay, settings):
    client.force_login(editor)
    take_the_cache_down(settings)
    response = client.post(
        reverse("admin:essays_essay_change", args=[essay.pk]),
        {
            "headline": "Versailles: too harsh a peace?",
            "slug": essay.slug,
            "statement": essay.statement,
            "command_word": "Discuss",
            "body": essay.body,
            "subject": essay.subject_id,
            "level": essay.level_id,
            "status": "published",
            "marks_available": 25,
            "time_allowed_minutes": 45,
            "notes-TOTAL_FORMS": 0,
            "notes-INITIAL_FORMS": 0,
        },
    )
    assert response.status_code == 302, response.context["adminform"].form.errors
    essay.refresh_from_db()
    assert essay.headline == "Versailles: too harsh a peace?"
    assert client.get(essay.get_absolute_url()).status_code == 200


def test_publishing_from_the_essay_list_works_with_the_cache_down(client, editor, settings):
    draft = EssayFactory()
    client.force_login(editor)
    take_the_cache_down(settings)
    response = client.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "publish", "_selected_action": [draft.pk]},
    )
    assert response.status_code == 302
    draft.refresh_from_db()
    assert draft.status == Essay.Status.PUBLISHED


def test_logging_in_works_with_the_cache_down(client, student, settings):
    """Sessions live in the database and django-axes records logins there (its default
    database handler): neither needs the cache."""
    take_the_cache_down(settings)
    response = client.post(
        "/accounts/login/",
        {"username": "amira", "password": "correct horse battery staple"},
        follow=True,
    )
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == reverse("essays:catalogue")
    assert int(client.session["_auth_user_id"]) == student.pk


def test_a_hanging_redis_costs_a_request_well_under_a_second(client, essay, settings):
    """A Redis that accepts the connection and never replies (an overloaded or wedged server):
    the short socket timeout gives up, and the process then leaves the cache alone a while."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        take_the_cache_down(settings, f"redis://127.0.0.1:{silent.getsockname()[1]}/0")
        started = time.monotonic()
        assert client.get("/").status_code == 200
        assert client.get(essay.get_absolute_url()).status_code == 200
        assert time.monotonic() - started < 1.5


def test_a_change_made_while_the_cache_was_unreachable_shows_when_it_answers_again(
    client, essay, monkeypatch, freezer
):
    """Redis comes back with the pages it held: they must not outlive a change made meanwhile."""
    assert "harsh peace" in client.get(essay.get_absolute_url()).content.decode()
    locmem = caches["default"]

    class Unreachable:
        def __getattr__(self, name):
            def refuse(*args, **kwargs):
                raise RedisConnectionError("Error 111 connecting to 127.0.0.1:6379.")

            return refuse

    monkeypatch.setattr(caching, "cache", Unreachable())
    essay.headline = "Versailles: too harsh a peace?"
    essay.save()
    monkeypatch.setattr(caching, "cache", locmem)
    freezer.tick(caching.RETRY_SECONDS + 1)
    assert "too harsh a peace" in client.get(essay.get_absolute_url()).content.decode()


def test_redis_connections_give_up_within_half_a_second():
    options = cache_from_url("redis://cache.internal:6379/0")["OPTIONS"]
    assert 0 < options["socket_connect_timeout"] <= 0.5
    assert 0 < options["socket_timeout"] <= 0.5


# 2. Logged once a minute, not per request.


def test_an_outage_is_logged_once_a_minute_not_per_request(
    client, essay, settings, caplog, freezer
):
    take_the_cache_down(settings)

    def warnings() -> int:
        return sum(
            1
            for record in caplog.records
            if record.name == "essays.caching" and record.levelno == logging.WARNING
        )

    for _ in range(20):
        assert client.get("/").status_code == 200
        freezer.tick(2)  # long enough for each retry to reach Redis again
    assert warnings() == 1
    assert "not answering" in caplog.text and "ConnectionError" in caplog.text
    freezer.tick(61)
    assert client.get("/").status_code == 200
    assert warnings() == 2


# 3. /healthz says which part is down.


def test_healthz_is_degraded_but_200_when_the_cache_is_down(client, settings, caplog):
    take_the_cache_down(settings)
    response = client.get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "degraded"
    assert body["database"] == {"ok": True}
    assert body["cache"] == {"ok": False, "error": "ConnectionError"}
    assert "127.0.0.1:1" not in response.content.decode()  # details go to the log only
    assert "the cache did not answer" in caplog.text and "127.0.0.1:1" in caplog.text


def test_healthz_is_down_and_503_when_the_database_is_down(client, settings):
    take_the_cache_down(settings)
    with mock.patch("studyhub.views.connection.cursor", side_effect=OperationalError("gone")):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["status"] == "down"
    assert response.json()["cache"]["ok"] is False


def test_healthz_reports_every_component_it_is_given(client, monkeypatch):
    def mail_relay_answers():
        raise TimeoutError("the mail relay is slow")

    monkeypatch.setitem(views.HEALTH_CHECKS, "mail", mail_relay_answers)
    body = client.get("/healthz").json()
    assert body["status"] == "degraded"
    assert body["mail"] == {"ok": False, "error": "TimeoutError"}
    assert body["database"] == body["cache"] == {"ok": True}


# 4. Cached pages are keyed by the parameters the page reads.


def test_parameters_a_page_does_not_read_do_not_fill_the_cache(client, essay):
    for _ in range(50):
        assert client.get("/", {"x": uuid.uuid4().hex}).status_code == 200
    assert len(page_entries()) == 1
    entries = len(caches["default"]._cache)
    for _ in range(10):
        client.get(essay.get_absolute_url(), {"utm_source": uuid.uuid4().hex})
    assert len(page_entries()) == 2
    # The essay's page, and its parts that signed-in students' pages share.
    assert len(caches["default"]._cache) == entries + 2


def test_pages_that_read_different_parameters_are_kept_apart(client):
    EssayFactory(
        status="published", headline="War and its causes", statement="‘War came.’", body="War"
    )
    EssayFactory(
        status="published", headline="Peace treaties", statement="‘Treaties.’", body="Peace"
    )
    war = client.get("/", {"q": "war"}).content.decode()
    peace = client.get("/", {"q": "peace"}).content.decode()
    assert "War and its causes" in war and "Peace treaties" not in war
    assert "Peace treaties" in peace and "War and its causes" not in peace
    assert len(page_entries()) == 2


def test_the_same_parameters_in_another_order_are_one_page(client, essay):
    first = client.get(f"/?subject=history&q=versailles&x={uuid.uuid4().hex}")
    second = client.get("/?q=versailles&subject=history")
    assert first.content == second.content
    assert len(page_entries()) == 1


def test_a_cached_page_carries_no_other_visitors_parameters(client, essay):
    """The page kept for everyone is built as if its address had only what it reads: links
    in it never carry what the first visitor happened to add."""
    client.get("/", {"x": "first-visitors-junk"})
    page = client.get("/", {"x": "other"}).content.decode()
    assert "first-visitors-junk" not in page
    assert "?subject=history" in page


def test_signed_in_pages_are_not_keyed_by_other_parameters_either(student_client, essay):
    for _ in range(5):
        page = student_client.get("/", {"x": uuid.uuid4().hex}).content.decode()
        assert "Versailles" in page
    fragments = [key for key in caches["default"]._cache if "studyhub:fragment:" in key]
    assert len(fragments) == 1
    assert not page_entries()
