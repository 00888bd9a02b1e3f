"""Every page's query count, pinned at two sizes of data: it must not grow with the rows shown.

(The catalogue, search, My work and admin lists have their own pinned counts beside their other
tests; these cover the remaining student pages.)"""

import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from essays.models import Note, Response
from tests.factories import EssayFactory, NoteFactory, ResponseFactory, TagFactory

pytestmark = pytest.mark.django_db


def grow(essay, student, n):
    NoteFactory.create_batch(n, essay=essay, kind=Note.Kind.KEY_POINT, phrases="x")
    essay.tags.add(*TagFactory.create_batch(n))
    for attempt in range(2, 2 + n):
        ResponseFactory(student=student, essay=essay, attempt=attempt, status="submitted")
    for _ in range(n):
        ResponseFactory(student=student, essay=EssayFactory(status="published"))


@pytest.mark.parametrize(
    ("page", "queries"),
    [
        (lambda essay, response: essay.get_absolute_url(), 8),
        (lambda essay, response: reverse("essays:respond", args=[essay.slug]), 7),
        (lambda essay, response: response.get_absolute_url(), 6),
        (lambda essay, response: reverse("essays:response_compare", args=[response.pk]), 5),
    ],
    ids=["essay", "editor", "response", "compare"],
)
def test_signed_in_pages_take_the_same_queries_with_more_data(
    student_client, student, django_assert_num_queries, page, queries
):
    essay = EssayFactory(status="published", tags=["One"])
    response = ResponseFactory(student=student, essay=essay, attempt=1, status="submitted")
    url = page(essay, response)
    with django_assert_num_queries(queries):
        assert student_client.get(url).status_code in (200, 302)
    grow(essay, student, 8)
    with django_assert_num_queries(queries):
        assert student_client.get(url).status_code in (200, 302)


def test_saving_and_submitting_take_the_same_queries_with_more_work_about(
    student_client, student, django_assert_num_queries
):
    """The autosave and submit POSTs cost the same whether the student and the essay have
    little or much work behind them."""
    counts = []
    for size in (0, 8):
        essay = EssayFactory(status="published")
        NoteFactory.create_batch(3 + size, essay=essay, kind=Note.Kind.KEY_POINT, phrases="x")
        grow(EssayFactory(status="published"), student, size)
        ResponseFactory.create_batch(size, essay=essay, status="submitted")  # other students
        save_url = reverse("essays:autosave", args=[essay.slug])
        submit_url = reverse("essays:submit", args=[essay.slug])
        with CaptureQueriesContext(connection) as saving:
            saved = student_client.post(
                save_url,
                json.dumps({"body": "My answer " * 50, "attempt": 1, "version": 0}),
                content_type="application/json",
            )
        assert saved.status_code == 200
        draft = Response.objects.get(student=student, essay=essay)
        with CaptureQueriesContext(connection) as submitting:
            submitted = student_client.post(
                submit_url, {"response": draft.pk, "version": draft.version}
            )
        assert submitted.status_code == 302
        counts.append((len(saving), len(submitting)))
    # Session, user, the essay, the draft (locked), the write, and the transaction's savepoints
    # (the first save starts the draft; later ones: test_a_later_save_is_one_read_and_one_write).
    assert counts == [(12, 10), (12, 10)]


def test_a_later_save_is_one_read_and_one_write(student_client, student, django_assert_num_queries):
    """The save a student's editor sends every few seconds: the session, the user, the essay,
    then in one transaction the draft and the attempt saved into (one read) and the UPDATE."""
    essay = EssayFactory(status="published")
    url = reverse("essays:autosave", args=[essay.slug])
    version = 0
    for size in (0, 8):
        grow(EssayFactory(status="published"), student, size)
        ResponseFactory.create_batch(size, essay=essay, status="submitted")  # other students
        answer = student_client.post(
            url,
            json.dumps({"body": f"Text {size}", "attempt": 1, "version": version}),
            content_type="application/json",
        )
        version = answer.json()["version"]
        with django_assert_num_queries(7):  # with BEGIN and COMMIT
            answer = student_client.post(
                url,
                json.dumps({"body": f"More text {size}", "attempt": 1, "version": version}),
                content_type="application/json",
            )
        assert answer.status_code == 200
        version = answer.json()["version"]
    assert Response.objects.get(student=student, essay=essay, status="draft").body == "More text 8"
