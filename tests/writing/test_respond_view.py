"""The editor page, as a student without JavaScript sees it, and the submission flow."""

import re
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from essays.models import Response
from tests.factories import EssayFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def essay():
    return EssayFactory(status="published", headline="Stalin's foreign policy")


def respond_url(essay):
    return reverse("essays:respond", kwargs={"slug": essay.slug})


def submit_url(essay):
    return reverse("essays:submit", kwargs={"slug": essay.slug})


def post_editor(client, essay, body, *, attempt=1, version=0, action="save", student=None, **extra):
    fields = {"body": body, "attempt": attempt, "version": version, "action": action}
    if student is not None:
        fields["student"] = student  # as the editor page sends it
    return client.post(respond_url(essay), fields, **extra)


def test_the_editor_needs_a_login_and_comes_back_after_it(client, essay):
    response = client.get(respond_url(essay))
    assert response.status_code == 302
    assert response.url == f"/accounts/login/?next={respond_url(essay)}"


def test_the_editor_shows_the_prompt_and_an_empty_answer(student_client, essay):
    response = student_client.get(respond_url(essay))
    page = response.content.decode()
    assert response.status_code == 200
    assert f"{essay.statement} Discuss" in page
    assert 'name="body"' in page and '<label for="id_body"' in page
    assert "Not saved yet" in page
    assert 'name="action" value="save"' in page and 'name="action" value="submit"' in page
    assert all(' src="' in tag for tag in re.findall(r"<script\b[^>]*>", page))


def test_save_draft_without_javascript(student_client, student, essay):
    response = post_editor(student_client, essay, "Stalin wanted security.")
    assert response.status_code == 302 and response.url == respond_url(essay)
    draft = Response.objects.for_student(student).get()
    assert (draft.body, draft.version, draft.word_count) == ("Stalin wanted security.", 1, 3)

    page = student_client.get(respond_url(essay)).content.decode()
    assert "Draft saved at" in page
    assert "Stalin wanted security.</textarea>" in page
    assert 'name="version" value="1"' in page


def test_a_stale_form_shows_both_texts_and_saves_nothing(student_client, student, essay):
    ResponseFactory(student=student, essay=essay, body="Saved in the other tab", version=3)
    response = post_editor(student_client, essay, "Typed in this tab", version=2)
    page = response.content.decode()
    assert response.status_code == 409
    assert "This draft was changed somewhere else" in page
    assert "Saved in the other tab</textarea>" in page
    assert "Typed in this tab</textarea>" in page
    assert 'name="version" value="3"' in page
    assert Response.objects.get().body == "Saved in the other tab"


def test_text_sent_to_a_submitted_attempt_is_offered_as_a_new_attempt(
    student_client, student, essay
):
    ResponseFactory(student=student, essay=essay, status="submitted", body="Final")
    response = post_editor(student_client, essay, "Typed after submitting", version=1)
    page = response.content.decode()
    assert response.status_code == 409
    assert "Attempt 1 was already submitted" in page
    assert "Typed after submitting</textarea>" in page

    response = student_client.post(
        reverse("essays:new_attempt", kwargs={"slug": essay.slug}),
        {"body": "Typed after submitting"},
    )
    assert response.status_code == 302
    new = Response.objects.for_student(student).drafts().get()
    assert (new.attempt, new.body) == (2, "Typed after submitting")


def test_an_oversized_or_nul_text_is_refused_with_the_text_kept(student_client, essay):
    response = post_editor(student_client, essay, "before\x00after")
    page = response.content.decode()
    assert response.status_code == 400
    assert "NUL character" in page
    assert "beforeafter" not in page
    assert not Response.objects.exists()


def test_submit_asks_for_confirmation_then_submits_once(student_client, student, essay):
    response = post_editor(student_client, essay, "My whole answer here.", action="submit")
    assert response.status_code == 302 and response.url == submit_url(essay)

    page = student_client.get(submit_url(essay)).content.decode()
    assert "Submit attempt 1?" in page
    assert "4 words" in page
    draft = Response.objects.get()

    form = {"response": draft.pk, "version": draft.version}
    first = student_client.post(submit_url(essay), form)
    second = student_client.post(submit_url(essay), form)
    assert first.status_code == second.status_code == 302
    assert first.url == second.url == draft.get_absolute_url()
    assert Response.objects.count() == 1
    draft.refresh_from_db()
    assert draft.status == Response.Status.SUBMITTED

    page = student_client.get(first.url).content.decode()
    assert "Attempt 1 is already submitted." in page


def test_an_empty_answer_cannot_be_submitted(student_client, essay):
    post_editor(student_client, essay, "   ")
    page = student_client.get(submit_url(essay)).content.decode()
    assert "Write your answer before submitting: it is empty." in page
    assert "Yes, submit" not in page
    draft = Response.objects.get()
    response = student_client.post(submit_url(essay), {"response": draft.pk, "version": 1})
    assert response.status_code == 302
    assert Response.objects.get().is_draft


def test_a_submitted_response_is_read_only(student_client, student, essay):
    submitted = ResponseFactory(student=student, essay=essay, status="submitted")
    page = student_client.get(respond_url(essay)).content.decode()
    assert "Start a new attempt" in page
    assert 'name="body"' not in page
    post_editor(student_client, essay, "Changed", version=1)
    submitted.refresh_from_db()
    assert submitted.body != "Changed"


@pytest.mark.parametrize(("start_from", "expected"), [("blank", ""), ("previous", "Final text")])
def test_a_new_attempt_starts_blank_or_from_the_last_text(
    student_client, student, essay, start_from, expected
):
    ResponseFactory(student=student, essay=essay, status="submitted", body="Final text")
    student_client.post(
        reverse("essays:new_attempt", kwargs={"slug": essay.slug}), {"start_from": start_from}
    )
    draft = Response.objects.for_student(student).drafts().get()
    assert (draft.attempt, draft.body) == (2, expected)
    page = student_client.get(respond_url(essay)).content.decode()
    assert "attempt 2" in page


def test_text_posted_after_the_session_expired_comes_back_after_login(client, student, essay):
    response = post_editor(
        client, essay, "Written while my session expired", version=0, student=student.pk
    )
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")

    response = client.post(
        response.url,
        {"username": "amira", "password": "correct horse battery staple"},
    )
    assert response.status_code == 302 and response.url == respond_url(essay)
    page = client.get(response.url).content.decode()
    assert "Written while my session expired</textarea>" in page
    assert 'data-unsaved="true"' in page
    assert "It is not saved yet" in page


def test_a_form_sent_with_an_expired_token_leads_back_to_the_editor(student, essay):
    client = Client(enforce_csrf_checks=True)
    client.force_login(student)
    response = post_editor(client, essay, "Text another site chose <b>bold</b>")
    page = response.content.decode()
    assert response.status_code == 403
    assert "Your text is not lost" in page
    assert f'href="{respond_url(essay)}"' in page
    # Nothing posted comes back, and nothing can be sent on with a fresh token.
    assert "another site chose" not in page
    assert "<form" not in page.split("</nav>", 1)[-1]
    assert not Response.objects.exists()


def test_another_students_draft_is_never_shown(student_client, essay):
    ResponseFactory(essay=essay, body="Someone else's secret draft")
    page = student_client.get(respond_url(essay)).content.decode()
    assert "secret draft" not in page


def test_drafts_of_unknown_or_unpublished_essays_are_not_found(student_client, student):
    assert student_client.get("/essays/nothing-here/respond/").status_code == 404
    hidden = EssayFactory(status="draft")
    assert student_client.get(respond_url(hidden)).status_code == 404


def test_work_on_an_essay_unpublished_later_stays_reachable(student_client, student):
    essay = EssayFactory(status="draft")
    ResponseFactory(student=student, essay=essay, body="Half written")
    page = student_client.get(respond_url(essay)).content.decode()
    assert "Half written</textarea>" in page


def test_submit_with_nothing_written_says_why(student_client, essay):
    # The editor's script saves nothing for an empty answer and opens the submit page.
    response = student_client.get(reverse("essays:submit", args=[essay.slug]), follow=True)
    assert response.redirect_chain[-1][0] == respond_url(essay)
    assert "Write your answer before submitting: it is empty." in response.content.decode()
    assert not Response.objects.exists()


def log_in_from(client, login_url, username):
    return client.post(
        login_url, {"username": username, "password": "correct horse battery staple"}
    )


def test_text_held_after_the_session_ended_is_never_shown_to_another_student(
    client, student, essay
):
    UserFactory(username="next-in-the-queue")
    response = post_editor(client, essay, "Amira's private answer", student=student.pk)
    log_in_from(client, response.url, "next-in-the-queue")
    page = client.get(respond_url(essay)).content.decode()
    assert "Amira's private answer" not in page
    assert not any(key.startswith("pending-response-text:") for key in list(client.session.keys()))


def test_text_held_after_the_session_ended_is_dropped_after_a_day(client, student, essay, freezer):
    response = post_editor(client, essay, "Yesterday's words", student=student.pk)
    freezer.tick(timedelta(days=1, minutes=1))
    log_in_from(client, response.url, "amira")
    assert "Yesterday's words" not in client.get(respond_url(essay)).content.decode()


def test_text_longer_than_any_draft_is_not_held(client, student, essay):
    response = post_editor(client, essay, "x" * 200_001, student=student.pk, follow=True)
    assert "your text was not saved" in response.content.decode()
    assert not any(key.startswith("pending-response-text:") for key in list(client.session.keys()))
