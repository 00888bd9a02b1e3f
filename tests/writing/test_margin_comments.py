"""What the student sees of their teacher's marking on a response: nothing — no mark, no "what
went well" or "even better if", no margin comments — until it is returned (released); then the
level with its descriptor, the mark, WWW and EBI, and the margin comments as numbered highlights
in their text with the same comments beside it as an ordered list."""

import pytest
from django.urls import reverse

from essays.marking.rules import return_response
from essays.models import Annotation
from tests.conftest import user_in_group
from tests.factories import EssayFactory, ResponseFactory, SubjectFactory, UserFactory

pytestmark = pytest.mark.django_db

BODY = (
    "Alliances spread the war across Europe.\n"
    "\n"
    "Germany's blank cheque to Austria-Hungary mattered more than any treaty."
)


@pytest.fixture
def submitted(student, default_scheme):
    subject = SubjectFactory(
        name="History",
        assessment_objectives="Knowledge and understanding\nAnalysis and evaluation\nSources",
    )
    return ResponseFactory(
        student=student,
        essay=EssayFactory(status="published", subject=subject),
        status="submitted",
        body=BODY,
        level=3,
        mark=14,
        went_well="A clear line of argument.",
        even_better_if="Name a historian.\nReach a judgement.",
        feedback="See me about footnotes.",
    )


def annotate(student_response, passage, comment, **fields):
    start = student_response.body.index(passage)
    return Annotation.objects.create(
        response=student_response,
        start=start,
        end=start + len(passage),
        quote=passage,
        comment=comment,
        **fields,
    )


def release(student_response):
    assert return_response(
        student_response=student_response,
        teacher=user_in_group("Teachers", "mr-ali"),
        site_url="http://testserver",
    )


def test_www_ebi_the_mark_and_comments_are_hidden_before_release_and_shown_after(
    student_client, submitted
):
    annotate(submitted, "blank cheque", "Evidence well chosen.", kind="strength", objective="AO1")
    annotate(submitted, "spread the war", "Which historian says so?", kind="target")
    url = submitted.get_absolute_url()

    page = student_client.get(url).content.decode()
    hidden = [
        "14 / 25",
        "Level 3",
        "What went well",
        "A clear line of argument.",
        "Even better if",
        "Name a historian.",
        "See me about footnotes.",
        "Evidence well chosen.",
        "Which historian says so?",
        'class="annotated"',
        "margin-comments",
    ]
    assert [text for text in hidden if text in page] == []
    assert "blank cheque" in page  # the student's own text, plain

    release(submitted)
    page = student_client.get(url).content.decode()
    assert [text for text in hidden if text not in page] == []


def test_comments_are_numbered_in_text_order_beside_the_highlights(student_client, submitted):
    # Added out of text order, and overlapping: "blank cheque" lies inside the longer passage.
    annotate(submitted, "blank cheque", "Precise.", kind="strength", objective="AO1")
    annotate(submitted, "Alliances", "Define them.", kind="target", objective="AO2")
    annotate(submitted, "Germany's blank cheque to Austria-Hungary", "Say when.")
    release(submitted)
    page = student_client.get(submitted.get_absolute_url()).content.decode()

    assert '<mark class="annotated" data-notes="1" data-label="1">Alliances</mark>' in page
    assert '<mark class="annotated" data-notes="2" data-label="2">Germany&#x27;s </mark>' in page
    assert (
        '<mark class="annotated overlap" data-notes="2 3" data-label="3">blank cheque</mark>'
        in page
    )
    listed = page[page.index('<ol class="margin-comments"') :]
    listed = listed[: listed.index("</ol>")]
    order = [listed.index(comment) for comment in ("Define them.", "Say when.", "Precise.")]
    assert order == sorted(order)
    assert "“Alliances”" in listed and "“blank cheque”" in listed
    assert ">Target</span>" in listed and ">Strength</span>" in listed
    assert "AO2 · Analysis and evaluation" in listed
    assert "AO1 · Knowledge and understanding" in listed


def test_html_in_comments_and_quotes_is_shown_as_text(student_client, student, default_scheme):
    returned = ResponseFactory(
        student=student, returned=True, body="I wrote <b>bold</b> claims.", level=3, mark=12
    )
    annotate(returned, "<b>bold</b>", "<script>alert('owned')</script> & more")
    page = student_client.get(returned.get_absolute_url()).content.decode()
    assert "<script>alert" not in page and "<b>bold</b>" not in page
    assert "&lt;script&gt;alert(&#x27;owned&#x27;)&lt;/script&gt; &amp; more" in page
    assert "“&lt;b&gt;bold&lt;/b&gt;”" in page


def test_a_returned_response_without_comments_shows_its_text_as_before(student_client, submitted):
    release(submitted)
    page = student_client.get(submitted.get_absolute_url()).content.decode()
    assert "<p>Alliances spread the war across Europe.</p>" in page
    assert "margin-comments" not in page


def test_the_returned_page_reads_the_comments_in_one_query(
    student_client, submitted, django_assert_num_queries
):
    annotate(submitted, "Alliances", "Define them.")
    release(submitted)
    url = submitted.get_absolute_url()
    student_client.get(url)  # the first visit also records that the feedback was seen
    # Session, user, the response, key points, the earlier attempt, the level, the margin
    # comments (the nav's counts are kept from the first visit, which counted the feedback as
    # seen).
    with django_assert_num_queries(7):
        student_client.get(url)
    for word in ("spread", "war", "Europe", "Germany", "cheque", "treaty"):
        annotate(submitted, word, f"On {word}.")
    with django_assert_num_queries(7):
        page = student_client.get(url).content.decode()
    assert page.count('<li id="comment-') == 7


def test_another_students_comments_are_not_found(client, submitted):
    annotate(submitted, "Alliances", "Define them.")
    release(submitted)
    client.force_login(UserFactory(username="classmate"))
    answer = client.get(reverse("essays:response_detail", args=[submitted.pk]))
    assert answer.status_code == 404
    assert "Define them." not in answer.content.decode()
