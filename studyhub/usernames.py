"""Usernames that look like someone else's: "аmira" with a Cyrillic "а" beside "amira".

confusable_homoglyphs (the Unicode consortium's confusables data, as django-registration uses)
says which characters can be mistaken for which; nothing here keeps a table of its own.
"""

from functools import cache

from confusable_homoglyphs import confusables
from django.contrib.auth import get_user_model
from django.db.models.functions import Length

# The data wraps right-to-left characters in direction marks.
DIRECTION_MARKS = "\u200e\u200f"


@cache
def lookalikes(character: str) -> frozenset[str]:
    """The single characters that `character` can be mistaken for."""
    glyphs = (
        glyph["c"].strip(DIRECTION_MARKS)
        for entry in confusables.is_confusable(character, greedy=True) or []
        for glyph in entry["homoglyphs"]
    )
    return frozenset(glyph for glyph in glyphs if len(glyph) == 1)


def same_looking(first: str, second: str) -> bool:
    return len(first) == len(second) and all(
        a == b or b in lookalikes(a) or a in lookalikes(b)
        for a, b in zip(first, second, strict=True)
    )


def look_alike(first: str, second: str) -> bool:
    """Whether two usernames can be mistaken for each other letter by letter, as written, in
    lower case or in capitals: "Ian" and "lan" can, "all" and "ali" cannot."""
    return (
        same_looking(first, second)
        or same_looking(first.lower(), second.lower())
        or same_looking(first.upper(), second.upper())
    )


def lookalike_of(username: str) -> str | None:
    """An existing username that `username` could be mistaken for, other than itself in
    another case (Django's own check refuses that one)."""
    candidates = (
        get_user_model()
        .objects.annotate(length=Length("username"))
        .filter(length=len(username))
        .exclude(username__iexact=username)
        .values_list("username", flat=True)
        .iterator()
    )
    return next((other for other in candidates if look_alike(username, other)), None)


def mixes_lookalike_scripts(username: str) -> bool:
    """Letters from more than one alphabet, some of which look like another's: nobody writes
    their name that way except to pass for someone else (django-registration refuses these)."""
    return bool(confusables.is_dangerous(username))
