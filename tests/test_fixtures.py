"""The demo library in fixtures/: what a new installation starts with."""

import pytest
from django.core.management import call_command

from essays.models import Essay, Level, Note, Subject, Tag

pytestmark = pytest.mark.django_db
LIBRARY = "fixtures/library.json"


def counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in (Essay, Note, Subject, Level, Tag)}


def test_fixtures_hold_a_published_library_across_subjects_and_levels():
    call_command("loaddata", LIBRARY, verbosity=0)
    assert Essay.objects.count() >= 7
    assert Essay.objects.published().count() == Essay.objects.count()
    assert Subject.objects.filter(essays__isnull=False).distinct().count() >= 3
    assert Level.objects.filter(essays__isnull=False).distinct().count() >= 2
    for essay in Essay.objects.all():
        assert essay.notes.exists(), essay
        assert essay.tags.exists(), essay
        assert len(essay.paragraphs()) >= 3, essay
    seed = Essay.objects.get(slug="stalins-foreign-policy-objectives-defending-the-soviet-union")
    assert seed.prompt.endswith("defend the Soviet Union from attack.’ Discuss")


def test_loading_the_fixtures_twice_leaves_the_same_rows():
    call_command("loaddata", LIBRARY, verbosity=0)
    first = counts()
    call_command("loaddata", LIBRARY, verbosity=0)
    assert counts() == first


def test_fixtures_match_an_essay_imported_before_them(seed_document):
    call_command("import_essays", str(seed_document), verbosity=0)
    call_command("loaddata", LIBRARY, verbosity=0)
    assert Essay.objects.filter(slug__startswith="stalins-foreign-policy").count() == 1


def test_catalogue_shows_the_fixture_library(client):
    call_command("loaddata", LIBRARY, verbosity=0)
    page = client.get("/").content.decode()
    assert "Stalin&#x27;s Foreign Policy Objectives: Defending the Soviet Union?" in page
    assert "Macbeth: Ambition or the Witches?" in page
