"""Ranked search over the essay library, and excerpts that show where the words matched.

On PostgreSQL the search is PostgreSQL's full-text search (English stemming, weighted fields:
headline, then statement, then everything else), reading the vector a trigger stores in
`Essay.search_vector` through its GIN index (migration 0010). On SQLite every word must appear
somewhere in the essay, and essays rank by where and how often the words appear: headline, then
the claim, then anywhere.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import Case, F, FloatField, Value, When
from django.db.models.functions import Cast, Length, Lower, Replace
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
EXCERPT_LENGTH = 220
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def search_terms(query: str) -> list[str]:
    """The words of a query, lower case, without repeats: at most MAX_TERMS of them."""
    words = WORD.findall(query[:MAX_QUERY_LENGTH].lower())
    return list(dict.fromkeys(words))[:MAX_TERMS]


def search(queryset, query: str):
    """Essays matching every word of the query, best first, annotated with `rank`."""
    terms = search_terms(query)
    if not terms:
        return queryset.none()
    if connection.vendor == "postgresql":
        text_query = SearchQuery(" ".join(terms), config="english", search_type="plain")
        return (
            queryset.filter(search_vector=text_query)
            .annotate(rank=SearchRank(F("search_vector"), text_query))
            .order_by("-rank", "headline")
        )
    return rank_by_occurrences(queryset, terms)


def rank_by_occurrences(queryset, terms: list[str]):
    """Every term must occur; the score counts occurrences, with a bonus for the headline (3)
    and the claim (2). `search_document` is stored in lower case, so counting is exact."""
    rank = Value(0.0, output_field=FloatField())
    for term in terms:
        queryset = queryset.filter(search_document__contains=term)
        occurrences = (
            Length("search_document") - Length(Replace("search_document", Value(term)))
        ) / len(term)
        rank = (
            rank
            + Cast(occurrences, FloatField())
            + Case(When(headline__icontains=term, then=Value(3.0)), default=Value(0.0))
            + Case(When(statement__icontains=term, then=Value(2.0)), default=Value(0.0))
        )
    return queryset.annotate(rank=rank).order_by(F("rank").desc(), Lower("headline"))


def excerpt(text: str, terms: list[str], length: int = EXCERPT_LENGTH) -> SafeString:
    """A passage of `text` around the first matching word, escaped, with matches in <mark>."""
    if not terms:
        return mark_safe(escape(text[:length]))
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(term) for term in sorted(terms, key=len, reverse=True)) + r")",
        re.IGNORECASE,
    )
    found = pattern.search(text)
    start = 0
    if found and found.start() > length // 3:
        start = text.rfind(" ", 0, found.start() - length // 3) + 1
    passage = text[start : start + length]
    if start + length < len(text):
        passage = passage[: passage.rfind(" ")] if " " in passage else passage
        passage += "…"
    if start:
        passage = "…" + passage
    highlighted = []
    last = 0
    for match in pattern.finditer(passage):
        highlighted.append(escape(passage[last : match.start()]))
        highlighted.append(f"<mark>{escape(match.group(0))}</mark>")
        last = match.end()
    highlighted.append(escape(passage[last:]))
    return mark_safe("".join(highlighted))
