"""Email never holds up a page: every email is queued in the database and sent by the worker,
which tries again with back-off while the mail server is down or silent."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.urls import reverse
from django_tasks_db.models import DBTaskResult

from essays.models import Response
from studyhub.mail import MAX_ATTEMPTS, retry_delay
from tests.conftest import use_task_backend
from tests.factories import EssayFactory, ResponseFactory, UserFactory
from tests.smtp_server import FakeSMTPServer

# The worker checks its database connection between tasks, which a test's own transaction
# cannot survive: these tests commit, and the database is emptied after each.
pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def mail_server(settings):
    with FakeSMTPServer() as server:
        settings.MAILERS = {
            "default": {
                "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
                "OPTIONS": {"host": "127.0.0.1", "port": server.port, "timeout": 0.5},
            }
        }
        use_task_backend(settings, "django_tasks_db.DatabaseBackend")
        yield server


@pytest.fixture
def marker(client, default_scheme):
    teacher = UserFactory(username="mrs-khan", is_staff=True, is_superuser=True)
    client.force_login(teacher)
    return client


def submitted_work(count: int) -> list[Response]:
    essay = EssayFactory(status="published", marks_available=25)
    return [
        ResponseFactory(
            student=UserFactory(username=f"pupil{n}"),
            essay=essay,
            status=Response.Status.SUBMITTED,
            level=3,
            mark=14,
        )
        for n in range(count)
    ]


def waiting():
    """Queued tasks, due now or later."""
    return DBTaskResult.objects.filter(status="READY")


def run_worker() -> None:
    call_command(
        "db_worker", batch=True, startup_delay=False, interval=0, reload=False, verbosity=0
    )


def test_save_and_return_answers_without_touching_a_silent_mail_server(mail_server, marker):
    (work,) = submitted_work(1)
    response = marker.post(
        reverse("admin:essays_response_change", args=[work.pk]),
        {"level": 3, "mark": 14, "feedback": "Good", "_return": "1"},
    )
    assert response.status_code == 302
    work.refresh_from_db()
    assert work.status == Response.Status.RETURNED
    # The page never spoke to the mail server: the email waits in the queue.
    assert mail_server.connections == 0
    assert waiting().count() == 1


def test_return_selected_on_thirty_queues_thirty_emails_and_returns_all(mail_server, marker):
    work = submitted_work(30)
    response = marker.post(
        reverse("admin:essays_response_changelist"),
        {"action": "return_selected", "_selected_action": [r.pk for r in work]},
    )
    assert response.status_code == 302
    assert Response.objects.filter(status=Response.Status.RETURNED).count() == 30
    assert mail_server.connections == 0
    assert waiting().count() == 30


def test_every_email_goes_out_once_when_the_mail_server_answers_again(mail_server, marker, freezer):
    work = submitted_work(2)
    marker.post(
        reverse("admin:essays_response_changelist"),
        {"action": "return_selected", "_selected_action": [r.pk for r in work]},
    )
    # The server is silent: each attempt times out and is queued again, later.
    run_worker()
    assert mail_server.messages == []
    assert waiting().count() == 2
    run_worker()  # nothing is due before the back-off has passed
    assert mail_server.connections == 2

    mail_server.release()
    freezer.tick(retry_delay(1) + timedelta(seconds=1))
    run_worker()
    assert sorted(m["To"] for m in mail_server.messages) == [
        "pupil0@example.com",
        "pupil1@example.com",
    ]
    freezer.tick(timedelta(hours=1))
    run_worker()
    assert len(mail_server.messages) == 2
    assert not waiting().exists()
    assert not DBTaskResult.objects.failed().exists()


def test_an_email_that_never_goes_out_is_a_failed_task_staff_can_see(
    mail_server, marker, freezer, client
):
    submitted_work(1)
    work = Response.objects.get()
    marker.post(
        reverse("admin:essays_response_change", args=[work.pk]),
        {"level": 3, "mark": 14, "feedback": "Good", "_return": "1"},
    )
    for attempt in range(1, MAX_ATTEMPTS + 1):
        run_worker()
        freezer.tick(retry_delay(attempt) + timedelta(seconds=1))
    failed = DBTaskResult.objects.failed().get()
    assert "TimeoutError" in failed.exception_class_path or "timeout" in failed.traceback.lower()
    page = marker.get(
        reverse("admin:django_tasks_database_dbtaskresult_changelist") + "?status=FAILED"
    )
    assert page.status_code == 200
    assert "send_email" in page.content.decode()


def test_a_password_reset_answers_without_touching_a_silent_mail_server(mail_server, client):
    UserFactory(username="amira")
    response = client.post(reverse("password_reset"), {"email": "amira@example.com"})
    assert response.status_code == 302
    assert mail_server.connections == 0
    (task,) = waiting()
    assert task.args_kwargs["kwargs"]["to"] == ["amira@example.com"]
    mail_server.release()
    run_worker()
    (message,) = mail_server.messages
    assert message["Subject"] == "Reset your StudyHub password"
    assert "/accounts/reset/" in message.get_payload()
