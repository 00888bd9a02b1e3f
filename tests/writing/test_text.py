"""One definition of a word, shared by the server and the editor's live count."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from essays.text import SEPARATORS, count_words, minutes_to_read

AWKWARD = [
    ("", 0),
    ("   \n\t ", 0),
    ("well-known", 1),
    ("don't", 1),
    ("Stalin’s aims", 2),
    ("1 September 1939", 3),
    ("1933–1937", 2),  # a range: two dates
    ("war—peace", 2),
    ("war — peace", 2),
    ("Nazi–Soviet Pact", 3),
    ("NaziSoviet", 1),
    ("3.5% of GDP", 3),
    ("£3.60 an hour", 3),
    ("19th-century", 1),
    ("- — – ‒ ―", 0),
    ("...", 0),
    ("“Socialism in One Country.”", 4),
    ("e.g. the U.S.S.R.", 3),
    ("café naïve Ærø", 3),
    ("line one\nline two\r\nline three", 6),
    ("non\u00a0breaking", 2),
]


@pytest.mark.parametrize(("text", "words"), AWKWARD)
def test_awkward_text_counts_as_a_reader_would(text, words):
    assert count_words(text) == words


@given(st.text(), st.text())
def test_joining_two_texts_with_a_space_adds_their_counts(first, second):
    assert count_words(first + " " + second) == count_words(first) + count_words(second)


@given(st.text())
def test_a_count_never_exceeds_the_pieces_of_text(text):
    assert 0 <= count_words(text) <= len(text.split()) + text.count("—") + text.count("–") + 1


PIECES = " \t\n\u00a0\u2003—–‒―-'’_.%é١Ⅻ\u0301a7"


@given(st.text() | st.text(alphabet=PIECES))
def test_the_count_is_the_definition_word_for_word(text):
    """The fast count agrees with the definition: pieces between separators holding a letter or
    digit."""
    pieces = SEPARATORS.split(text)
    assert count_words(text) == sum(1 for piece in pieces if any(ch.isalnum() for ch in piece))


def test_reading_time_rounds_up_to_whole_minutes():
    assert minutes_to_read(count_words("word " * 10)) == 1
    assert minutes_to_read(count_words("word " * 200)) == 1
    assert minutes_to_read(count_words("word " * 201)) == 2
