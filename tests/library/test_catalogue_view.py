import pytest
from django.urls import reverse

from essays.models import Essay, Tag
from tests.factories import EssayFactory, LevelFactory, NoteFactory, SubjectFactory

pytestmark = pytest.mark.django_db
CATALOGUE = reverse("essays:catalogue")


def headlines(response) -> list[str]:
    return [essay.headline for essay in response.context["essays"]]


def test_catalogue_lists_published_essays_with_prompt_subject_level_and_tags(client):
    EssayFactory(
        headline="Versailles: a harsh peace?",
        statement="‘The treaty was too harsh.’",
        status=Essay.Status.PUBLISHED,
        tags=["Germany"],
    )
    EssayFactory(headline="Unfinished draft", status=Essay.Status.DRAFT)

    response = client.get(CATALOGUE)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Versailles: a harsh peace?" in page
    assert "‘The treaty was too harsh.’ Discuss" in page
    assert 'href="/?subject=history"' in page
    assert 'href="/?level=a-level"' in page
    assert 'href="/?tag=germany"' in page
    assert "Unfinished draft" not in page


def test_filters_combine_and_say_what_is_shown(client):
    economics = SubjectFactory(name="Economics")
    as_level = LevelFactory(name="AS Level")
    EssayFactory(headline="Inflation", subject=economics, level=as_level, status="published")
    EssayFactory(headline="Minimum wage", subject=economics, status="published")
    EssayFactory(headline="Versailles", status="published")

    assert sorted(headlines(client.get(CATALOGUE, {"subject": "economics"}))) == [
        "Inflation",
        "Minimum wage",
    ]
    response = client.get(CATALOGUE, {"subject": "economics", "level": "as-level"})
    assert headlines(response) == ["Inflation"]
    assert (
        "in <strong>Economics</strong>, in <strong>AS Level</strong>" in response.content.decode()
    )


def test_an_unknown_filter_shows_no_essays_and_a_way_back(client):
    EssayFactory(status="published")
    response = client.get(CATALOGUE, {"tag": "no-such-tag"})
    assert response.status_code == 200
    assert headlines(response) == []
    page = response.content.decode()
    assert "No published essays match." in page
    assert "clear the search and filters and show all essays" in page


@pytest.mark.parametrize("page", ["2", "999", "-1", "abc", ""])
def test_bad_page_numbers_never_fail(client, page):
    for n in range(25):
        EssayFactory(headline=f"Essay {n:02}", status="published")
    response = client.get(CATALOGUE, {"page": page})
    assert response.status_code == 200
    assert len(headlines(response)) in {20, 5}


def test_pagination_links_keep_the_filters(client):
    for n in range(21):
        EssayFactory(headline=f"Essay {n:02}", status="published")
    response = client.get(CATALOGUE, {"subject": "history"})
    assert 'href="?subject=history&amp;page=2"' in response.content.decode()


def test_query_count_does_not_grow_with_the_essays_shown(client, django_assert_num_queries):
    EssayFactory(status="published", tags=["One", "Two"])
    # The count, the page of essays, their tags, and one list per filter (subject, level, tag).
    with django_assert_num_queries(6):
        client.get(CATALOGUE)
    for n in range(15):
        EssayFactory(status="published", tags=[f"Tag {n}", "Two"])
    with django_assert_num_queries(6):
        client.get(CATALOGUE)


# Search


@pytest.fixture
def library():
    history, economics = SubjectFactory(name="History"), SubjectFactory(name="Economics")
    EssayFactory(
        headline="Collective security and the League",
        statement="‘Collective security failed because of the League of Nations.’",
        body="The League of Nations could not stop aggression in the 1930s.",
        subject=history,
        status="published",
        tags=["Interwar diplomacy"],
    )
    EssayFactory(
        headline="Stalin's foreign policy",
        statement="‘Stalin’s main aim was to defend the Soviet Union.’",
        body="The Soviet Union joined the League of Nations in 1934 and sought collective "
        "security against Germany.",
        subject=history,
        status="published",
        tags=["Soviet Union"],
    )
    EssayFactory(
        headline="Minimum wage",
        statement="‘Raising the minimum wage increases unemployment.’",
        body="A monopsony employer can pay below the marginal revenue product.",
        subject=economics,
        status="published",
        tags=["Labour markets"],
    )
    EssayFactory(headline="Unpublished League draft", body="League of Nations", status="draft")


def test_search_ranks_the_best_match_first_and_skips_drafts(client, library):
    response = client.get(CATALOGUE, {"q": "collective security"})
    assert headlines(response) == ["Collective security and the League", "Stalin's foreign policy"]
    assert "Two essays matching “collective security”" in response.content.decode()


def test_search_covers_notes_and_tag_names(client, library):
    essay = EssayFactory(headline="Versailles", status="published", tags=["Peace treaties"])
    NoteFactory(essay=essay, text="Keynes: The Economic Consequences of the Peace")
    essay.refresh_search_document()
    assert headlines(client.get(CATALOGUE, {"q": "Keynes"})) == ["Versailles"]
    assert headlines(client.get(CATALOGUE, {"q": "peace treaties"})) == ["Versailles"]


def test_an_edited_essay_is_found_by_its_new_words_and_not_its_old(client):
    essay = EssayFactory(headline="The Weimar Republic", body="Hyperinflation in 1923.")
    essay.status = "published"
    essay.save()
    assert headlines(client.get(CATALOGUE, {"q": "hyperinflation"})) == ["The Weimar Republic"]
    essay.body = "The Dawes Plan of 1924."
    essay.save()
    assert headlines(client.get(CATALOGUE, {"q": "hyperinflation"})) == []
    assert headlines(client.get(CATALOGUE, {"q": "Dawes"})) == ["The Weimar Republic"]


def test_essays_written_in_bulk_are_found(client):
    """Bulk inserts (imports, load data) skip save(); the search still sees them."""
    essay = EssayFactory.build(
        headline="Appeasement",
        slug="appeasement",
        status="published",
        body="Munich, 1938.",
        subject=SubjectFactory(),
        level=LevelFactory(),
    )
    essay.search_document = essay.build_search_document()
    Essay.objects.bulk_create([essay])
    assert headlines(client.get(CATALOGUE, {"q": "Munich"})) == ["Appeasement"]


def test_results_quote_where_the_words_matched(client, library):
    page = client.get(CATALOGUE, {"q": "monopsony"}).content.decode()
    assert "A <mark>monopsony</mark> employer can pay" in page


def test_search_combines_with_filters_and_facets_count_the_results(client, library):
    response = client.get(CATALOGUE, {"q": "league", "subject": "history"})
    assert len(headlines(response)) == 2
    facets = response.context["facets"]
    assert {f["name"]: f["essays"] for f in facets["subject"]} == {"History": 2}
    assert {f["name"]: f["essays"] for f in facets["tag"]} == {
        "Interwar diplomacy": 1,
        "Soviet Union": 1,
    }


def test_facets_count_essays_and_link_to_combined_filters(client, library):
    response = client.get(CATALOGUE, {"subject": "history"})
    facets = response.context["facets"]
    # The subject list ignores the chosen subject, so another can be picked instead.
    assert {f["name"]: f["essays"] for f in facets["subject"]} == {"Economics": 1, "History": 2}
    page = response.content.decode()
    assert 'href="?subject=history&amp;tag=soviet-union"' in page
    assert 'href="?"' in page  # the chosen subject links to removing it


@pytest.mark.parametrize(
    "query",
    [
        "zzzz-nothing",
        "'; DROP TABLE essays_essay; --",
        "<script>alert(1)</script>",
        "x" * 5000,
        "%_%",
        "!!!",
    ],
)
def test_odd_searches_answer_calmly(client, library, query):
    response = client.get(CATALOGUE, {"q": query})
    assert response.status_code == 200
    page = response.content.decode()
    assert "<script>alert(1)</script>" not in page
    assert "No published essays match" in page
    assert Essay.objects.count() == 4


def test_search_query_count_does_not_grow(client, library, django_assert_num_queries):
    # The search (count, facets and title tier in one query), the page's ranked ids, its
    # essays, their tags.
    with django_assert_num_queries(4):
        client.get(CATALOGUE, {"q": "league"})
    for n in range(12):
        EssayFactory(body=f"The League, essay {n}", status="published", tags=[f"T{n}"])
    with django_assert_num_queries(4):
        response = client.get(CATALOGUE, {"q": "league"})
    assert len(headlines(response)) == 14


def test_reading_time_follows_the_essay_as_edited(client):
    essay = EssayFactory(status="published", body="word " * 450)
    assert "3 min read" in client.get(CATALOGUE).content.decode()
    essay.body = "word " * 150
    essay.save()
    assert "1 min read" in client.get(CATALOGUE).content.decode()
    assert "1 min read" in client.get(essay.get_absolute_url()).content.decode()


def test_a_deleted_essay_leaves_the_search_and_the_rest_stay_found(client):
    kept = EssayFactory(headline="Munich, 1938", status="published")
    gone = EssayFactory(headline="Munich and appeasement", status="published")
    gone.delete()
    assert headlines(client.get(CATALOGUE, {"q": "Munich"})) == [kept.headline]
    kept.headline = "Munich, September 1938"
    kept.save()
    assert headlines(client.get(CATALOGUE, {"q": "September"})) == ["Munich, September 1938"]


# Cards kept between searches


def test_a_card_kept_from_one_search_serves_another_with_its_own_excerpt(
    client, library, django_assert_num_queries
):
    # The search, the page's ranked ids, its essays, their tags (no card kept yet).
    with django_assert_num_queries(4):
        first = client.get(CATALOGUE, {"q": "league"}).content.decode()
    assert "The <mark>League</mark> of Nations could not stop" in first
    # Another search showing the same essays reads no tags: their cards are kept.
    with django_assert_num_queries(3):
        second = client.get(CATALOGUE, {"q": "aggression"}).content.decode()
    assert "could not stop <mark>aggression</mark> in the 1930s" in second
    assert "<mark>League</mark>" not in second
    assert 'href="/?tag=interwar-diplomacy"' in second


def test_kept_cards_follow_their_essay_and_its_tags_as_edited(client, library):
    assert "Interwar diplomacy" in client.get(CATALOGUE, {"q": "league"}).content.decode()
    tag = Tag.objects.get(slug="interwar-diplomacy")
    tag.name = "Diplomacy between the wars"
    tag.save()
    page = client.get(CATALOGUE, {"q": "aggression"}).content.decode()
    assert "Diplomacy between the wars" in page and "Interwar diplomacy" not in page
    essay = Essay.objects.get(headline="Collective security and the League")
    essay.headline = "Collective security: why the League failed"
    essay.save()
    page = client.get(CATALOGUE, {"q": "nations"}).content.decode()
    assert "Collective security: why the League failed" in page
    assert "Collective security and the League<" not in page
