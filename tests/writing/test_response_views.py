"""My work: the student's own responses, and nobody else's."""

import pytest
from django.urls import reverse
from django.utils import timezone

from essays.models import Response
from tests.factories import EssayFactory, ResponseFactory, UserFactory

pytestmark = pytest.mark.django_db
MY_WORK = reverse("essays:response_list")


def test_my_work_lists_own_responses_newest_first(student_client, student, freezer):
    versailles = EssayFactory(headline="Versailles", status="published")
    stalin = EssayFactory(headline="Stalin", status="published")
    ResponseFactory(student=student, essay=versailles, status="submitted")
    freezer.tick(60)
    ResponseFactory(student=student, essay=stalin, body="Draft words here")
    ResponseFactory(essay=stalin, body="Another student's")

    response = student_client.get(MY_WORK)
    assert [group["essay"].headline for group in response.context["essays"]] == [
        "Stalin",
        "Versailles",
    ]
    page = response.content.decode()
    assert "Draft" in page and "Submitted" in page
    assert "Another student" not in page


def test_my_work_shows_the_mark_only_once_returned(student_client, student):
    essay = EssayFactory(status="published")
    ResponseFactory(student=student, essay=essay, status="submitted", mark=18, attempt=1)
    page = student_client.get(MY_WORK).content.decode()
    assert "18 / 25" not in page
    Response.objects.update(status="returned", returned_at=timezone.now())
    page = student_client.get(MY_WORK).content.decode()
    assert "18 / 25" in page


def test_my_work_query_count_does_not_grow(student_client, student, django_assert_num_queries):
    ResponseFactory(student=student)
    # Session, user, how many essays, the page of essays, their responses, and the nav's counts.
    with django_assert_num_queries(6):
        student_client.get(MY_WORK)
    ResponseFactory.create_batch(40, student=student, essay__status="published")
    with django_assert_num_queries(6):  # new responses: the nav counts afresh
        student_client.get(MY_WORK)
    for page in ("3", "4"):  # its counts kept from the page before
        with django_assert_num_queries(5):
            student_client.get(MY_WORK, {"page": page})


def test_my_work_is_paged_ten_essays_at_a_time_newest_first(student_client, student, freezer):
    for number in range(1, 26):
        essay = EssayFactory(headline=f"Essay {number:02}", status="published")
        ResponseFactory(student=student, essay=essay, attempt=1, status="submitted")
        ResponseFactory(student=student, essay=essay, attempt=2)
        freezer.tick(60)

    def headlines(page):
        return [group["essay"].headline for group in page.context["essays"]]

    first = student_client.get(MY_WORK)
    assert headlines(first) == [f"Essay {n:02}" for n in range(25, 15, -1)]
    assert all(len(group["attempts"]) == 2 for group in first.context["essays"])
    text = first.content.decode()
    assert "Page 1 of 3" in text and "?page=2" in text and "Newer work" not in text
    last = student_client.get(MY_WORK, {"page": "3"})
    assert headlines(last) == [f"Essay {n:02}" for n in range(5, 0, -1)]
    assert "Older work" not in last.content.decode()
    # Any other page asked for: the nearest there is, never an error.
    assert headlines(student_client.get(MY_WORK, {"page": "99"})) == headlines(last)
    assert headlines(student_client.get(MY_WORK, {"page": "abc"})) == headlines(first)
    # Working on an old essay brings it to the top.
    freezer.tick(60)
    Response.objects.filter(essay__headline="Essay 01", attempt=2).update(updated_at=timezone.now())
    assert headlines(student_client.get(MY_WORK))[0] == "Essay 01"


def test_my_work_needs_a_login(client):
    response = client.get(MY_WORK)
    assert response.status_code == 302 and response.url.startswith("/accounts/login/")


def test_a_response_is_only_for_its_owner(client, student):
    response = ResponseFactory(student=student, status="submitted", body="My private answer")
    url = response.get_absolute_url()
    intruder = UserFactory(username="intruder")
    client.force_login(intruder)
    for path in (url, reverse("essays:response_compare", args=[response.pk])):
        assert client.get(path).status_code == 404
    assert client.get(reverse("essays:response_detail", args=[999999])).status_code == 404

    client.force_login(student)
    page = client.get(url).content.decode()
    assert "My private answer" in page


def test_feedback_is_hidden_until_the_response_is_returned(student_client, student):
    response = ResponseFactory(
        student=student, status="submitted", level=4, mark=18, feedback="Sharper judgement."
    )
    page = student_client.get(response.get_absolute_url()).content.decode()
    assert "Sharper judgement" not in page and "18 / 25" not in page

    Response.objects.filter(pk=response.pk).update(status="returned", returned_at=timezone.now())
    page = student_client.get(response.get_absolute_url()).content.decode()
    assert "Your teacher's feedback" in page
    assert "Level 4 · 18 / 25 marks" in page
    assert "Sharper judgement." in page


def test_compare_puts_the_answer_beside_the_model_essay(student_client, student):
    response = ResponseFactory(student=student, status="submitted", body="My answer.")
    page = student_client.get(reverse("essays:response_compare", args=[response.pk]))
    text = page.content.decode()
    assert "Your answer (attempt 1" in text and "My answer." in text
    assert "Model essay" in text and response.essay.paragraphs()[0] in text


def test_a_draft_cannot_be_compared_yet(student_client, student):
    draft = ResponseFactory(student=student)
    assert (
        student_client.get(reverse("essays:response_compare", args=[draft.pk])).status_code == 404
    )


def test_my_work_is_kept_until_the_student_saves_or_hands_in(
    student_client, student, django_assert_num_queries
):
    import json

    essay = EssayFactory(headline="Versailles", status="published")
    url = reverse("essays:autosave", args=[essay.slug])
    saved = student_client.post(
        url,
        json.dumps({"body": "One two three", "attempt": 1, "version": 0}),
        content_type="application/json",
    ).json()
    student_client.get(MY_WORK)
    student_client.get(MY_WORK)
    with django_assert_num_queries(2):  # the session and the user: the page is kept
        assert ">3</td>" in student_client.get(MY_WORK).content.decode()
    student_client.post(
        url,
        json.dumps({"body": "One two three four", "attempt": 1, "version": saved["version"]}),
        content_type="application/json",
    )
    assert ">4</td>" in student_client.get(MY_WORK).content.decode()
    draft = Response.objects.get(student=student)
    student_client.post(
        reverse("essays:submit", args=[essay.slug]),
        {"response": draft.pk, "version": draft.version},
    )
    assert "Submitted" in student_client.get(MY_WORK).content.decode()
