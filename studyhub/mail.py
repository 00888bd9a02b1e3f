"""Every email StudyHub sends goes through the background task queue, never from inside a
request: a slow or broken mail server holds up no page.

`queue_email()` enqueues `send_email` on the project's own database (django-tasks-db), so the
email is queued in the same transaction as the change it reports — returned work and its email
are committed together or not at all. A worker (`manage.py db_worker`) sends it. A mail server
that is down or slow (EMAIL_TIMEOUT) is tried again with back-off; after the last attempt the
task is recorded as failed, with the error, under "Task results" in the admin site.
"""

import logging
from datetime import timedelta

from django.core.mail import send_mail
from django.tasks import task
from django.utils import timezone

logger = logging.getLogger(__name__)

# Six attempts over about a quarter of an hour: 30 s, 1, 2, 4 and 8 minutes apart.
MAX_ATTEMPTS = 6
FIRST_RETRY = timedelta(seconds=30)


def retry_delay(attempt: int) -> timedelta:
    """How long to wait after failed attempt number `attempt` (1, 2, …)."""
    return FIRST_RETRY * 2 ** (attempt - 1)


@task
def send_email(*, to: list[str], subject: str, body: str, attempt: int = 1) -> str:
    """Send one email; on failure, queue the next attempt (or fail for good after the last)."""
    try:
        send_mail(subject=subject, message=body, from_email=None, recipient_list=to)
    except Exception:
        if attempt >= MAX_ATTEMPTS or not send_email.get_backend().supports_defer:
            logger.exception(
                "Email %r to %s failed for good after %d attempts", subject, to, attempt
            )
            raise
        run_after = timezone.now() + retry_delay(attempt)
        send_email.using(run_after=run_after).enqueue(
            to=to, subject=subject, body=body, attempt=attempt + 1
        )
        logger.warning(
            "Email %r to %s failed (attempt %d); trying again at %s",
            subject,
            to,
            attempt,
            run_after.isoformat(timespec="seconds"),
            exc_info=True,
        )
        return f"failed attempt {attempt}; retrying"
    return "sent"


def queue_email(*, to: list[str], subject: str, body: str) -> None:
    """Queue an email for the worker. Call it inside the transaction that makes the change the
    email reports: the email is queued if and only if that change is committed."""
    send_email.enqueue(to=to, subject=subject, body=body)
