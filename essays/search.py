"""Ranked search over the essay library, and excerpts that show where the words matched.

On PostgreSQL the search is PostgreSQL's full-text search (English stemming, weighted fields:
headline, then statement, then everything else), reading the vector a trigger stores in
`Essay.search_vector` through its GIN index (migration 0010). On SQLite it is SQLite's full-text
search (FTS5, Porter stemming, BM25 ranking with the same order of weights) over the index
migration 0012 keeps. Either way every word of the query must appear.
"""

import re

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.db import connection
from django.db.models import F
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SQLITE_INDEX = "essays_essay_fts"
MAX_QUERY_LENGTH = 200
MAX_TERMS = 8
EXCERPT_LENGTH = 220
WORD = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def search_document(
    *, headline: str, statement: str, body: str, notes: list[str], tags: list[str]
) -> str:
    """Everything a search looks through for one essay, in lower case: stored on the essay as
    `search_document` and indexed (see the module's docstring)."""
    return "\n".join([headline, statement, body, *notes, *tags]).lower()


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
    return sqlite_full_text(queryset, terms)


def sqlite_full_text(queryset, terms: list[str]):
    """Every term must occur (after stemming); ranked by BM25 with the headline counting ten
    times and the claim five times as much as the rest. The index is migration 0012's."""
    match = " ".join('"' + term.replace('"', '""') + '"' for term in terms)
    return queryset.extra(
        tables=[SQLITE_INDEX],
        where=[f"{SQLITE_INDEX}.rowid = essays_essay.id", f"{SQLITE_INDEX} MATCH %s"],
        params=[match],
        # bm25() is lower for better matches; negated, so higher is better as on PostgreSQL.
        select={"rank": f"-bm25({SQLITE_INDEX}, 10.0, 5.0, 1.0)"},
        order_by=["-rank", "headline"],
    )


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
