"""Every page's query count, pinned at two sizes of data: it must not grow with the rows shown.

(The catalogue, search, My work and admin lists have their own pinned counts beside their other
tests; these cover the remaining student pages.)"""

import pytest
from django.urls import reverse

from essays.models import Note
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
        (lambda essay, response: reverse("essays:response_compare", args=[response.pk]), 4),
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
