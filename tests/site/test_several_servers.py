"""StudyHub on several application servers: a student's requests can reach any of them, one
after another, and the servers' clocks never agree to the millisecond (bench/scale_out.py runs
the whole arrangement under a class's load)."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse

from essays.models import Response
from tests.factories import EssayFactory

pytestmark = pytest.mark.django_db


def autosave(client, essay, body, version):
    return client.post(
        reverse("essays:autosave", kwargs={"slug": essay.slug}),
        json.dumps({"body": body, "attempt": 1, "version": version}),
        content_type="application/json",
    )


def test_a_save_reaching_a_server_whose_clock_is_behind_is_kept(student_client, freezer):
    """The last save was stamped by a server two seconds ahead of this one: the text is saved
    all the same, the time spent writing does not go down, and it counts on from there (off by
    no more than the clocks' difference)."""
    essay = EssayFactory(status="published")
    assert autosave(student_client, essay, "Stalin wanted", 0).status_code == 200
    freezer.tick(timedelta(seconds=-2))
    answer = autosave(student_client, essay, "Stalin wanted security", 1)
    assert answer.status_code == 200
    draft = Response.objects.get()
    assert (draft.body, draft.version, draft.time_spent_seconds) == ("Stalin wanted security", 2, 0)
    freezer.tick(timedelta(seconds=62))
    assert autosave(student_client, essay, "Stalin wanted security first", 2).status_code == 200
    draft.refresh_from_db()
    assert 60 <= draft.time_spent_seconds <= 62
