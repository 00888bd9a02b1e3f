"""The editor script's save endpoint: JSON in, JSON out, whatever happens."""

import json

import pytest
from django.test import Client
from django.urls import reverse

from essays.models import Response
from tests.factories import EssayFactory, ResponseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return EssayFactory(status="published")


def autosave(client, essay, payload, **extra):
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(
        reverse("essays:autosave", kwargs={"slug": essay.slug}),
        data,
        content_type="application/json",
        **extra,
    )


def test_a_save_answers_the_new_version_and_time(student_client, student, essay):
    response = autosave(student_client, essay, {"body": "A start", "attempt": 1, "version": 0})
    assert response.status_code == 200
    data = response.json()
    assert (data["attempt"], data["version"], data["word_count"]) == (1, 1, 2)
    assert data["saved_at"]
    response = autosave(
        student_client, essay, {"body": "A start, then", "attempt": 1, "version": 1}
    )
    assert response.json()["version"] == 2
    assert Response.objects.for_student(student).get().body == "A start, then"


def test_logged_out_saves_answer_401_with_a_way_back(client, essay):
    response = autosave(client, essay, {"body": "Lost?", "attempt": 1, "version": 0})
    assert response.status_code == 401
    data = response.json()
    assert "log in again" in data["message"]
    assert data["login_url"].endswith(f"/essays/{essay.slug}/respond/")
    assert not Response.objects.exists()


def test_a_save_with_an_expired_token_answers_403_json(student, essay):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = autosave(
        client, essay, {"body": "x", "attempt": 1, "version": 0}, HTTP_ACCEPT="application/json"
    )
    assert response.status_code == 403
    assert response.json()["error"] == "csrf"
    assert not Response.objects.exists()


def test_a_stale_save_answers_409_with_the_newer_text(student_client, student, essay):
    ResponseFactory(student=student, essay=essay, body="Newer, from tab A", version=4)
    response = autosave(student_client, essay, {"body": "Tab B", "attempt": 1, "version": 3})
    assert response.status_code == 409
    data = response.json()
    assert data["error"] == "stale"
    assert data["server"]["body"] == "Newer, from tab A"
    assert data["server"]["version"] == 4
    assert Response.objects.get().body == "Newer, from tab A"


def test_a_save_into_a_submitted_attempt_answers_409(student_client, student, essay):
    submitted = ResponseFactory(student=student, essay=essay, status="submitted")
    response = autosave(student_client, essay, {"body": "More", "attempt": 1, "version": 1})
    assert response.status_code == 409
    assert response.json()["error"] == "submitted"
    assert response.json()["response_url"] == submitted.get_absolute_url()


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        "[1, 2]",
        {"body": "x"},
        {"body": 5, "attempt": 1, "version": 0},
        {"body": "x", "attempt": "1", "version": 0},
        {"body": "x", "attempt": 1, "version": -1},
        {"body": "x", "attempt": True, "version": 0},
        {"body": "x", "attempt": 1, "version": 1.5},
        b"\xff\xfe",
    ],
)
def test_malformed_saves_are_refused_clearly(student_client, essay, payload):
    response = autosave(student_client, essay, payload)
    assert response.status_code == 400
    assert "was not understood" in response.json()["message"]
    assert not Response.objects.exists()


def test_nul_characters_are_refused_with_a_message(student_client, essay):
    response = autosave(student_client, essay, {"body": "a\x00b", "attempt": 1, "version": 0})
    assert response.status_code == 400
    assert "NUL character" in response.json()["message"]


def test_only_post_is_accepted(student_client, essay):
    response = student_client.get(reverse("essays:autosave", kwargs={"slug": essay.slug}))
    assert response.status_code == 405
    assert response.json()["error"] == "method"


@pytest.mark.parametrize("attempt", [0, -1])
def test_autosave_refuses_what_the_editor_form_refuses(student_client, essay, attempt):
    response = autosave(student_client, essay, {"body": "x", "attempt": attempt, "version": 0})
    assert response.status_code == 400
    assert "was not understood" in response.json()["message"]
    assert not Response.objects.exists()


def test_a_lone_surrogate_is_refused_with_a_message_the_editor_shows(student_client, essay):
    # What a browser sends for half an emoji: valid JSON, but no database can store it.
    payload = b'{"body": "Stalin \\ud83d and then", "attempt": 1, "version": 0}'
    response = autosave(student_client, essay, payload)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert "broken character after “Stalin ”" in response.json()["message"]
    assert not Response.objects.exists()


def test_deeply_nested_json_is_refused_as_json(student_client, essay):
    response = autosave(student_client, essay, "[" * 100_000 + "]" * 100_000)
    assert response.status_code == 400
    assert "was not understood" in response.json()["message"]


def test_a_three_megabyte_save_is_refused_as_json(student_client, essay):
    response = autosave(
        student_client, essay, {"body": "x" * 3_000_000, "attempt": 1, "version": 0}
    )
    assert response.status_code == 400
    assert "too long to save" in response.json()["message"]
    assert not Response.objects.exists()
