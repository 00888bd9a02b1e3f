"""The editors' admin: every page renders, and publishing works as an editor expects."""

import re

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from essays.models import Essay, Level, Note, Subject, Tag
from tests.factories import EssayFactory, NoteFactory, UserFactory

pytestmark = pytest.mark.django_db

LIBRARY_MODELS = [Essay, Subject, Level, Tag]


def admin_url(model, view: str, *args) -> str:
    return reverse(f"admin:essays_{model._meta.model_name}_{view}", args=args)


@pytest.fixture
def library():
    essay = EssayFactory(headline="Versailles", status="published", tags=["Germany"])
    NoteFactory(essay=essay)
    return essay


@pytest.mark.parametrize("model", LIBRARY_MODELS, ids=lambda m: m.__name__)
def test_changelist_add_and_change_pages_render(admin_client, library, model):
    obj = model.objects.first()
    for url in (
        admin_url(model, "changelist"),
        admin_url(model, "add"),
        admin_url(model, "change", obj.pk),
        admin_url(model, "delete", obj.pk),
        admin_url(model, "history", obj.pk),
    ):
        response = admin_client.get(url)
        assert response.status_code == 200, url


@pytest.mark.parametrize(
    "query",
    [
        {"q": "Versailles"},
        {"q": "collective security"},
        {"status__exact": "published"},
        {"subject__id__exact": "1"},
        {"level__id__exact": "1"},
        {"tags__id__exact": "1"},
        {"o": "-5"},
    ],
)
def test_essay_changelist_search_and_filters(admin_client, library, query):
    response = admin_client.get(admin_url(Essay, "changelist"), query)
    assert response.status_code == 200


def test_search_finds_essays_by_their_notes(admin_client):
    EssayFactory(headline="Found")
    NoteFactory(
        essay=EssayFactory(headline="Also found by its note"), text="Molotov and Ribbentrop"
    )
    response = admin_client.get(admin_url(Essay, "changelist"), {"q": "Ribbentrop"})
    assert [e.headline for e in response.context["cl"].result_list] == ["Also found by its note"]


def test_adding_an_essay_with_notes_stamps_the_editor(client):
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    subject = Subject.objects.create(name="History", slug="history")
    level = Level.objects.create(name="A Level", slug="a-level")
    tag = Tag.objects.create(name="Germany", slug="germany")

    response = client.post(
        admin_url(Essay, "add"),
        {
            "headline": "Versailles: a harsh peace?",
            "slug": "versailles",
            "statement": "‘The treaty was too harsh.’",
            "command_word": "Discuss",
            "body": "One.\n\nTwo.",
            "subject": subject.pk,
            "level": level.pk,
            "tags": [tag.pk],
            "status": "draft",
            "marks_available": 25,
            "time_allowed_minutes": 45,
            "notes-TOTAL_FORMS": 2,
            "notes-INITIAL_FORMS": 0,
            "notes-0-position": 2,
            "notes-0-kind": "key_point",
            "notes-0-text": "Reparations",
            "notes-0-phrases": "reparations\n132 billion",
            "notes-1-position": 1,
            "notes-1-kind": "plan",
            "notes-1-text": "The plan",
            "notes-1-phrases": "",
        },
    )

    assert response.status_code == 302, response.context["adminform"].form.errors
    essay = Essay.objects.get(slug="versailles")
    assert essay.created_by == editor
    assert list(essay.tags.all()) == [tag]
    assert [note.text for note in essay.notes.all()] == ["The plan", "Reparations"]


def test_publish_and_unpublish_actions(admin_client):
    drafts = EssayFactory.create_batch(2)
    changelist = admin_url(Essay, "changelist")

    response = admin_client.post(
        changelist,
        {"action": "publish", "_selected_action": [e.pk for e in drafts]},
        follow=True,
    )
    assert "Published 2 essays." in response.content.decode()
    assert Essay.objects.published().count() == 2
    assert all(e.published_at for e in Essay.objects.all())
    assert admin_client.get(drafts[0].get_absolute_url()).status_code == 200

    response = admin_client.post(
        changelist, {"action": "unpublish", "_selected_action": [drafts[0].pk]}, follow=True
    )
    assert "Unpublished 1 essay: it is hidden from students." in response.content.decode()
    assert admin_client.get(drafts[0].get_absolute_url()).status_code == 404


def test_editor_can_publish_an_imported_essay(client):
    editor = UserFactory(username="editor", is_staff=True)
    editor.groups.add(Group.objects.get(name="Editors"))
    client.force_login(editor)
    essay = EssayFactory()
    response = client.post(
        admin_url(Essay, "changelist"), {"action": "publish", "_selected_action": [essay.pk]}
    )
    assert response.status_code == 302
    essay.refresh_from_db()
    assert essay.status == Essay.Status.PUBLISHED


def test_teachers_can_view_but_not_change_the_library(client):
    teacher = UserFactory(username="teacher", is_staff=True)
    teacher.groups.add(Group.objects.get(name="Teachers"))
    client.force_login(teacher)
    essay = EssayFactory()
    assert client.get(admin_url(Essay, "changelist")).status_code == 200
    assert client.get(admin_url(Essay, "add")).status_code == 403
    client.post(
        admin_url(Essay, "changelist"), {"action": "publish", "_selected_action": [essay.pk]}
    )
    essay.refresh_from_db()
    assert essay.status == Essay.Status.DRAFT


def test_view_on_site_leads_to_the_public_page(admin_client, library):
    page = admin_client.get(admin_url(Essay, "change", library.pk)).content.decode()
    link = re.search(r'href="(/admin/r/\d+/\d+/)"', page)
    assert link, "the change page has a View on site link"
    response = admin_client.get(link.group(1))
    assert response.status_code == 302
    assert response.url.endswith(library.get_absolute_url())


@pytest.mark.parametrize("model", [Subject, Level, Tag], ids=lambda m: m.__name__)
def test_name_changelists_count_essays_in_a_fixed_number_of_queries(
    admin_client, model, django_assert_max_num_queries
):
    EssayFactory(status="published", tags=["Germany"])
    url = admin_url(model, "changelist")
    with django_assert_max_num_queries(12) as few:
        admin_client.get(url)
    for n in range(10):
        EssayFactory(
            subject__name=f"Subject {n}", level__name=f"Level {n}", tags=[f"Tag {n}", "Germany"]
        )
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = admin_client.get(url)
    counts = {obj.name: obj.essay_count for obj in response.context["cl"].result_list}
    assert counts[{Subject: "Subject 3", Level: "Level 3", Tag: "Tag 3"}[model]] == 1
    assert counts[{Subject: "History", Level: "A Level", Tag: "Germany"}[model]] == (
        1 if model is not Tag else 11
    )


def test_note_kinds_offered_in_admin_are_the_database_choices(admin_client, library):
    response = admin_client.get(admin_url(Essay, "change", library.pk))
    page = response.content.decode()
    for kind in Note.Kind:
        assert f'value="{kind.value}"' in page


def test_renaming_a_tag_makes_essays_findable_by_the_new_name(admin_client):
    essay = EssayFactory(headline="Versailles", status="published", tags=["Germany"])
    tag = essay.tags.get()
    admin_client.post(
        admin_url(Tag, "change", tag.pk), {"name": "Weimar Republic", "slug": "weimar"}
    )
    response = admin_client.get("/", {"q": "weimar"})
    assert [e.headline for e in response.context["essays"]] == ["Versailles"]
