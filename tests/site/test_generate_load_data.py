"""`manage.py generate_load_data`: realistic, repeatable data for benchmarks."""

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import models

from essays.models import Assignment, Essay, Note, Response, TeachingGroup

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


def test_classes_of_thirty_with_set_work_answered_by_most_students():
    out, _ = generate(
        "--essays", "25", "--students", "65", "--responses", "40", "--classes",
        "--assignments-per-class", "20",
    )  # fmt: skip
    assert TeachingGroup.objects.count() == 3
    sizes = sorted(group.enrolments.count() for group in TeachingGroup.objects.all())
    assert sizes == [5, 30, 30]
    assert Assignment.objects.count() == 60
    assert get_user_model().objects.filter(username__startswith="generated-teacher").count() == 2
    for group in TeachingGroup.objects.all():
        assert group.teachers.count() == 1
    answered = Response.objects.filter(assignment__isnull=False)
    assert answered.count() > 0.6 * (30 + 30 + 5) * 20
    # Nothing breaks the rules the database keeps: one attempt 1 per student and essay.
    assert Response.objects.count() == 40 + answered.count()
    assert "In 3 classes: 60 pieces of set work" in out
    # Set work is answered only by students of the class it was set to.
    assert not answered.exclude(student__enrolments__group=models.F("assignment__group")).exists()
