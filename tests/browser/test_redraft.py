"""The redraft loop in a real browser, as the student meets it: the returned answer with its
margin comments highlighted in the text and listed beside it, "Start your redraft", a reply to
each target saved as they type (and kept in the browser while the server cannot have it),
handing in refused until every target has a reply, then accepted. axe checks the returned
answer and the redraft's editor on a desktop and on a 360-pixel phone."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from essays.marking.rules import return_response
from essays.models import Annotation, Response, TargetReply
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_classes_student import fits_the_screen
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    SubjectFactory,
    TeachingGroupFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

BODY = (
    "Alliances spread the war across Europe in 1914.\n"
    "\n"
    "Germany's blank cheque to Austria-Hungary mattered more than any treaty."
)


def returned_for_redraft(student):
    """Sam's answer to set work, marked with two margin comments and returned for redraft."""
    teacher = user_in_group("Teachers", "mr-ali")
    group = TeachingGroupFactory(name="13H History", teachers=[teacher])
    EnrolmentFactory(group=group, student=student)
    subject = SubjectFactory(name="History")
    subject.assessment_objectives = "Knowledge\nAnalysis\nSources"
    subject.save()
    work = AssignmentFactory(group=group, essay=EssayFactory(status="published", subject=subject))
    answer = ResponseFactory(
        student=student,
        essay=work.essay,
        assignment=work,
        status="submitted",
        body=BODY,
        mark=14,
        went_well="A clear line of argument.",
        even_better_if="Name a historian who disagrees.\nEnd with a judgement.",
    )
    for passage, comment, kind, objective in (
        ("blank cheque", "Well chosen: say when it was given.", "strength", "AO1"),
        ("spread the war", "Which historian argues this?", "target", "AO2"),
    ):
        start = BODY.index(passage)
        Annotation.objects.create(
            response=answer,
            start=start,
            end=start + len(passage),
            quote=passage,
            comment=comment,
            kind=kind,
            objective=objective,
        )
    return_response(
        student_response=answer,
        teacher=teacher,
        site_url="",
        redraft_due_at=timezone.now() + timedelta(days=3),
    )
    return answer


def check_both_widths(page):
    for width in (1280, 360):
        page.set_viewport_size({"width": width, "height": 800})
        assert_accessible(page)
        assert fits_the_screen(page), f"{page.url} scrolls sideways at {width} px"
    page.set_viewport_size({"width": 1280, "height": 800})


def reply_box(page, number):
    return page.get_by_role("textbox", name=f"What I changed for target {number}")


def test_a_student_reads_the_comments_redrafts_and_replies_to_each_target(student_page, site):
    page = student_page
    student = get_user_model().objects.get(username="sam")
    answer = returned_for_redraft(student)
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )

    page.goto(f"{site}{answer.get_absolute_url()}")
    # The highlights, numbered in text order, and the same comments as a list.
    expect(page.locator('mark.annotated[data-label="1"]')).to_have_text("spread the war")
    expect(page.locator('mark.annotated[data-label="2"]')).to_have_text("blank cheque")
    comments = page.get_by_role("list", name="Your teacher's comments on your text")
    expect(comments.get_by_role("listitem")).to_have_count(2)
    expect(comments.get_by_role("listitem").first).to_contain_text("Which historian argues this?")
    expect(comments.get_by_role("listitem").first).to_contain_text("AO2 · Analysis")
    expect(page.get_by_role("heading", name=re.compile("^Redraft due"))).to_be_visible()
    check_both_widths(page)

    page.get_by_role("button", name="Start your redraft").click()
    page.wait_for_url(f"{site}/essays/{answer.essay.slug}/respond/")
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    expect(page.get_by_role("textbox", name="Your answer", exact=True)).to_have_value(BODY)
    expect(page.get_by_text("Target 1: Name a historian who disagrees.")).to_be_visible()
    check_both_widths(page)

    reply_box(page, 1).fill("Added Fischer's view and Clark's reply to it.")
    expect(page.locator("#replies-status")).to_have_text(re.compile("^Replies saved"))
    redraft = Response.objects.get(redraft_of=answer)

    # The redraft on the classes page and in My work.
    page.goto(f"{site}/classes/")
    expect(page.get_by_role("link", name=re.compile("^Continue your redraft"))).to_be_visible()
    check_both_widths(page)
    page.goto(f"{site}/responses/")
    expect(page.get_by_text("Redraft of attempt 1")).to_be_visible()
    check_both_widths(page)
    page.goto(f"{site}/essays/{answer.essay.slug}/respond/")

    # One reply is not enough: the confirm page names the target without one.
    page.get_by_role("button", name="Submit…").click()
    expect(page.get_by_role("alert")).to_contain_text("No reply yet to target 2")
    expect(page.get_by_role("button", name=re.compile("^Yes, submit"))).to_have_count(0)
    page.get_by_role("link", name="Back to your answer").first.click()

    page.locator("#response-form[data-ready]").wait_for(state="attached")
    expect(reply_box(page, 1)).to_have_value("Added Fischer's view and Clark's reply to it.")
    # Typed, then straight to "Submit…": the reply is saved on the way.
    reply_box(page, 2).fill("A last paragraph now weighs the causes.")
    page.get_by_role("button", name="Submit…").click()
    page.get_by_role("button", name="Yes, submit attempt 2").click()
    expect(page.get_by_text("Submitted attempt 2")).to_be_visible()

    redraft.refresh_from_db()
    assert (redraft.status, redraft.redraft_of_id) == ("submitted", answer.pk)
    assert list(
        TargetReply.objects.filter(response=redraft).order_by("number").values_list("reply")
    ) == [
        ("Added Fischer's view and Clark's reply to it.",),
        ("A last paragraph now weighs the causes.",),
    ]
    expect(page.get_by_role("heading", name="What you changed")).to_be_visible()
    assert refused == [], "the Content-Security-Policy refused something on these pages"


def test_replies_typed_offline_come_back_from_the_browser(student_page, site, context):
    page = student_page
    student = get_user_model().objects.get(username="sam")
    answer = returned_for_redraft(student)
    page.goto(f"{site}{answer.get_absolute_url()}")
    page.get_by_role("button", name="Start your redraft").click()
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    reply_box(page, 1).fill("Saved while online.")
    expect(page.locator("#replies-status")).to_have_text(re.compile("^Replies saved"))

    context.set_offline(True)
    reply_box(page, 1).fill("Rewritten offline.")
    expect(page.locator("#replies-status")).to_contain_text("retrying", timeout=10_000)
    page.close()
    context.set_offline(False)
    redraft = Response.objects.get(redraft_of=answer)
    assert TargetReply.objects.get(response=redraft, number=1).reply == "Saved while online."

    later = context.new_page()
    later.goto(f"{site}/essays/{answer.essay.slug}/respond/")
    later.locator("#response-form[data-ready]").wait_for(state="attached")
    expect(reply_box(later, 1)).to_have_value("Rewritten offline.")
    # Saved from the browser's copy on this visit ("Restored …", then "Replies saved"), or
    # already by the closing page's last request, if it reached the server once back online.
    saved = TargetReply.objects.filter(response=redraft, number=1, reply="Rewritten offline.")
    for _ in range(100):
        if saved.exists():
            break
        later.wait_for_timeout(100)
    assert saved.exists()
    expect(later.locator("#replies-status")).not_to_contain_text("retrying")
