"""Margin comments and the comment bank on the marking page: the JSON endpoints the page's script
calls, and the rules behind them (essays/marking/annotations.py).

The teacher teaches Amira's class; the other teacher teaches another class, so Amira's work is
not theirs to see."""

import json

import pytest
from django.urls import reverse
from django.utils import timezone

from essays.models import Annotation, CommentBankItem, Response
from tests.conftest import user_in_group
from tests.factories import (
    AnnotationFactory,
    CommentBankItemFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    SubjectFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

# Characters outside the Basic Multilingual Plane count once in Python (and in the stored
# offsets) but twice in JavaScript's strings: the page's script counts code points.
BODY = "Stalin 🙂 signed the Pact in 1939.\r\nIt bought <time> & space."


@pytest.fixture
def history():
    return SubjectFactory(
        name="History", assessment_objectives="Knowledge\nSources\nInterpretations"
    )


@pytest.fixture
def submitted(teacher, history):
    essay = EssayFactory(status="published", subject=history)
    amira = UserFactory(username="amira", first_name="Amira", last_name="Khan")
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[teacher]), student=amira)
    return ResponseFactory(student=amira, essay=essay, status="submitted", body=BODY)


@pytest.fixture
def other_teacher():
    teacher = user_in_group("Teachers", "other-teacher")
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[teacher]))
    return teacher


def post(client, url, data):
    return client.post(url, json.dumps(data), content_type="application/json")


def create_url(student_response):
    return reverse("admin:essays_response_annotations", args=[student_response.pk])


def update_url(annotation):
    return reverse("admin:essays_response_annotation", args=[annotation.response_id, annotation.pk])


def delete_url(annotation):
    return reverse(
        "admin:essays_response_annotation_delete", args=[annotation.response_id, annotation.pk]
    )


def bank_url(student_response, **query):
    url = reverse("admin:essays_response_bank", args=[student_response.pk])
    return url, query


def passage(text: str, body: str = BODY) -> dict:
    start = body.index(text)
    return {"start": start, "end": start + len(text), "quote": text}


@pytest.fixture
def teacher_client(client, teacher):
    client.force_login(teacher)
    return client


def test_a_comment_is_stored_on_its_passage_in_code_points_and_shown_at_once(
    teacher_client, teacher, submitted
):
    answer = post(
        teacher_client,
        create_url(submitted),
        {
            **passage("signed the Pact"),
            "comment": " Which pact? ",
            "kind": "target",
            "objective": "AO1",
        },
    )
    assert answer.status_code == 201
    (note,) = Annotation.objects.all()
    # After the emoji: 9 code points in, where JavaScript would count 10 units.
    assert (note.start, note.end) == (9, 24)
    assert submitted.body[note.start : note.end] == "signed the Pact" == note.quote
    assert (note.comment, note.kind, note.objective) == ("Which pact?", "target", "AO1")
    assert note.author == teacher and note.response == submitted
    data = answer.json()
    assert data["annotation"] == {
        "id": note.pk,
        "number": 1,
        "start": 9,
        "end": 24,
        "quote": "signed the Pact",
        "comment": "Which pact?",
        "kind": "target",
        "objective": "AO1",
        "bank_item": None,
    }
    assert (
        '<mark class="annotated" data-notes="1" data-label="1">signed the Pact</mark>'
        in data["text_html"]
    )
    assert "Which pact?" in data["list_html"] and "AO1 · Knowledge" in data["list_html"]
    # And on the page, as the page first draws it.
    page = teacher_client.get(
        reverse("admin:essays_response_change", args=[submitted.pk])
    ).content.decode()
    assert '<mark class="annotated" data-notes="1" data-label="1">signed the Pact</mark>' in page
    assert '<span class="comment-number">1</span> <span class="comment-tags">Target · AO1' in page


def test_overlapping_comments_are_both_kept_highlighted_and_listed_in_text_order(
    teacher_client, submitted
):
    url = create_url(submitted)
    later = post(teacher_client, url, {**passage("the Pact in 1939"), "comment": "Second"})
    earlier = post(teacher_client, url, {**passage("signed the Pact"), "comment": "First"})
    assert later.status_code == earlier.status_code == 201
    assert earlier.json()["annotation"]["number"] == 1
    html = earlier.json()["text_html"]
    assert '<mark class="annotated" data-notes="1" data-label="1">signed </mark>' in html
    assert '<mark class="annotated overlap" data-notes="1 2" data-label="2">the Pact</mark>' in html
    assert '<mark class="annotated" data-notes="2"> in 1939</mark>' in html
    listed = earlier.json()["list_html"]
    assert listed.index("First") < listed.index("Second")


def test_html_in_comments_and_in_the_answer_is_shown_as_text(teacher_client, submitted):
    attack = '<script>alert("x")</script><b onmouseover="x()">bold</b>'
    answer = post(
        teacher_client,
        create_url(submitted),
        {**passage("<time> & space"), "comment": attack, "kind": "general"},
    )
    assert answer.status_code == 201
    data = answer.json()
    assert data["annotation"]["comment"] == attack  # stored as written, shown escaped
    assert "&lt;time&gt; &amp; space" in data["text_html"]
    for html in (
        data["list_html"],
        teacher_client.get(
            reverse("admin:essays_response_change", args=[submitted.pk])
        ).content.decode(),
    ):
        assert "<script>alert" not in html and "<b onmouseover" not in html
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in html
        assert "&lt;time&gt; &amp; space" in html


@pytest.mark.parametrize(
    ("span", "says"),
    [
        ({"start": 0, "end": 6, "quote": "Lenin!"}, "does not match the answer's text"),
        # Right length, shifted by one: a text changed under the page would look like this.
        ({"start": 1, "end": 7, "quote": "Stalin"}, "does not match the answer's text"),
        ({"start": 40, "end": 500, "quote": "space."}, "not in the answer"),
        ({"start": -3, "end": 2, "quote": "St"}, "not in the answer"),
        ({"start": 5, "end": 5, "quote": ""}, "not in the answer"),
        ({"start": "0", "end": "6", "quote": "Stalin"}, "Select a passage"),
        ({"start": 0, "end": True, "quote": "S"}, "Select a passage"),
        ({}, "Select a passage"),
    ],
)
def test_a_passage_not_in_the_text_is_refused(teacher_client, submitted, span, says):
    answer = post(teacher_client, create_url(submitted), {**span, "comment": "Hmm"})
    assert answer.status_code == 400
    assert says in answer.json()["error"]
    assert not Annotation.objects.exists()


@pytest.mark.parametrize(
    ("fields", "says"),
    [
        ({"comment": "   "}, "Write the comment first."),
        ({"comment": None}, "Write the comment first."),
        ({"comment": "x" * 1001}, "at most 1000 characters; this one is 1001"),
        ({"comment": "Nul\x00byte"}, "cannot be stored"),
        ({"comment": "Half \ud83d a smile"}, "cannot be stored"),
        ({"comment": "Fine", "kind": "praise"}, "strength, a target or general"),
        ({"comment": "Fine", "objective": "AO9"}, "AO1, AO2, AO3"),
    ],
)
def test_a_comment_must_say_something_storable(teacher_client, submitted, fields, says):
    answer = post(teacher_client, create_url(submitted), {**passage("Stalin"), **fields})
    assert answer.status_code == 400
    assert says in answer.json()["error"]
    assert not Annotation.objects.exists()


def test_a_long_comment_of_exactly_the_limit_is_kept(teacher_client, submitted):
    answer = post(
        teacher_client, create_url(submitted), {**passage("Stalin"), "comment": "x" * 1000}
    )
    assert answer.status_code == 201


def test_requests_the_page_did_not_make_are_refused_cleanly(teacher_client, submitted):
    url = create_url(submitted)
    assert teacher_client.get(url).status_code == 405
    broken = teacher_client.post(url, "{not json", content_type="application/json")
    assert broken.status_code == 400
    assert "not understood" in broken.json()["error"]
    assert post(teacher_client, url, ["a", "list"]).status_code == 400
    assert not Annotation.objects.exists()


def test_comments_are_edited_and_deleted_before_release(teacher_client, submitted):
    note = AnnotationFactory(response=submitted, length=6, comment="Old")
    answer = post(
        teacher_client,
        update_url(note),
        {"comment": "Name the pact", "kind": "strength", "objective": "AO2"},
    )
    assert answer.status_code == 200
    note.refresh_from_db()
    assert (note.comment, note.kind, note.objective) == ("Name the pact", "strength", "AO2")
    assert (note.start, note.end, note.quote) == (0, 6, "Stalin")  # the passage stays
    assert "Name the pact" in answer.json()["list_html"]

    answer = post(teacher_client, delete_url(note), {})
    assert answer.status_code == 200
    assert not Annotation.objects.exists()
    assert "No margin comments yet." in answer.json()["list_html"]
    assert "<mark" not in answer.json()["text_html"]


def test_a_released_response_keeps_its_comments_as_the_student_read_them(teacher_client, submitted):
    note = AnnotationFactory(response=submitted, comment="As released")
    Response.objects.filter(pk=submitted.pk).update(
        status="returned", level=3, mark=12, returned_at=timezone.now()
    )
    refusals = [
        post(teacher_client, create_url(submitted), {**passage("Stalin"), "comment": "Late"}),
        post(teacher_client, update_url(note), {"comment": "Changed"}),
        post(teacher_client, delete_url(note), {}),
    ]
    for answer in refusals:
        assert answer.status_code == 400
        assert "released to the student" in answer.json()["error"]
    note.refresh_from_db()
    assert note.comment == "As released"
    assert Annotation.objects.count() == 1
    page = teacher_client.get(
        reverse("admin:essays_response_change", args=[submitted.pk])
    ).content.decode()
    assert "As released" in page
    assert "comment-edit" not in page and 'id="comment-form"' not in page


def test_another_teachers_response_and_comments_are_not_found(
    client, other_teacher, teacher, submitted
):
    note = AnnotationFactory(response=submitted, comment="Mine")
    client.force_login(other_teacher)
    for answer in (
        post(client, create_url(submitted), {**passage("Stalin"), "comment": "Theirs"}),
        post(client, update_url(note), {"comment": "Theirs"}),
        post(client, delete_url(note), {}),
        client.get(*bank_url(submitted, q="pa")),
        post(client, reverse("admin:essays_response_bank_add", args=[submitted.pk]), {"text": "x"}),
    ):
        assert answer.status_code == 404
        assert answer.json() == {"error": "No response you may mark has this address."}
    assert list(Annotation.objects.values_list("comment", flat=True)) == ["Mine"]
    assert not CommentBankItem.objects.exists()


def test_a_comment_is_only_reached_through_its_own_response(teacher_client, teacher, submitted):
    """Another response of the same teacher's class: its comment's id under this response's
    address is not found."""
    other = ResponseFactory(
        student=submitted.student, essay=submitted.essay, attempt=2, status="submitted"
    )
    theirs = AnnotationFactory(response=other, comment="On attempt 2")
    wrong = reverse("admin:essays_response_annotation", args=[submitted.pk, theirs.pk])
    answer = post(teacher_client, wrong, {"comment": "Moved"})
    assert answer.status_code == 404
    theirs.refresh_from_db()
    assert theirs.comment == "On attempt 2"


def test_staff_who_may_not_mark_are_refused(client, editor, submitted):
    client.force_login(editor)
    answer = post(client, create_url(submitted), {**passage("Stalin"), "comment": "Editing"})
    assert answer.status_code == 403
    assert "error" in answer.json()


def test_a_draft_takes_no_comments(teacher_client, submitted):
    Response.objects.filter(pk=submitted.pk).update(status="draft", submitted_at=None)
    answer = post(teacher_client, create_url(submitted), {**passage("Stalin"), "comment": "Hm"})
    # Drafts are never staff's to see.
    assert answer.status_code == 404


# The comment bank ----------------------------------------------------------------------------


@pytest.fixture
def bank(teacher, other_teacher, history):
    politics = SubjectFactory(name="Politics")
    return {
        "mine": CommentBankItemFactory(
            owner=teacher, subject=history, text="Explain the PACT's terms", times_used=1
        ),
        "mine_elsewhere": CommentBankItemFactory(
            owner=teacher, subject=politics, text="My pact note for Politics"
        ),
        "theirs": CommentBankItemFactory(
            owner=other_teacher, subject=history, text="Their private pact comment"
        ),
        "shared": CommentBankItemFactory(
            owner=other_teacher,
            subject=history,
            shared=True,
            text="Weigh the pact against Munich",
            kind="strength",
            times_used=7,
        ),
        "shared_politics": CommentBankItemFactory(
            owner=None, subject=politics, shared=True, text="A politics pact comment"
        ),
        "shared_anywhere": CommentBankItemFactory(
            owner=None, subject=None, shared=True, text="Pact: quote it", kind="general"
        ),
    }


def test_the_bank_offers_own_and_shared_comments_of_the_subject_most_used_first(
    teacher_client, submitted, bank
):
    answer = teacher_client.get(*bank_url(submitted, q="pact"))
    assert answer.status_code == 200
    texts = [item["text"] for item in answer.json()["items"]]
    assert texts == [
        "Weigh the pact against Munich",  # used 7 times
        "Explain the PACT's terms",  # used once
        "My pact note for Politics",  # the teacher's own, from any subject
        "Pact: quote it",  # shared, for any subject
    ]
    assert "Their private pact comment" not in texts
    assert "A politics pact comment" not in texts
    first = answer.json()["items"][0]
    assert first == {
        "id": bank["shared"].pk,
        "text": "Weigh the pact against Munich",
        "kind": "strength",
        "kind_label": "Strength",
        "objective": "AO1",
        "objective_name": "AO1 · Knowledge",
    }


def test_the_bank_narrows_by_kind_and_offers_ten_at_most(teacher_client, teacher, submitted, bank):
    strengths = teacher_client.get(*bank_url(submitted, q="pact", kind="strength")).json()
    assert [item["text"] for item in strengths["items"]] == [
        "Weigh the pact against Munich",
        "Pact: quote it",  # general comments suit any field
    ]
    for number in range(12):
        CommentBankItemFactory(owner=teacher, text=f"Evidence {number}")
    assert len(teacher_client.get(*bank_url(submitted, q="EVIDENCE")).json()["items"]) == 10
    assert teacher_client.get(*bank_url(submitted, q="\x00")).status_code == 200


def test_a_comment_chosen_from_the_bank_counts_a_use(teacher_client, submitted, bank):
    answer = post(
        teacher_client,
        create_url(submitted),
        {
            **passage("Stalin"),
            "comment": "Weigh the pact against Munich",
            "bank_item": bank["shared"].pk,
        },
    )
    assert answer.status_code == 201
    assert Annotation.objects.get().bank_item == bank["shared"]
    bank["shared"].refresh_from_db()
    assert bank["shared"].times_used == 8


def test_another_teachers_private_comment_cannot_be_chosen(teacher_client, submitted, bank):
    answer = post(
        teacher_client,
        create_url(submitted),
        {**passage("Stalin"), "comment": "Their words", "bank_item": bank["theirs"].pk},
    )
    assert answer.status_code == 400
    assert "not in a bank you may use" in answer.json()["error"]
    assert not Annotation.objects.exists()
    bank["theirs"].refresh_from_db()
    assert bank["theirs"].times_used == 0


def test_add_to_my_bank_keeps_a_private_comment_once(teacher_client, teacher, submitted, history):
    url = reverse("admin:essays_response_bank_add", args=[submitted.pk])
    data = {"text": "  Date the Pact precisely. ", "kind": "target", "objective": "AO1"}
    answer = post(teacher_client, url, data)
    assert answer.status_code == 201
    item = CommentBankItem.objects.get()
    assert (item.owner, item.subject, item.shared) == (teacher, history, False)
    assert (item.text, item.kind, item.objective) == ("Date the Pact precisely.", "target", "AO1")
    assert answer.json()["item"]["id"] == item.pk

    again = post(teacher_client, url, data)
    assert again.status_code == 400
    assert again.json()["error"] == "That comment is already in your bank."
    shouted = post(teacher_client, url, {**data, "text": "DATE THE PACT PRECISELY."})
    assert shouted.status_code == 400  # the bank's rule: the same words in any case
    assert post(teacher_client, url, {"text": "", "kind": "target"}).status_code == 400
    assert CommentBankItem.objects.count() == 1
    # Now offered as the teacher types.
    offered = teacher_client.get(*bank_url(submitted, q="precisely")).json()["items"]
    assert [entry["id"] for entry in offered] == [item.pk]


def test_an_edited_comment_keeps_its_bank_comment_without_counting_it_again(
    teacher_client, submitted, bank
):
    note = AnnotationFactory(
        response=submitted, comment=bank["theirs"].text, bank_item=bank["theirs"]
    )
    answer = post(
        teacher_client,
        update_url(note),
        {"comment": bank["theirs"].text, "kind": "target", "bank_item": bank["theirs"].pk},
    )
    assert answer.status_code == 200
    note.refresh_from_db()
    assert note.bank_item == bank["theirs"]  # a colleague's, chosen by them: kept
    answer = post(
        teacher_client,
        update_url(note),
        {"comment": "Weigh the pact against Munich", "bank_item": bank["shared"].pk},
    )
    assert answer.status_code == 200
    bank["theirs"].refresh_from_db()
    bank["shared"].refresh_from_db()
    assert (bank["theirs"].times_used, bank["shared"].times_used) == (0, 8)
