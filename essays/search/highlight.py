"""Excerpts: a passage of an essay around its first match, with the matches marked.

A match is always whole words: a word of the query, or a form of it the index would also have
found ("pacts" for "pact": the same word once a plural or -ed/-ing ending is taken off), or a
quoted phrase as one span. Never part of a word: "pact" is not marked inside "impact".
"""

import re
from collections.abc import Iterator, Sequence

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from essays.search.query import Clause

EXCERPT_LENGTH = 220
TOKEN = re.compile(r"[^\W_]+")
SEPARATOR = re.compile(r"[\W_]*")
ENDINGS = ("ies", "es", "s", "ed", "ing")


def stem(word: str) -> str:
    """A light stem for matching whole words: enough to pair "treaty" with "treaties", "pact"
    with "pacts", "appease" with "appeased"; never longer than the word."""
    word = word.lower()
    for ending in ENDINGS:
        if ending == "s" and word.endswith("ss"):
            break
        if word.endswith(ending) and len(word) - len(ending) >= 3:
            word = word[: -len(ending)]
            if ending == "ies":
                word += "y"
            break
    return word.rstrip("e") or word


class Highlighter:
    """Finds the query's clauses in text as spans of whole words."""

    def __init__(self, clauses: Sequence[Clause]):
        self.clauses = [tuple(stem(word) for word in clause.words) for clause in clauses]
        firsts = sorted({words[0] for words in self.clauses}, key=len, reverse=True)
        # Candidate words are found by the regular expression engine (fast, in C): a word that
        # starts with a clause's first stem; each is then checked as a whole word in Python.
        self.candidates = (
            re.compile(
                r"(?<![^\W_])(?:" + "|".join(re.escape(first) for first in firsts) + r")[^\W_]*",
                re.IGNORECASE,
            )
            if firsts
            else None
        )

    def spans(self, text: str) -> Iterator[tuple[int, int]]:
        """(start, end) of each match in text, in order, not overlapping."""
        if self.candidates is None:
            return
        position = 0
        while found := self.candidates.search(text, position):
            first = stem(found.group(0))
            end = None
            for words in self.clauses:
                if words[0] == first:
                    end = self._phrase_end(text, found.end(), words[1:])
                    if end is not None:
                        break
            if end is None:
                position = found.end()
                continue
            yield found.start(), end
            position = end

    def _phrase_end(self, text: str, position: int, rest: tuple[str, ...]) -> int | None:
        for word in rest:
            position = SEPARATOR.match(text, position).end()
            token = TOKEN.match(text, position)
            if token is None or stem(token.group(0)) != word:
                return None
            position = token.end()
        return position

    def mark(self, passage: str) -> SafeString:
        """The passage, escaped, with every match in <mark>."""
        out, last = [], 0
        for start, end in self.spans(passage):
            out.append(escape(passage[last:start]))
            out.append(f"<mark>{escape(passage[start:end])}</mark>")
            last = end
        out.append(escape(passage[last:]))
        return mark_safe("".join(out))


def excerpt(text: str, highlighter: Highlighter | None, length: int = EXCERPT_LENGTH) -> SafeString:
    """A passage of `text` around the first match, escaped, with matches in <mark>; cut at
    spaces, so it starts and ends with whole words."""
    first = next(highlighter.spans(text), None) if highlighter else None
    start = 0
    if first and first[0] > length // 3:
        start = text.rfind(" ", 0, first[0] - length // 3) + 1
    passage = text[start : start + length]
    if start + length < len(text):
        passage = passage[: passage.rfind(" ")] if " " in passage else passage
        passage += "…"
    if start:
        passage = "…" + passage
    return highlighter.mark(passage) if highlighter else mark_safe(escape(passage))
