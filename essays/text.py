"""What counts as a word: one definition, shared with the browser (static/js/wordcount.js).

A word is a run of characters between separators (white space and the dashes used as
punctuation: figure dash, en dash, em dash, horizontal bar) that holds at least one letter or
digit. So "well-known", "don't", "1939", "3.5%" and "19th-century" are one word each, "—" and
"-" alone are none, and "war—peace" is two. The browser counts with the same separators and
the same test for letters and digits, so the live count is the count StudyHub stores.
"""

import difflib
import re
from dataclasses import dataclass

SEPARATOR_CHARS = (
    "\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u2012-\u2015"
)
SEPARATORS = re.compile(f"[{SEPARATOR_CHARS}]+")
# A run without separators that holds a letter or digit ([^\W_] is exactly str.isalnum()).
WORD = re.compile(f"[^{SEPARATOR_CHARS}]*?[^\\W_][^{SEPARATOR_CHARS}]*")


def count_words(text: str) -> int:
    return len(WORD.findall(text))


def minutes_to_read(words: int, words_per_minute: int = 200) -> int:
    return max(1, -(-words // words_per_minute))


@dataclass(frozen=True)
class Change:
    kind: str  # "same", "added" or "removed"
    text: str


def text_changes(before: str, after: str) -> list[Change]:
    """Word-level differences between two drafts, white space kept, for showing as a diff."""
    old, new = re.split(r"(\s+)", before), re.split(r"(\s+)", after)
    changes = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for operation, a1, a2, b1, b2 in matcher.get_opcodes():
        if operation == "equal":
            changes.append(Change("same", "".join(old[a1:a2])))
            continue
        if a2 > a1:
            changes.append(Change("removed", "".join(old[a1:a2])))
        if b2 > b1:
            changes.append(Change("added", "".join(new[b1:b2])))
    return changes
