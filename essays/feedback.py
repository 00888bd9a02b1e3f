"""Instant feedback on a submitted response: which key points it makes, and how much of it is
shared word for word with the model essay.

Both compare normalised text: accents removed, lower case, punctuation as spaces. They run in
linear time (sets of phrases and of word 5-grams), so a 5,000-word answer against a 5,000-word
essay takes milliseconds: `python bench/feedback.py` measures it.
"""

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

SHINGLE = 5
# Apostrophes join ("Stalin's" -> "stalins"); every other non-letter, non-digit separates.
APOSTROPHES = re.compile(r"['’ʼ`]")
NON_WORD = re.compile(r"[^a-z0-9]+")
# A word as written: letters and digits, with apostrophes inside ("Stalin's", "don't").
WORD_UNIT = re.compile(r"[^\W_]+(?:['’ʼ`]+[^\W_]+)*")


def normalise(text: str) -> str:
    """Lower case ASCII words separated by single spaces: "Nazi–Soviet Pact, 1939." ->
    "nazi soviet pact 1939"."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    joined = APOSTROPHES.sub("", stripped.lower())
    return NON_WORD.sub(" ", joined).strip()


def words(text: str) -> list[str]:
    return [word for unit in WORD_UNIT.finditer(text) for word in normalise(unit.group()).split()]


@dataclass(frozen=True)
class KeyPoint:
    id: int
    text: str
    phrases: tuple[str, ...]


def covered_key_points(text: str, key_points: list[KeyPoint]) -> list[int]:
    """The ids of the key points whose phrases appear in the text (any one of a point's phrases
    makes it), matched as whole words: "1934" is not found in "19345", nor "war" in "warsaw"."""
    padded = f" {normalise(text)} "
    covered = []
    for point in key_points:
        for phrase in point.phrases:
            wanted = normalise(phrase)
            if wanted and f" {wanted} " in padded:
                covered.append(point.id)
                break
    return covered


def shingles(word_list: list[str], size: int = SHINGLE) -> set[tuple[str, ...]]:
    return {tuple(word_list[i : i + size]) for i in range(len(word_list) - size + 1)}


def similarity(response: str, model: str) -> float:
    """The share (0 to 1) of the response's word 5-grams that also occur in the model essay."""
    response_shingles = shingles(words(response))
    if not response_shingles:
        return 0.0
    shared = response_shingles & shingles(words(model))
    return len(shared) / len(response_shingles)


def shared_spans(response: str, model: str) -> list[tuple[int, int]]:
    """Where the response shares a run of words with the model essay (in some 5-word window),
    as (start, end) character offsets into the response: what the marking page highlights."""
    model_shingles = shingles(words(model))
    spans = []
    # Paragraphs: runs of text between blank lines (a window never spans two).
    for paragraph in re.finditer(r"(?:(?!\n\s*\n).)+", response, flags=re.DOTALL):
        units = list(WORD_UNIT.finditer(paragraph.group()))
        sequence = [
            (word, index)
            for index, unit in enumerate(units)
            for word in normalise(unit.group()).split()
        ]
        marked: set[int] = set()
        for start in range(len(sequence) - SHINGLE + 1):
            window = sequence[start : start + SHINGLE]
            if tuple(word for word, _ in window) in model_shingles:
                marked.update(range(window[0][1], window[-1][1] + 1))
        index = 0
        while index < len(units):
            if index not in marked:
                index += 1
                continue
            end = index
            while end + 1 < len(units) and end + 1 in marked:
                end += 1
            spans.append(
                (paragraph.start() + units[index].start(), paragraph.start() + units[end].end())
            )
            index = end + 1
    return spans


def highlight_shared(response: str, model: str) -> SafeString:
    """The response as escaped HTML paragraphs, with every run of words it shares with the model
    essay (in some 5-word window) in <mark>, so copying shows at a glance."""
    marks = shared_spans(response, model)
    text = response.strip()
    offset = response.index(text) if text else 0
    paragraphs = []
    for paragraph in re.split(r"(\n\s*\n)", text):
        if not paragraph or not paragraph.strip():
            offset += len(paragraph)
            continue
        html, position = [], 0
        for start, end in marks:
            start, end = start - offset, end - offset
            if end <= 0 or start >= len(paragraph):
                continue
            html.append(escape(paragraph[position:start]))
            html.append(f"<mark>{escape(paragraph[start:end])}</mark>")
            position = end
        html.append(escape(paragraph[position:]))
        paragraphs.append(f"<p>{''.join(html)}</p>")
        offset += len(paragraph)
    return mark_safe("\n".join(paragraphs))
