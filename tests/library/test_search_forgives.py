"""Search that forgives: misspelt words, words no essay has all of, quoted phrases, odd input.
Runs on SQLite and on PostgreSQL alike (DATABASE_URL), with the same expectations."""

import html
import re

import pytest
from django.urls import reverse

from essays.models import Essay
from essays.search import results
from tests.factories import EssayFactory, SubjectFactory

pytestmark = pytest.mark.django_db
CATALOGUE = reverse("essays:catalogue")


def headlines(response) -> list[str]:
    return [essay.headline for essay in response.context["essays"]]


def page(client, **params) -> str:
    response = client.get(CATALOGUE, params)
    assert response.status_code == 200
    return response.content.decode()


@pytest.fixture
def library():
    history = SubjectFactory(name="History")
    english = SubjectFactory(name="English Literature")
    economics = SubjectFactory(name="Economics")
    EssayFactory(
        headline="Stalin's foreign policy",
        statement="‘Stalin’s main aim was to defend the Soviet Union.’",
        body="Litvinov sought collective security. Then came the Nazi-Soviet Pact of August "
        "1939, and with it the secret protocol. Earlier pacts had failed.",
        subject=history,
        status="published",
        tags=["Soviet Union"],
    )
    EssayFactory(
        headline="Frankenstein and the sublime",
        statement="‘Frankenstein is a warning against ambition.’",
        body="Victor Frankenstein climbs the glacier; the creature speaks of his impact.",
        subject=english,
        status="published",
    )
    EssayFactory(
        headline="Appeasement",
        statement="‘Appeasement was a rational policy.’",
        body="The Soviet Union was not invited to Munich. A pact with Britain never came; "
        "the Nazi state went on.",
        subject=history,
        status="published",
    )
    EssayFactory(
        headline="Minimum wage",
        statement="‘Raising the minimum wage increases unemployment.’",
        body="A monopsony employer can pay below the marginal revenue product.",
        subject=economics,
        status="published",
    )
    EssayFactory(headline="Zhukov at Khalkhin Gol", body="Zhukov, 1939.", status="draft")


# Spelling


@pytest.mark.parametrize(
    ("typed", "meant", "headline"),
    [
        ("stallin", "stalin", "Stalin's foreign policy"),
        ("frankenstien", "frankenstein", "Frankenstein and the sublime"),
        ("monopsonny", "monopsony", "Minimum wage"),
    ],
)
def test_a_misspelt_word_finds_what_was_meant_and_says_so(client, library, typed, meant, headline):
    response = client.get(CATALOGUE, {"q": typed})
    assert headlines(response) == [headline]
    text = response.content.decode()
    assert f'Showing results for <a href="?q={meant}"><strong>{meant}</strong></a>' in text
    assert f'Search instead for <a href="?q={typed}&amp;exact=1">{typed}</a>' in text
    assert f"One essay matching “{meant}”" in text


def test_searching_instead_for_the_word_as_typed_does_not_correct_it(client, library):
    response = client.get(CATALOGUE, {"q": "stallin", "exact": "1"})
    assert headlines(response) == []
    assert "Showing results for" not in response.content.decode()
    assert "No published essays match “stallin”" in response.content.decode()


def test_only_the_misspelt_word_of_several_is_corrected(client, library):
    response = client.get(CATALOGUE, {"q": "stallin pact"})
    assert headlines(response) == ["Stalin's foreign policy"]
    assert 'Showing results for <a href="?q=stalin+pact"><strong>stalin pact</strong></a>' in (
        response.content.decode()
    )


def test_a_word_that_matches_is_never_corrected_even_to_a_commoner_one(client, library):
    for n in range(3):
        EssayFactory(headline=f"Keyes {n}", body="Admiral Keyes at Zeebrugge.", status="published")
    EssayFactory(headline="Versailles", body="Keynes wrote in 1919.", status="published")
    response = client.get(CATALOGUE, {"q": "keynes"})
    assert headlines(response) == ["Versailles"]
    assert "Showing results for" not in response.content.decode()


def test_the_closest_word_wins_then_the_one_in_most_essays(client, library):
    EssayFactory(headline="A", body="The mandate system.", status="published")
    EssayFactory(headline="B", body="A League mandate.", status="published")
    EssayFactory(headline="C", body="Mandale is a town.", status="published")
    EssayFactory(headline="D", body="Mandame.", status="draft")
    # "mandate" and "mandale" are one letter from "mandave": "mandate" is in more essays.
    response = client.get(CATALOGUE, {"q": "mandave"})
    assert sorted(headlines(response)) == ["A", "B"]
    assert 'Showing results for <a href="?q=mandate">' in response.content.decode()
    # "mandatte" is one letter from "mandate", two from "mandale".
    assert sorted(headlines(client.get(CATALOGUE, {"q": "mandatte"}))) == ["A", "B"]
    # "mandame" is in a draft: the index has it, so it is not misspelt, and it finds nothing.
    response = client.get(CATALOGUE, {"q": "mandame"})
    assert headlines(response) == []
    assert "Showing results for" not in response.content.decode()


def test_a_word_only_in_drafts_is_never_suggested(client, library):
    response = client.get(CATALOGUE, {"q": "zhukovv"})
    text = response.content.decode()
    assert headlines(response) == []
    assert "zhukov<" not in text and "Zhukov" not in text
    assert "Showing results for" not in text


def test_suggestions_follow_the_library_as_it_changes(client, library):
    essay = EssayFactory(headline="Munich", body="Chamberlain flew to Munich.", status="published")
    assert headlines(client.get(CATALOGUE, {"q": "chamberlian"})) == ["Munich"]
    essay.body = "Daladier flew to Munich."
    essay.save()
    assert headlines(client.get(CATALOGUE, {"q": "chamberlian"})) == []
    assert headlines(client.get(CATALOGUE, {"q": "daladeir"})) == ["Munich"]
    essay.delete()
    assert headlines(client.get(CATALOGUE, {"q": "daladeir"})) == []


def test_short_words_and_numbers_are_left_as_typed(client, library):
    for typed in ("pac", "1938"):
        response = client.get(CATALOGUE, {"q": typed})
        assert headlines(response) == []
        assert "Showing results for" not in response.content.decode()


# Most of the words


def test_when_no_essay_has_every_word_essays_with_most_of_them_are_shown(client, library):
    response = client.get(CATALOGUE, {"q": "stalin pact zeebrugge"})
    assert headlines(response) == ["Stalin's foreign policy"]
    text = response.content.decode()
    assert "No essay has all of “stalin”, “pact”, “zeebrugge”." in text
    assert "Showing essays with most of them (2 of 3)." in text
    assert "0 essays" not in text and "No published essays match" not in text


def test_words_never_found_together_each_find_their_essays(client, library):
    response = client.get(CATALOGUE, {"q": "frankenstein monopsony"})
    assert sorted(headlines(response)) == ["Frankenstein and the sublime", "Minimum wage"]
    assert "Showing essays with most of them (1 of 2)." in response.content.decode()


def test_most_of_the_words_respects_the_filters(client, library):
    response = client.get(CATALOGUE, {"q": "frankenstein monopsony", "subject": "economics"})
    assert headlines(response) == ["Minimum wage"]


def test_a_correction_and_most_of_the_words_together(client, library):
    response = client.get(CATALOGUE, {"q": "stallin monopsony"})
    assert sorted(headlines(response)) == ["Minimum wage", "Stalin's foreign policy"]
    text = response.content.decode()
    assert "Showing essays with most of them (1 of 2)." in text
    assert "No essay has all of “stalin”, “monopsony”." in text


# Phrases and highlighting


def test_a_quoted_phrase_matches_the_phrase_only_and_is_highlighted_whole(client, library):
    response = client.get(CATALOGUE, {"q": '"Nazi-Soviet Pact"'})
    assert headlines(response) == ["Stalin's foreign policy"]
    text = response.content.decode()
    assert "came the <mark>Nazi-Soviet Pact</mark> of August" in text
    # The words apart are not the phrase: "pacts" alone is not marked.
    assert "<mark>pacts</mark>" not in text
    unquoted = client.get(CATALOGUE, {"q": "nazi soviet pact"})
    assert sorted(headlines(unquoted)) == ["Appeasement", "Stalin's foreign policy"]


def test_highlighting_never_marks_part_of_a_word(client, library):
    text = page(client, q="pact")
    assert "<mark>Pact</mark> of August" in text
    assert "Earlier <mark>pacts</mark> had failed" in text
    assert "<mark>pact</mark>s" not in text
    assert "im<mark>" not in page(client, q="frankenstein pact")


def test_a_hyphenated_word_is_its_words_in_order(client, library):
    assert headlines(client.get(CATALOGUE, {"q": "nazi-soviet"})) == ["Stalin's foreign policy"]


# Bad input


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        " ".join(f"word{n}" for n in range(2000)),
        "!!! ??? ...",
        "stalin\x00pact",
        "\x00",
        '"',
        '""',
        '"""',
        '"nazi soviet',
        'stalin "pact',
        '"nazi" soviet" pact"',
        "“Nazi-Soviet Pact”",
        "NEAR(stalin pact)",
        "stalin OR pact NOT wage",
        "{headline}: stalin",
        "stalin* ^pact -wage +munich",
        "'; DROP TABLE essays_essay; --",
        "%_% \\ ' \" `",
        "the of and",
        "Сталин 斯大林 ستالين 🙂",
        "a" * 199 + "é",
    ],
)
def test_odd_searches_never_fail(client, library, query):
    response = client.get(CATALOGUE, {"q": query})
    assert response.status_code == 200
    assert Essay.objects.count() == 5
    assert "\x00" not in response.content.decode()


@pytest.mark.parametrize("page_number", ["2", "999999999999999999999", "-1", "x", ""])
def test_odd_page_numbers_of_a_search_never_fail(client, library, page_number):
    response = client.get(CATALOGUE, {"q": "stalin", "page": page_number})
    assert response.status_code == 200
    assert headlines(response) == ["Stalin's foreign policy"]


def test_an_unknown_filter_with_a_search_shows_nothing(client, library):
    response = client.get(CATALOGUE, {"q": "stalin", "tag": "not a slug!"})
    assert response.status_code == 200
    assert headlines(response) == []


# Ranking a page without scoring every match, and estimated counts


def test_essays_with_the_words_in_their_title_come_first(client):
    EssayFactory(headline="Weimar", body="Inflation " * 30, status="published")
    EssayFactory(headline="Inflation in 1923", body="Prices rose.", status="published")
    assert headlines(client.get(CATALOGUE, {"q": "inflation"})) == ["Inflation in 1923", "Weimar"]


@pytest.mark.parametrize("ranked_at_most", [300, 3])
def test_pages_of_a_search_list_every_match_once(client, monkeypatch, ranked_at_most):
    """Whether a tier is scored (small) or listed newest first (large), the pages between them
    list every match once, title matches first."""
    monkeypatch.setattr(results, "RANKED_AT_MOST", ranked_at_most)
    for n in range(7):
        EssayFactory(headline=f"Treaty {n}", body="Signed.", status="published")
    for n in range(30):
        EssayFactory(headline=f"Essay {n:02}", body="A treaty " * (n % 4 + 1), status="published")
    seen = []
    for number in (1, 2):
        seen += headlines(client.get(CATALOGUE, {"q": "treaty", "page": number}))
    assert len(seen) == len(set(seen)) == 37
    assert sorted(seen[:7]) == [f"Treaty {n}" for n in range(7)]


def test_many_matches_are_counted_and_faceted_by_an_estimate(client, monkeypatch):
    monkeypatch.setattr(results, "ESTIMATE_ABOVE", 4)
    monkeypatch.setattr(results, "SAMPLES", (2, 4))
    for n in range(24):
        EssayFactory(headline=f"Essay {n}", body="Reparations.", status="published")
    response = client.get(CATALOGUE, {"q": "reparations"})
    text = response.content.decode()
    # Each database draws its sample where its index reads it cheaply: the figure is near.
    estimate = response.context["total"]
    assert response.context["estimated"] and 12 <= estimate <= 48
    assert f"About {estimate} essays matching “reparations”" in text
    # Every essay is in one subject: its facet counts the same sample.
    assert f"(about {estimate})" in text
    assert len(headlines(response)) == 20


@pytest.mark.parametrize(
    ("query", "titled"),
    [("treaty", ["A treaty of peace?", *(f"Peace treaty {n}" for n in reversed(range(7)))]),
     ('"peace treaty"', [f"Peace treaty {n}" for n in reversed(range(7))])],
    ids=["word", "phrase"],
)  # fmt: skip
def test_an_estimated_search_lists_its_title_matches_first_then_the_rest_newest_first(
    client, monkeypatch, query, titled
):
    monkeypatch.setattr(results, "ESTIMATE_ABOVE", 4)
    monkeypatch.setattr(results, "SAMPLES", (2, 4))
    for n in range(7):
        EssayFactory(headline=f"Peace treaty {n}", body="Signed.", status="published")
    # Both words in the title, but not as the phrase: a title match for the word only.
    EssayFactory(headline="A treaty of peace?", body="A peace treaty.", status="published")
    rest = [f"Essay {n:02}" for n in range(30)]
    for headline in rest:
        EssayFactory(headline=headline, body="The peace treaty was signed.", status="published")
    EssayFactory(headline="Peace treaty draft", body="A peace treaty.", status="draft")
    seen = []
    for number in (1, 2):
        response = client.get(CATALOGUE, {"q": query, "page": number})
        assert response.context["estimated"]
        seen += headlines(response)
    assert seen[: len(titled)] == titled
    others = [headline for headline in seen[len(titled) :] if headline.startswith("Essay")]
    assert others == rest[::-1]
    assert len(seen) == len(set(seen)) == 38


def overestimated(monkeypatch, times: int) -> None:
    """Make every search's count an estimate `times` the real one, as a sample can."""
    real_tally = results.tally

    def tally(*args, **kwargs):
        counted = real_tally(*args, **kwargs)
        counted.total *= times
        counted.sample = results.SAMPLES[0]
        return counted

    monkeypatch.setattr(results, "tally", tally)


def next_link(text: str) -> str | None:
    found = re.search(r'<a class="page-link" href="([^"]+)">Next</a>', text)
    return html.unescape(found.group(1)) if found else None


def test_next_links_never_lead_past_the_last_essay_of_an_estimate(client, monkeypatch):
    overestimated(monkeypatch, 3)
    for n in range(45):
        EssayFactory(headline=f"Essay {n:02}", body="Reparations.", status="published")
    response = client.get(CATALOGUE, {"q": "reparations"})
    assert "Page 1 of about 7" in response.content.decode()
    seen, pages = [], 0
    while response is not None:
        pages += 1
        assert headlines(response), f"page {pages} is empty"
        seen += headlines(response)
        link = next_link(response.content.decode())
        response = client.get(CATALOGUE + link) if link else None
    assert pages == 3
    assert sorted(seen) == [f"Essay {n:02}" for n in range(45)]


@pytest.mark.parametrize("asked", ["4", "7", "14", "999"])
def test_a_page_past_the_end_of_an_estimate_shows_the_last_page(client, monkeypatch, asked):
    overestimated(monkeypatch, 3)
    for n in range(45):
        EssayFactory(headline=f"Essay {n:02}", body="Reparations.", status="published")
    response = client.get(CATALOGUE, {"q": "reparations", "page": asked})
    assert response.status_code == 200
    text = response.content.decode()
    assert len(headlines(response)) == 5
    # Counted exactly to find the last page: the count is no longer "about".
    assert "Page 3 of 3" in text and "45 essays matching" in text
    assert next_link(text) is None
    assert 'href="?page=2&amp;q=reparations">Previous' in text


# Query counts: the same with more essays, on each path


def grow(n):
    for i in range(n):
        EssayFactory(
            headline=f"Stalin and pacts {i}",
            body="Stalin signed pacts. Frankenstein read them.",
            status="published",
            tags=[f"Tag {i}"],
        )


@pytest.mark.parametrize(
    ("query", "queries"),
    [
        # The search (its count, the facets and the title tier together), the page's ranked
        # ids, its essays, their tags.
        ("stalin", 4),
        # And before them: the search that found nothing, which words the index has and which
        # words some essay has, the vocabulary near the misspelt word.
        ("stallin", 7),
        # And: the groups of two words some essay has ("zeebrugge" has no suggestion).
        ("stalin pact zeebrugge", 8),
        # Nothing at all: the search, the words and clauses, the vocabulary.
        ("zeebrugge", 3),
    ],
    ids=["found", "corrected", "most-of", "nothing"],
)
def test_search_query_counts_do_not_grow(
    client, library, django_assert_num_queries, query, queries
):
    with django_assert_num_queries(queries):
        client.get(CATALOGUE, {"q": query})
    grow(12)
    with django_assert_num_queries(queries):
        client.get(CATALOGUE, {"q": query})
