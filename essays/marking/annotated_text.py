"""A submitted response's text as HTML with its margin comments (and, for the teacher, the
passages it shares with the model essay) highlighted: the one renderer the marking page and the
student's returned response both use.

The text is rendered as it was written (the page shows it with `white-space: pre-wrap`), one
`<span class="line" data-start="N">` a line, where N is the character offset of the line in
the response's text. The marking page's script reads a selection's offsets from those: a
line holds no line break, so an offset inside a line is its `data-start` plus the characters
before the selection in that line (counted in code points, as Python counts them).
Overlapping comments split the text into segments, each marked with every comment it lies in.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from itertools import pairwise

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe


@dataclass(frozen=True)
class Highlight:
    start: int
    end: int
    # The annotation's number as the list beside the text numbers it (1, 2, …); None for a
    # passage shared with the model essay.
    number: int | None = None


def boundaries(length: int, highlights: Iterable[Highlight]) -> list[int]:
    """Every offset where a highlight starts or ends, inside the text, in order."""
    points = set()
    for highlight in highlights:
        points.add(max(0, min(length, highlight.start)))
        points.add(max(0, min(length, highlight.end)))
    return sorted(points)


def render(body: str, highlights: Iterable[Highlight] = ()) -> SafeString:
    """`body` as escaped HTML lines with `highlights` marked (see the module's docstring)."""
    highlights = [h for h in highlights if h.end > h.start]
    # Where each line starts and ends (the line break itself is left between the spans).
    line_starts, line_ends, position = [], [], 0
    for line in body.split("\n"):
        line_starts.append(position)
        line_ends.append(position + len(line))
        position += len(line) + 1
    every_point = boundaries(len(body), highlights)
    html = []
    for line_start, line_end in zip(line_starts, line_ends, strict=True):
        inner = line_end
        # A carriage return before the line break is not shown (browsers drop it from the
        # text anyway); it still counts in offsets after it, which data-start carries.
        if inner > line_start and body[inner - 1] == "\r":
            inner -= 1
        points = [point for point in every_point if line_start < point < inner]
        cuts = [line_start, *points, inner]
        parts = []
        for start, end in pairwise(cuts):
            if start == end:
                continue
            text = escape(body[start:end])
            inside = [h for h in highlights if h.start <= start and end <= h.end]
            numbers = sorted(h.number for h in inside if h.number is not None)
            shared = any(h.number is None for h in inside)
            if not inside:
                parts.append(text)
                continue
            classes = ["shared"] if shared else []
            attributes = ""
            if numbers:
                classes.append("annotated")
                if len(numbers) > 1:
                    classes.append("overlap")
                joined = " ".join(str(n) for n in numbers)
                attributes = f' data-notes="{joined}"'
                # The comment's number, shown by CSS before the passage it starts (generated
                # content: never part of the text a selection measures).
                starting = [h.number for h in inside if h.number is not None and h.start == start]
                if starting:
                    attributes += f' data-label="{",".join(str(n) for n in sorted(starting))}"'
            parts.append(f'<mark class="{" ".join(classes)}"{attributes}>{text}</mark>')
        html.append(f'<span class="line" data-start="{line_start}">{"".join(parts)}</span>')
    return mark_safe("\n".join(html))


def annotation_highlights(annotations) -> list[Highlight]:
    """The highlights of annotations listed in text order, numbered as that list numbers them."""
    return [
        Highlight(annotation.start, annotation.end, number)
        for number, annotation in enumerate(annotations, start=1)
    ]
