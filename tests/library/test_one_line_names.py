"""Headlines, claims and the names of subjects, levels and tags are one line: they are shown
in titles, links, lists and the marks CSV. A line break is refused wherever it comes from."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from essays.importing import parse_document
from essays.models import Essay, Level, Subject, Tag
from tests.factories import EssayFactory

pytestmark = pytest.mark.django_db


def essay_form(**changes):
    subject = Subject.objects.get_or_create(name="History", slug="history")[0]
    level = Level.objects.get_or_create(name="A Level", slug="a-level")[0]
    return {
        "headline": "Versailles: a harsh peace?",
        "slug": "versailles",
        "statement": "‘The treaty was too harsh.’",
        "command_word": "Discuss",
        "body": "One.\n\nTwo.",
        "subject": subject.pk,
        "level": level.pk,
        "status": "draft",
        "marks_available": 25,
        "time_allowed_minutes": 45,
        "notes-TOTAL_FORMS": 0,
        "notes-INITIAL_FORMS": 0,
        **changes,
    }


@pytest.mark.parametrize("field", ["headline", "statement"])
@pytest.mark.parametrize("line_break", ["\n", "\r\n", "\u2028"])
def test_admin_refuses_a_line_break_in_a_headline_or_claim(admin_client, field, line_break):
    response = admin_client.post(
        reverse("admin:essays_essay_add"), essay_form(**{field: f"First{line_break}second"})
    )
    assert response.status_code == 200
    assert "Write this on one line: it contains a line break." in response.content.decode()
    assert not Essay.objects.exists()


@pytest.mark.parametrize("model", [Tag, Subject, Level])
def test_admin_refuses_a_line_break_in_a_name(admin_client, model):
    url = reverse(f"admin:essays_{model._meta.model_name}_add")
    response = admin_client.post(url, {"name": "Soviet\nUnion", "slug": "soviet-union"})
    assert response.status_code == 200
    assert "Write this on one line: it contains a line break." in response.content.decode()
    assert not model.objects.filter(slug="soviet-union").exists()


def test_the_model_refuses_it_whoever_saves_through_validation():
    essay = EssayFactory.build(headline="Two\nlines")
    with pytest.raises(ValidationError) as refused:
        essay.full_clean(exclude=["subject", "level"])
    assert "headline" in refused.value.message_dict


def test_the_importer_makes_a_title_spread_over_lines_one_line():
    document = parse_document(
        "Versailles\nTITLE\n'The treaty\nwas too harsh.'\nESSAY\nBody.\nSUBJECT\nHistory\n"
        "PAPER\nA Level\nTAGS\nTreaty of\nVersailles, Germany\n"
    )
    assert document.statement == "‘The treaty was too harsh.’"
    assert all("\n" not in tag for tag in document.tags)
