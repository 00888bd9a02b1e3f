"""Ranked search over the essay library, forgiving of typing, and excerpts that show where the
words matched.

On PostgreSQL the search is PostgreSQL's full-text search (English stemming, weighted fields:
headline, then statement, then everything else), reading the vector a trigger stores in
`Essay.search_vector` through its GIN index (migration 0010). On SQLite it is SQLite's full-text
search (FTS5, Porter stemming, BM25 ranking with the same order of weights) over the index
migration 0012 keeps. The modules:

- `query`: the typed words read into clauses (words and quoted phrases), the same for both;
- `backends`: each database's SQL for matching (once a search, or a sample), ranking and its
  vocabulary;
- `results`: a catalogue search — counting or estimating, with the facets, in one query;
  spelling suggestions, "most of the words", and a page ranked without scoring every match;
- `spelling`: choosing a suggestion among the index's words;
- `highlight`: excerpts with whole words and phrases marked.

None of them imports a model: essays.models imports this package for `search_document`.
"""

from essays.search.backends import backend
from essays.search.highlight import Highlighter, excerpt
from essays.search.query import MAX_QUERY_LENGTH, clean, parse, search_terms
from essays.search.results import SearchOutcome, every, find

__all__ = [
    "MAX_QUERY_LENGTH",
    "Highlighter",
    "SearchOutcome",
    "clean",
    "excerpt",
    "find",
    "parse",
    "search",
    "search_document",
    "search_terms",
]


def search_document(
    *, headline: str, statement: str, body: str, notes: list[str], tags: list[str]
) -> str:
    """Everything a search looks through for one essay, in lower case: stored on the essay as
    `search_document` and indexed (see the module's docstring)."""
    return "\n".join([headline, statement, body, *notes, *tags]).lower()


def search(queryset, query: str):
    """Essays of `queryset` with every word and phrase of the query, best first, annotated with
    `rank` (no suggestions, no relaxing: see `find` for the catalogue's search)."""
    parsed = parse(query)
    if not parsed:
        return queryset.none()
    expression = every(parsed.clauses)
    database = backend()
    return (
        queryset.filter(database.matches(expression))
        .annotate(rank=database.score(expression))
        .order_by("-rank", "headline")
    )
