from datetime import timedelta
from unittest import mock

import pytest
from django.db import OperationalError

from studyhub.mail import send_email
from tests.conftest import use_task_backend


@pytest.mark.django_db
def test_healthz_answers_ok_when_the_database_answers(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["status"] == "ok"
    assert body["database"] == body["cache"] == {"ok": True}
    assert body["tasks"] == {"ok": True, "oldest_waiting_seconds": 0}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_does_not(client, caplog):
    with mock.patch(
        "studyhub.views.connection.cursor", side_effect=OperationalError("connection refused")
    ):
        response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["database"] == {"ok": False, "error": "OperationalError"}
    assert "the database did not answer" in caplog.text


@pytest.mark.django_db
def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


@pytest.mark.django_db
def test_healthz_reports_the_oldest_waiting_task(client, settings, freezer):
    use_task_backend(settings, "django_tasks_db.DatabaseBackend")
    body = client.get("/healthz").json()
    assert body["tasks"] == {"ok": True, "oldest_waiting_seconds": 0}
    send_email.enqueue(to=["amira@example.com"], subject="Marked", body="Read it")
    freezer.tick(timedelta(minutes=3))
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["tasks"] == {"ok": True, "oldest_waiting_seconds": 180}


@pytest.mark.django_db
def test_healthz_is_down_when_no_worker_has_taken_a_task_for_too_long(
    client, settings, freezer, caplog
):
    use_task_backend(settings, "django_tasks_db.DatabaseBackend")
    settings.STUDYHUB_TASK_QUEUE_STUCK_SECONDS = 600
    send_email.enqueue(to=["amira@example.com"], subject="Marked", body="Read it")
    freezer.tick(timedelta(minutes=11))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "down"
    assert body["tasks"]["ok"] is False
    assert body["tasks"]["oldest_waiting_seconds"] == 660
    assert "Health check: the tasks component is stuck" in caplog.text
