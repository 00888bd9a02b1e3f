"""What counts as a word: one definition, shared with the browser (static/js/wordcount.js).

A word is a run of characters between separators (white space and the dashes used as
punctuation: figure dash, en dash, em dash, horizontal bar) that holds at least one letter or
digit. So "well-known", "don't", "1939", "3.5%" and "19th-century" are one word each, "—" and
"-" alone are none, and "war—peace" is two. The browser counts with the same separators and
the same test for letters and digits, so the live count is the count StudyHub stores.
"""

import re

SEPARATORS = re.compile(
    "[\t\n\x0b\x0c\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff\u2012-\u2015]+"
)


def count_words(text: str) -> int:
    return sum(1 for token in SEPARATORS.split(text) if any(ch.isalnum() for ch in token))


def reading_minutes(text: str, words_per_minute: int = 200) -> int:
    return max(1, -(-count_words(text) // words_per_minute))
