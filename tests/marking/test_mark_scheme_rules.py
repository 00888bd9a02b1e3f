"""A mark scheme's rules as the model keeps them, whoever writes the scheme or the essay: the
admin, the importer, the fixtures or a shell."""

import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError

from essays.models import MarkLevel, MarkScheme, band_problems
from tests.factories import EssayFactory

FIXTURES = Path(__file__).resolve().parent.parent.parent / "fixtures"


def test_sound_bands_have_no_problems():
    assert band_problems([(0, 5, 1), (6, 15, 2), (16, 25, 3)], 25) == []
    # The order they come in does not matter.
    assert band_problems([(16, 25, 3), (1, 15, 1)], 25) == []


@pytest.mark.parametrize(
    ("bands", "problem"),
    [
        ([(1, 10, 1), (10, 25, 2)], "Levels 1 and 2 overlap."),
        ([(1, 10, 1), (12, 25, 2)], "No level covers marks 11–11."),
        ([(3, 10, 1), (11, 25, 2)], "The lowest band starts at 3; start it at 0 or 1."),
        ([(1, 10, 1), (11, 20, 2)], "The highest band ends at 20; end it at 25."),
        ([(1, 10, 2), (11, 25, 1)], "Higher levels must have higher marks."),
        ([], "A mark scheme needs at least one level."),
    ],
)
def test_unsound_bands_are_named(bands, problem):
    assert problem in band_problems(bands, 25)


@pytest.mark.django_db
def test_a_saved_scheme_checks_its_own_levels():
    scheme = MarkScheme.objects.create(name="Short", max_mark=10)
    MarkLevel.objects.create(scheme=scheme, number=1, min_mark=1, max_mark=4, descriptor="Weak")
    MarkLevel.objects.create(scheme=scheme, number=2, min_mark=6, max_mark=10, descriptor="Good")
    with pytest.raises(ValidationError, match="No level covers marks 5–5"):
        scheme.check_bands()
    MarkLevel.objects.filter(scheme=scheme, number=2).update(min_mark=5)
    scheme.check_bands()


@pytest.mark.django_db
def test_the_shipped_schemes_keep_the_rules(default_scheme):
    rows = json.loads((FIXTURES / "mark_schemes.json").read_text())
    names = {row["fields"]["name"] for row in rows if row["model"] == "essays.markscheme"}
    assert names
    for scheme in MarkScheme.objects.filter(name__in=names):
        scheme.check_bands()


@pytest.mark.django_db
def test_an_essay_must_be_out_of_its_schemes_maximum(default_scheme):
    essay = EssayFactory.build(marks_available=30)
    with pytest.raises(ValidationError) as refused:
        essay.clean()
    assert "out of 25, but this essay is out of 30" in str(refused.value.message_dict)
    assert "marks_available" in refused.value.message_dict

    short = MarkScheme.objects.create(name="Ten marks", max_mark=10)
    essay.mark_scheme = short
    with pytest.raises(ValidationError) as refused:
        essay.clean()
    assert "mark_scheme" in refused.value.message_dict
    essay.marks_available = 10
    essay.clean()


@pytest.mark.django_db
def test_without_any_scheme_an_essay_may_have_any_maximum():
    EssayFactory.build(marks_available=40).clean()
