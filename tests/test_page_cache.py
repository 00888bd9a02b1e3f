"""Visitors get cached library pages; no one ever sees a page older than the library."""

import pytest
from django.urls import reverse

from tests.factories import EssayFactory, NoteFactory

pytestmark = pytest.mark.django_db


def test_a_visitors_second_view_needs_no_database(client, django_assert_num_queries):
    essay = EssayFactory(status="published", headline="Versailles")
    client.get("/")
    client.get(essay.get_absolute_url())
    with django_assert_num_queries(0):
        assert "Versailles" in client.get("/").content.decode()
        assert client.get(essay.get_absolute_url()).status_code == 200


def test_editing_an_essay_or_its_notes_shows_at_once(client):
    essay = EssayFactory(status="published", headline="Versailles")
    client.get(essay.get_absolute_url())
    essay.headline = "Versailles, revised"
    essay.save()
    assert "Versailles, revised" in client.get(essay.get_absolute_url()).content.decode()
    NoteFactory(essay=essay, text="A new examiner tip")
    assert "A new examiner tip" in client.get(essay.get_absolute_url()).content.decode()


def test_unpublishing_in_admin_removes_the_page_at_once(client, admin_client):
    essay = EssayFactory(status="published", headline="Versailles")
    visitor = type(client)()
    assert visitor.get(essay.get_absolute_url()).status_code == 200
    admin_client.post(
        reverse("admin:essays_essay_changelist"),
        {"action": "unpublish", "_selected_action": [essay.pk]},
    )
    assert visitor.get(essay.get_absolute_url()).status_code == 404
    assert "Versailles" not in visitor.get("/").content.decode()


def test_signed_in_students_always_get_a_fresh_page(student_client, django_assert_num_queries):
    EssayFactory(status="published")
    student_client.get("/")
    with django_assert_num_queries(9):  # session, user, the page's queries, the nav count
        student_client.get("/")


def test_different_searches_are_different_pages(client):
    EssayFactory(status="published", headline="Versailles", body="Reparations")
    EssayFactory(status="published", headline="Hamlet", body="Witches")
    assert "Hamlet" not in client.get("/", {"q": "reparations"}).content.decode()
    assert "Versailles" not in client.get("/", {"q": "witches"}).content.decode()
