import pytest

from essays import writing
from essays.models import Essay, Note
from tests.factories import EssayFactory, NoteFactory, ResponseFactory, TagFactory, UserFactory

pytestmark = pytest.mark.django_db


def test_essay_page_shows_prompt_paragraphs_notes_and_classification(client, published_essay):
    NoteFactory(essay=published_essay, text="Plan: collective security.\n\nThen the Pact.")
    NoteFactory(essay=published_essay, kind=Note.Kind.KEY_POINT, text="League of Nations, 1934")

    response = client.get(published_essay.get_absolute_url())

    assert response.status_code == 200
    page = response.content.decode()
    assert published_essay.headline in page
    assert f"{published_essay.statement} Discuss" in page
    assert "<p>The alliances turned a regional quarrel into a continental war.</p>" in page
    assert "<p>Yet the alliances were not automatic" in page
    assert "Essay plan" in page and "Plan: collective security." in page
    assert "Key point" in page and "League of Nations, 1934" in page
    assert "25 marks · 45 minutes" in page
    assert 'href="/?tag=soviet-union"' in page
    assert 'href="/?subject=history"' in page


def test_essay_text_is_shown_as_text_never_as_html(client):
    essay = EssayFactory(status="published", body="<script>alert('x')</script>\n\nSecond")
    page = client.get(essay.get_absolute_url()).content.decode()
    assert "<script>alert" not in page
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in page


def test_drafts_and_unknown_essays_are_not_found(client):
    draft = EssayFactory(status=Essay.Status.DRAFT)
    for url in (draft.get_absolute_url(), "/essays/no-such-essay/"):
        response = client.get(url)
        assert response.status_code == 404
        assert "Page not found" in response.content.decode()


def test_essay_page_queries_do_not_grow_with_notes_and_tags(client, django_assert_num_queries):
    essay = EssayFactory(status="published", tags=["A"])
    with django_assert_num_queries(3):
        client.get(essay.get_absolute_url())
    NoteFactory.create_batch(5, essay=essay)
    essay.tags.add(*TagFactory.create_batch(5))
    with django_assert_num_queries(3):
        client.get(essay.get_absolute_url())


def test_visitors_are_invited_to_log_in_to_write(client, published_essay):
    page = client.get(published_essay.get_absolute_url()).content.decode()
    assert "Log in to write a response" in page
    assert f"/accounts/login/?next=/essays/{published_essay.slug}/respond/" in page


def test_students_see_their_attempts_and_a_way_to_continue(client, published_essay):
    response = ResponseFactory(essay=published_essay, status="submitted")
    ResponseFactory(essay=published_essay, student=response.student, attempt=2)
    client.force_login(response.student)
    page = client.get(published_essay.get_absolute_url()).content.decode()
    assert "Your attempts" in page
    assert "Attempt 1" in page and "Submitted" in page
    assert "Continue attempt 2" in page


def test_attempt_first_hides_the_model_essay_until_submission(client, published_essay):
    student = UserFactory()
    client.force_login(student)
    NoteFactory(essay=published_essay, text="The plan: Munich 1938")
    url = published_essay.get_absolute_url()
    assert "Attempt first" in client.get(url).content.decode()

    response = client.post(f"{url}attempt-first/")
    assert response.status_code == 302 and response.url == f"{url}respond/"
    page = client.get(url).content.decode()
    assert "The model essay is hidden" in page
    assert "The plan: Munich 1938" not in page
    assert "The alliances turned" not in page
    assert f"{published_essay.statement} Discuss" in page

    draft = writing.save_draft(
        student=student, essay=published_essay, body="My go", attempt=1, version=0
    )
    writing.submit_response(student=student, response_id=draft.pk)
    page = client.get(url).content.decode()
    assert "The plan: Munich 1938" in page


def test_a_student_s_essay_page_is_kept_until_their_work_or_the_essay_changes(
    client, published_essay, django_assert_num_queries
):
    import json

    from django.urls import reverse

    student = UserFactory()
    client.force_login(student)
    url = published_essay.get_absolute_url()
    client.get(url)  # the first page sets the browser's CSRF cookie
    client.get(url)
    with django_assert_num_queries(2):  # the session and the user
        page = client.get(url).content.decode()
    assert "Write your answer" in page and "Your attempts" not in page
    client.post(
        reverse("essays:autosave", args=[published_essay.slug]),
        json.dumps({"body": "My first words", "attempt": 1, "version": 0}),
        content_type="application/json",
    )
    page = client.get(url).content.decode()
    assert "Continue attempt 1" in page and "3 words" in page
    published_essay.headline = "A new headline"
    published_essay.save()
    assert "A new headline" in client.get(url).content.decode()
