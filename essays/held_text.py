"""Text a student sent from the editor when it could not be saved into their draft (their
session had ended, or they already had a draft), held in this browser's session until the
editor can offer it back.

Held text is for the student whose editor sent it, and only for a day: a shared school
computer must never show one student's text to the next. It is dropped when anyone else logs
in on this browser (essays/signals.py), and is never longer than a draft may be.
"""

from datetime import datetime, timedelta

from django.utils import timezone

from essays.writing import MAX_CHARACTERS

KEY_PREFIX = "pending-response-text:"
LIFETIME = timedelta(days=1)


def held_text_key(essay_id: int) -> str:
    return f"{KEY_PREFIX}{essay_id}"


def hold_text(session, *, essay_id: int, body: str, student_id: int | None) -> bool:
    """Keep `body` for the student `student_id`; False (nothing kept) when it is longer than
    any draft may be or the sender is unknown."""
    if student_id is None or len(body) > MAX_CHARACTERS:
        return False
    session[held_text_key(essay_id)] = {
        "body": body,
        "student": student_id,
        "at": timezone.now().isoformat(),
    }
    return True


def usable(held, user_id: int) -> bool:
    if not isinstance(held, dict) or held.get("student") != user_id:
        return False
    try:
        held_at = datetime.fromisoformat(held["at"])
    except (KeyError, TypeError, ValueError):
        return False
    return timezone.now() - held_at < LIFETIME


def take_held_text(session, *, essay_id: int, user_id: int) -> str | None:
    """The text held for this student and essay, removed from the session; None if there is
    none, or it was someone else's, or it is more than a day old."""
    held = session.pop(held_text_key(essay_id), None)
    return held["body"] if usable(held, user_id) else None


def drop_held_texts_of_others(session, *, user_id: int) -> None:
    """At login: forget any held text that is not this student's, or is too old."""
    for key in [key for key in list(session.keys()) if key.startswith(KEY_PREFIX)]:
        if not usable(session[key], user_id):
            del session[key]
