import pytest
from django.urls import reverse

from essays.models import Essay
from tests.factories import EssayFactory, LevelFactory, SubjectFactory

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
