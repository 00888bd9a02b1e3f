"""`manage.py generate_load_data`: realistic, repeatable data for benchmarks."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from essays.models import Essay, Note, Response

pytestmark = pytest.mark.django_db


def generate(*args):
    out, err = StringIO(), StringIO()
    call_command("generate_load_data", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_it_fills_an_empty_database_with_the_numbers_asked_for():
    out, err = generate("--essays", "12", "--students", "5", "--responses", "30")
    assert Essay.objects.count() == 12
    assert get_user_model().objects.count() == 5
    assert Response.objects.count() == 30
    assert Note.objects.filter(kind="key_point").count() == 48
    assert all(len(e.body.split()) >= 500 for e in Essay.objects.all())
    assert {"draft", "submitted", "returned"} >= set(
        Response.objects.values_list("status", flat=True)
    )
    assert "Generated 12 essays, 5 students and 30 responses." in out
    assert "essays" in err and "30/30" in err  # progress


def test_the_same_seed_gives_the_same_data():
    generate("--essays", "3", "--students", "2", "--responses", "4", "--seed", "7")
    first = list(Essay.objects.order_by("pk").values_list("headline", "body"))
    Response.objects.all().delete()
    Essay.objects.all().delete()
    get_user_model().objects.all().delete()
    generate("--essays", "3", "--students", "2", "--responses", "4", "--seed", "7")
    assert list(Essay.objects.order_by("pk").values_list("headline", "body")) == first


def test_it_refuses_a_database_with_data_unless_forced(published_essay):
    with pytest.raises(CommandError, match="already holds 1 essays"):
        generate("--essays", "2")
    assert Essay.objects.count() == 1
    generate("--essays", "2", "--students", "2", "--responses", "1", "--force")
    assert Essay.objects.count() == 3


def test_impossible_numbers_are_refused():
    with pytest.raises(CommandError, match="need more than"):
        generate("--essays", "2", "--students", "2", "--responses", "5")


def test_generated_essays_are_searchable_by_their_notes_and_tags():
    generate("--essays", "3", "--students", "2", "--responses", "4")
    for essay in Essay.objects.prefetch_related("notes", "tags"):
        assert essay.notes.exists() and essay.tags.exists()
        assert essay.search_document == essay.build_search_document()
