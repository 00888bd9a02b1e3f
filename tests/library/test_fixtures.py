"""The demo library in fixtures/: what a new installation starts with."""

import pytest
from django.core.management import call_command

from essays import feedback
from essays.models import Essay, Level, MarkLevel, MarkScheme, Note, Subject, Tag
from essays.text import count_words

pytestmark = pytest.mark.django_db
LIBRARY = ("fixtures/mark_schemes.json", "fixtures/library.json")


def counts() -> dict[str, int]:
    models = (Essay, Note, Subject, Level, Tag, MarkScheme, MarkLevel)
    return {model.__name__: model.objects.count() for model in models}


def test_fixtures_hold_a_published_library_across_subjects_and_levels():
    call_command("loaddata", *LIBRARY, verbosity=0)
    assert Essay.objects.count() >= 7
    assert Essay.objects.published().count() == Essay.objects.count()
    assert Subject.objects.filter(essays__isnull=False).distinct().count() >= 3
    assert Level.objects.filter(essays__isnull=False).distinct().count() >= 2
    for essay in Essay.objects.all():
        assert essay.notes.exists(), essay
        assert essay.tags.exists(), essay
        assert len(essay.paragraphs()) >= 3, essay
        # Stored counts (reading times) agree with the text: `make fixtures` rebuilt them.
        assert essay.word_count == count_words(essay.body) > 200, essay
    seed = Essay.objects.get(slug="stalins-foreign-policy-objectives-defending-the-soviet-union")
    assert seed.prompt.endswith("defend the Soviet Union from attack.’ Discuss")


def test_loading_the_fixtures_twice_leaves_the_same_rows():
    call_command("loaddata", *LIBRARY, verbosity=0)
    first = counts()
    call_command("loaddata", *LIBRARY, verbosity=0)
    assert counts() == first


def test_fixtures_match_an_essay_imported_before_them(seed_document):
    call_command("import_essays", str(seed_document), verbosity=0)
    call_command("loaddata", *LIBRARY, verbosity=0)
    assert Essay.objects.filter(slug__startswith="stalins-foreign-policy").count() == 1


def test_catalogue_shows_the_fixture_library(client):
    call_command("loaddata", *LIBRARY, verbosity=0)
    page = client.get("/").content.decode()
    assert "Stalin&#x27;s Foreign Policy Objectives: Defending the Soviet Union?" in page
    assert "Macbeth: Ambition or the Witches?" in page


def key_points_of(essay) -> list[feedback.KeyPoint]:
    return [
        feedback.KeyPoint(id=note.pk, text=note.text, phrases=tuple(note.phrase_list()))
        for note in essay.key_points()
    ]


def test_each_model_essay_makes_all_its_own_key_points_and_almost_none_of_others():
    call_command("loaddata", *LIBRARY, verbosity=0)
    essays = list(Essay.objects.prefetch_related("notes"))
    for essay in essays:
        points = key_points_of(essay)
        assert len(points) >= 4, essay
        assert len(feedback.covered_key_points(essay.body, points)) == len(points), essay
        for other in essays:
            if other != essay:
                assert len(feedback.covered_key_points(other.body, points)) <= 1, (essay, other)


def test_the_default_mark_scheme_has_five_levels_covering_1_to_25():
    call_command("loaddata", *LIBRARY, verbosity=0)
    scheme = MarkScheme.objects.default()
    bands = [(level.number, level.min_mark, level.max_mark) for level in scheme.levels.all()]
    assert bands == [(1, 1, 5), (2, 6, 10), (3, 11, 15), (4, 16, 20), (5, 21, 25)]
    assert all(essay.get_mark_scheme() == scheme for essay in Essay.objects.all())
