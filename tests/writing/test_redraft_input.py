"""What people and broken pages send to the redraft's endpoints — starting it, and saving the
replies to its targets from the script or the form without JavaScript: always a clear error
(JSON for the script, a page for the form), never a 500, and nothing changes."""

import json
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from essays.models import Response, TargetReply
from tests.factories import ResponseFactory

pytestmark = pytest.mark.django_db

HUGE_ID = "9" * 30


@pytest.fixture
def returned(student):
    return ResponseFactory(
        student=student,
        returned=True,
        body="My returned answer.",
        even_better_if="Name a historian.\nReach a judgement.",
        redraft_due_at=timezone.now() + timedelta(days=3),
    )


@pytest.fixture
def redraft(student_client, returned):
    student_client.post(reverse("essays:start_redraft", args=[returned.pk]))
    redraft = Response.objects.get(redraft_of=returned)
    TargetReply.objects.filter(response=redraft, number=1).update(reply="Kept as it was.")
    return redraft


def snapshot():
    return (
        list(Response.objects.order_by("pk").values_list("pk", "body", "status", "version")),
        list(TargetReply.objects.order_by("pk").values_list("pk", "reply")),
    )


def save(client, pk, payload):
    data = payload if isinstance(payload, (str, bytes)) else json.dumps(payload)
    return client.post(f"/responses/{pk}/replies/", data, content_type="application/json")


@pytest.mark.parametrize(
    "payload",
    [
        "",
        "not json",
        "[1, 2]",
        "[" * 100_000 + "]" * 100_000,
        {"reply": "no replies key"},
        {"replies": ["a list"]},
        {"replies": {"one": "a"}},
        {"replies": {"0": "a"}},
        {"replies": {"-1": "a"}},
        {"replies": {"１": "full-width digit"}},
        {"replies": {"1": 5}},
        {"replies": {"1": None}},
        {"replies": {HUGE_ID: "a"}},
        b"\xff\xfe",
    ],
)
def test_replies_that_are_not_replies_are_refused_as_json(student_client, redraft, payload):
    before = snapshot()
    answer = save(student_client, redraft.pk, payload)
    assert answer.status_code == 400
    assert "was not understood" in answer.json()["message"]
    assert snapshot() == before


@pytest.mark.parametrize(
    ("replies", "message"),
    [
        ({"1": "a\x00b"}, "Your reply to target 1: Your text contains a NUL character"),
        ({"2": "x" * 1001}, "Your reply to target 2 is 1,001 characters; keep it under 1,000"),
        ({"1": "fine", "3": "a third"}, "there is no target 3 to reply to"),
    ],
)
def test_replies_that_cannot_be_kept_are_refused_all_at_once(
    student_client, redraft, replies, message
):
    before = snapshot()
    answer = save(student_client, redraft.pk, {"replies": replies})
    assert answer.status_code == 400
    assert message in answer.json()["message"]
    assert snapshot() == before


def test_a_lone_surrogate_is_refused_with_a_message(student_client, redraft):
    before = snapshot()
    answer = save(student_client, redraft.pk, b'{"replies": {"2": "Added \\ud83d Clark"}}')
    assert answer.status_code == 400
    assert "broken character after “Added ”" in answer.json()["message"]
    assert snapshot() == before


def test_three_megabytes_of_replies_are_refused_as_json(student_client, redraft):
    before = snapshot()
    answer = save(student_client, redraft.pk, {"replies": {"1": "x" * 3_000_000}})
    assert answer.status_code == 400
    assert answer.json()["error"] == "too_big"
    assert snapshot() == before


@pytest.mark.parametrize("which", ["no such response", "huge id", "the returned attempt"])
def test_replies_to_no_redraft_of_the_students_are_refused(student_client, redraft, which):
    pk = {
        "no such response": redraft.pk + 1000,
        "huge id": HUGE_ID,
        "the returned attempt": redraft.redraft_of_id,
    }[which]
    before = snapshot()
    answer = save(student_client, pk, {"replies": {"1": "Where does this go?"}})
    if which == "the returned attempt":
        assert answer.status_code == 409  # handed in: it takes no replies
    else:
        assert answer.status_code == 404 and answer.json()["error"] == "not_found"
    assert snapshot() == before


def test_a_draft_that_is_no_redraft_takes_no_replies(student_client, student):
    draft = ResponseFactory(student=student)
    answer = save(student_client, draft.pk, {"replies": {"1": "Hello"}})
    assert answer.status_code == 400
    assert "is not a redraft" in answer.json()["message"]


def test_replies_to_a_handed_in_redraft_are_refused(student_client, redraft):
    Response.objects.filter(pk=redraft.pk).update(status="submitted", submitted_at=timezone.now())
    before = snapshot()
    answer = save(student_client, redraft.pk, {"replies": {"2": "Too late"}})
    assert answer.status_code == 409
    assert answer.json()["response_url"] == redraft.get_absolute_url()
    assert snapshot() == before


def test_the_replies_endpoint_answers_json_to_gets_and_visitors(client, redraft):
    assert client.get(f"/responses/{redraft.pk}/replies/").json()["error"] == "method"
    client.logout()
    answer = save(client, redraft.pk, {"replies": {"2": "Logged out"}})
    assert answer.status_code == 401 and "log in again" in answer.json()["message"]


def test_an_unchanged_save_writes_nothing_and_answers_every_reply(student_client, redraft):
    before = TargetReply.objects.get(response=redraft, number=1).updated_at
    answer = save(student_client, redraft.pk, {"replies": {"1": "Kept as it was."}})
    assert answer.json()["replies"] == {"1": "Kept as it was.", "2": ""}
    assert TargetReply.objects.get(response=redraft, number=1).updated_at == before


@pytest.mark.parametrize("pk", ["0", HUGE_ID])
def test_starting_a_redraft_of_no_response_is_not_found(student_client, returned, pk):
    before = snapshot()
    assert student_client.post(f"/responses/{pk}/redraft/").status_code == 404
    assert snapshot() == before


# The editor's form without JavaScript


def form_post(client, draft, **fields):
    return client.post(
        reverse("essays:respond", args=[draft.essay.slug]),
        {
            "body": "A rewritten answer.",
            "attempt": draft.attempt,
            "version": draft.version,
            "redraft": draft.pk,
            **fields,
        },
    )


def test_a_reply_the_form_cannot_keep_refuses_the_whole_post(student_client, redraft):
    before = snapshot()
    answer = form_post(student_client, redraft, **{"reply-1": "bad\x00", "reply-2": "good"})
    assert answer.status_code == 400
    page = answer.content.decode()
    assert "Your reply to target 1: Your text contains a NUL character" in page
    assert "A rewritten answer." in page and ">good</textarea>" in page  # nothing lost
    assert snapshot() == before


@pytest.mark.parametrize("typed", ["", "abc", "-1", HUGE_ID])
def test_replies_for_no_redraft_id_are_not_found(student_client, redraft, typed):
    before = snapshot()
    answer = form_post(student_client, redraft, redraft=typed, **{"reply-1": "Changed"})
    assert answer.status_code == 404
    assert snapshot() == before


def test_replies_are_kept_when_the_text_conflicts(student_client, redraft):
    """Another tab saved the text meanwhile: the text is refused (the page shows both), the
    replies, which no other tab changed, are kept."""
    Response.objects.filter(pk=redraft.pk).update(body="From the other tab.", version=7)
    answer = form_post(student_client, redraft, **{"reply-2": "A judgement at the end."})
    assert answer.status_code == 409
    assert "This draft was changed somewhere else" in answer.content.decode()
    assert TargetReply.objects.get(response=redraft, number=2).reply == "A judgement at the end."
    assert Response.objects.get(pk=redraft.pk).body == "From the other tab."
