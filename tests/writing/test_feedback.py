"""Instant feedback: key points covered and similarity to the model essay, on fixed texts."""

import pytest

from essays.feedback import KeyPoint, covered_key_points, highlight_shared, normalise, similarity

MODEL = (
    "Stalin consistently favoured a policy of collective security against Nazi Germany. In 1934 "
    "the Soviet Union joined the League of Nations and signed mutual assistance pacts with "
    "France and Czechoslovakia in 1935. The Munich Conference in 1938 showed that collective "
    "security had failed, which led to the signing of the Nazi-Soviet Pact in 1939."
)
ORIGINAL = (
    "Historians disagree about Soviet aims. Defence mattered, but ideology and opportunism "
    "shaped choices too: the occupation of eastern Poland and the Baltic states suggests "
    "expansion as well as caution."
)
POINTS = [
    KeyPoint(1, "Joined the League", ("League of Nations", "1934")),
    KeyPoint(2, "Collective security", ("collective security",)),
    KeyPoint(3, "The Pact", ("Nazi-Soviet Pact",)),
    KeyPoint(4, "Xinjiang", ("Xinjiang",)),
]


def test_normalising_ignores_case_accents_and_punctuation():
    assert normalise("Nazi–Soviet PACT, 1939!") == "nazi soviet pact 1939"
    assert normalise("Stalin’s RÉGIME") == "stalins regime"
    assert normalise("  ...  ") == ""


@pytest.mark.parametrize(
    ("text", "covered"),
    [
        (MODEL, [1, 2, 3]),
        ("the LEAGUE of nations", [1]),
        ("In 1934, Moscow changed course", [1]),
        ("collective-security", [2]),
        ("Collective   Security", [2]),
        ("the nazi soviet pact", [3]),
        ("the Nazi–Soviet Pact", [3]),
        ("Xīnjiāng", [4]),
        ("19345 leagues of nationalists", []),
        ("collectively secure", []),
        ("", []),
    ],
)
def test_key_points_match_whole_words_whatever_the_case_accents_or_punctuation(text, covered):
    assert covered_key_points(text, POINTS) == covered


def test_a_pasted_model_essay_is_almost_entirely_shared():
    assert similarity(MODEL, MODEL) == 1.0
    assert similarity(MODEL.upper().replace(",", ""), MODEL) == 1.0


def test_an_original_answer_shares_almost_nothing():
    assert similarity(ORIGINAL, MODEL) == 0.0


def test_a_partly_copied_answer_scores_in_between():
    mixed = ORIGINAL + " " + MODEL[:180]
    assert 0.2 < similarity(mixed, MODEL) < 0.8


def test_short_answers_have_no_five_word_windows():
    assert similarity("Stalin wanted security.", MODEL) == 0.0


def test_shared_passages_are_highlighted_and_everything_is_escaped():
    answer = (
        "I think <b>that</b> in 1934 the Soviet Union joined the League of Nations.\n\n"
        "Something else entirely."
    )
    html = highlight_shared(answer, MODEL)
    assert "<mark>in 1934 the Soviet Union joined the League of Nations</mark>." in html
    assert "&lt;b&gt;that&lt;/b&gt;" in html
    assert html.count("<p>") == 2
    assert "<mark>" not in html.split("<p>")[2]
