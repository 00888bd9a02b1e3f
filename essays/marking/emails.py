"""Emails about marking, rendered from templates/emails/<name>-subject.txt and
<name>-body.txt."""

import logging

from django.core.mail import send_mail
from django.template.loader import render_to_string

from essays.models import Response

logger = logging.getLogger(__name__)


def render_email(name: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and plain-text body of the email `name`."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    return subject, body


def email_returned_response(student_response: Response, *, site_url: str) -> None:
    """Tell the student their work is back. A mail server that is down is logged, not raised:
    the response is returned either way, and the student sees it on My work."""
    student = student_response.student
    if not student.email:
        return
    link = f"{site_url.rstrip('/')}{student_response.get_absolute_url()}"
    subject, body = render_email(
        "response-returned",
        {"student": student, "student_response": student_response, "link": link},
    )
    try:
        send_mail(
            subject=subject,
            message=body,
            from_email=None,
            recipient_list=[student.email],
            fail_silently=False,
        )
    except Exception:
        logger.exception(
            "Could not email %s about returned response %s", student, student_response.pk
        )
