"""Spelling suggestions: for a word the index has nowhere, the word it most likely meant.

The candidates are the index's own words, with the number of essays having each (its
vocabulary, read by the backend): those beginning with the typed word's first three letters,
or with them as they would be had the typist swapped two of them or added one ("satlin",
"sttalin" → "stalin"). Both databases then keep the same ones, by the same rules: trigram
similarity (pg_trgm's measure, computed by PostgreSQL there and here for SQLite) of at least
SIMILAR_AT_LEAST, and an edit distance of at most one (two for longer words), where swapping
two neighbouring letters is one edit ("frankenstien" → "frankenstein"). The closest wins,
then the one in most essays, then the first alphabetically.
"""

from collections.abc import Iterable

# Words shorter than this are left as typed: too many words are one edit away from them.
SHORTEST_CORRECTED = 4
SIMILAR_AT_LEAST = 0.2


def correctable(word: str) -> bool:
    return len(word) >= SHORTEST_CORRECTED and not word.isdigit()


def most_edits(word: str) -> int:
    return 1 if len(word) < 7 else 2


def prefixes(word: str) -> list[str]:
    """The first three letters a correction of `word` may begin with."""
    return sorted({word[:3], word[0] + word[2] + word[1], word[0] + word[2:4], word[:2] + word[3]})


def trigrams(word: str) -> set[str]:
    padded = f"  {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def similarity(a: str, b: str) -> float:
    """pg_trgm's similarity() for single words: shared trigrams over all trigrams."""
    first, second = trigrams(a), trigrams(b)
    return len(first & second) / len(first | second)


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (insertions, deletions, substitutions and swaps of
    neighbouring letters), or limit + 1 as soon as it must exceed `limit`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] = []
    previous = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def corrections(words: list[str], vocabulary: Iterable[tuple[str, str, int]]) -> dict[str, str]:
    """{typed word: suggested word} for the typed words with a suggestion. `vocabulary` holds
    (typed word, candidate, essays having the candidate) rows."""
    best: dict[str, tuple[int, int, str]] = {}
    for typed, candidate, essays in vocabulary:
        if (
            typed not in words
            or candidate == typed
            or not candidate.isalnum()
            or candidate[:3] not in prefixes(typed)
            or similarity(typed, candidate) < SIMILAR_AT_LEAST
        ):
            continue
        limit = most_edits(typed)
        distance = edit_distance(typed, candidate, limit)
        if distance > limit:
            continue
        key = (distance, -essays, candidate)
        if typed not in best or key < best[typed]:
            best[typed] = key
    return {typed: key[2] for typed, key in best.items()}
