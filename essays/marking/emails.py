"""Emails about marking, rendered from templates/emails/<name>-subject.txt and
<name>-body.txt and sent by the background worker (studyhub/mail.py)."""

from django.template.loader import render_to_string

from essays.models import Response
from studyhub.mail import queue_email


def render_email(name: str, context: dict) -> tuple[str, str]:
    """The subject (one line) and plain-text body of the email `name`."""
    subject = " ".join(render_to_string(f"emails/{name}-subject.txt", context).split())
    body = render_to_string(f"emails/{name}-body.txt", context)
    return subject, body


def queue_returned_email(student_response: Response, *, site_url: str) -> None:
    """Tell the student their work is back. Queued with the return itself: a mail server that
    is down delays the email, never the return (the student sees it on My work either way)."""
    student = student_response.student
    if not student.email:
        return
    link = f"{site_url.rstrip('/')}{student_response.get_absolute_url()}"
    subject, body = render_email(
        "response-returned",
        {"student": student, "student_response": student_response, "link": link},
    )
    queue_email(to=[student.email], subject=subject, body=body)
