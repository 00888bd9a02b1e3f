"""Mark schemes: levels whose bands cover the marks without gaps or overlaps."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from essays.marking.rules import check_mark
from essays.models import MarkLevel, MarkScheme
from tests.factories import EssayFactory

pytestmark = pytest.mark.django_db


def scheme_form(levels, max_mark=25, name="Short essay"):
    data = {
        "name": name,
        "max_mark": max_mark,
        "levels-TOTAL_FORMS": len(levels),
        "levels-INITIAL_FORMS": 0,
    }
    for index, (number, low, high) in enumerate(levels):
        data |= {
            f"levels-{index}-number": number,
            f"levels-{index}-min_mark": low,
            f"levels-{index}-max_mark": high,
            f"levels-{index}-descriptor": f"Level {number} descriptor",
        }
    return data


@pytest.mark.parametrize(
    ("levels", "message"),
    [
        ([(1, 1, 10), (2, 10, 25)], "Levels 1 and 2 overlap."),
        ([(1, 1, 10), (2, 12, 25)], "No level covers marks 11–11."),
        ([(1, 3, 10), (2, 11, 25)], "The lowest band starts at 3; start it at 0 or 1."),
        ([(1, 1, 10), (2, 11, 20)], "The highest band ends at 20; end it at 25."),
        ([(2, 1, 10), (1, 11, 25)], "Higher levels must have higher marks."),
        ([], "A mark scheme needs at least one level."),
    ],
)
def test_bad_bands_are_refused_with_the_reason(admin_client, levels, message):
    response = admin_client.post(reverse("admin:essays_markscheme_add"), scheme_form(levels))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not MarkScheme.objects.filter(name="Short essay").exists()


def test_a_good_scheme_is_saved(admin_client):
    response = admin_client.post(
        reverse("admin:essays_markscheme_add"),
        scheme_form([(1, 0, 8), (2, 9, 16), (3, 17, 25)]),
    )
    assert response.status_code == 302
    scheme = MarkScheme.objects.get(name="Short essay")
    assert [level.band for level in scheme.levels.all()] == ["0–8", "9–16", "17–25"]


def test_only_one_scheme_can_be_the_default(default_scheme):
    with pytest.raises(IntegrityError), transaction.atomic():
        MarkScheme.objects.create(name="Another", is_default=True)


def test_a_band_must_run_upwards(default_scheme):
    with pytest.raises(IntegrityError), transaction.atomic():
        MarkLevel.objects.create(scheme=default_scheme, number=6, min_mark=9, max_mark=3)


def test_essays_use_the_default_scheme_unless_given_another(default_scheme):
    essay = EssayFactory()
    assert essay.get_mark_scheme() == default_scheme
    own = MarkScheme.objects.create(name="Own", max_mark=25)
    essay.mark_scheme = own
    assert essay.get_mark_scheme() == own


def test_an_essays_scheme_must_match_its_marks(admin_client, default_scheme):
    essay = EssayFactory(marks_available=20)
    response = admin_client.get(reverse("admin:essays_essay_change", args=[essay.pk]))
    form = response.context["adminform"].form
    data = {name: form[name].value() or "" for name in form.fields}
    data |= {"tags": [], "notes-TOTAL_FORMS": 0, "notes-INITIAL_FORMS": 0}
    response = admin_client.post(reverse("admin:essays_essay_change", args=[essay.pk]), data)
    assert "is marked out of 25, but this essay is out of 20" in response.content.decode()


@pytest.mark.parametrize(
    ("level", "mark", "ok"),
    [(4, 16, True), (4, 20, True), (4, 15, False), (4, 21, False), (1, 1, True), (5, 25, True)],
)
def test_a_mark_must_sit_inside_its_levels_band(default_scheme, level, mark, ok):
    essay = EssayFactory()
    if ok:
        assert check_mark(essay=essay, level=level, mark=mark).number == level
    else:
        with pytest.raises(ValidationError, match="is outside it"):
            check_mark(essay=essay, level=level, mark=mark)
