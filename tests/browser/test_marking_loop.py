"""The marking loop end to end, in two browsers: a teacher marks a class's two scripts of one
piece of set work by keyboard alone (a level, a mark, a margin comment from the History starter
bank on a passage selected with Shift and the arrows, a What went well line and an Even better
if target from the bank, a second target typed), releases the first and returns the second for
redraft by a date; the student, who saw nothing before the release, reads the highlights, the
comments, the level and the targets, redrafts, is refused until every target has a reply, and
hands in; the teacher opens the redraft from the pile and sees the last mark, the targets with
the replies beside them, and what changed."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from essays.models import Annotation, CommentBankItem, Response, TargetReply
from tests.browser.conftest import PASSWORD, log_in
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    SubjectFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)

HEADLINE = "Stalin's foreign policy, 1933–41"
BEN_BODY = "Stalin joined the League of Nations in 1934.\n\nHe wanted collective security."
CARA_BODY = "The Nazi-Soviet Pact of 1939 bought the USSR time.\n\nStalin had little choice."
CARA_REDRAFT = (
    "The Nazi-Soviet Pact of August 1939 bought the USSR time.\n\n"
    "Stalin had little choice after Munich, so security came before ideology."
)
# From the History starter bank (fixtures/comment_bank.json), found by typing a few letters.
MARGIN_TARGET = "Use precise dates and names to support this point."
STRENGTH = "A clear line of argument runs from your introduction to your conclusion."
BANK_TARGET = (
    "Reach a judgement: say which factor was most important and why, rather than listing them."
)
TYPED_TARGET = "Name a historian who disagrees with you."
LEVEL_3 = (
    "Reasonable: the answer addresses the question with some analysis, though parts are "
    "descriptive."
)


def a_class_with_two_scripts():
    """13H History: Ben and Cara handed in one piece of set work (Ben's the newer, so first in
    the pile); their teacher has the default mark scheme and the History starter bank."""
    call_command("loaddata", "fixtures/mark_schemes.json", verbosity=0)
    history = SubjectFactory(name="History")
    history.assessment_objectives = "Knowledge\nAnalysis\nInterpretations"
    history.save()
    call_command("loaddata", "fixtures/comment_bank.json", verbosity=0)
    teacher = user_in_group("Teachers", "mrs-khan")
    teacher.first_name, teacher.last_name = "Asha", "Khan"
    teacher.set_password(PASSWORD)
    teacher.save()
    group = TeachingGroupFactory(name="13H History", subject=history, teachers=[teacher])
    work = AssignmentFactory(
        group=group, essay=EssayFactory(headline=HEADLINE, status="published", subject=history)
    )
    scripts = {}
    for age, (username, first, last, body) in enumerate(
        (("bwright", "Ben", "Wright", BEN_BODY), ("cjones", "Cara", "Jones", CARA_BODY))
    ):
        student = UserFactory(
            username=username, first_name=first, last_name=last, password=PASSWORD
        )
        EnrolmentFactory(group=group, student=student)
        scripts[username] = ResponseFactory(
            student=student,
            essay=work.essay,
            assignment=work,
            status="submitted",
            body=body,
            submitted_at=timezone.now() - timedelta(minutes=age + 1),
        )
    return scripts


def new_page(browser):
    return browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()


def is_focused(locator) -> bool:
    return locator.evaluate("element => element === document.activeElement")


def tab_to(page, locator, most=120):
    """Press Tab until `locator` has focus, as a keyboard user moves through the page."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if is_focused(locator):
            return
    raise AssertionError(f"{locator} was not reached with Tab")


def select_with_keys(page, body, passage):
    """In the answer (focused), select `passage` of its first line with the arrows."""
    page.keyboard.press("Control+Home")
    for _ in range(body.index(passage)):
        page.keyboard.press("ArrowRight")
    for _ in range(len(passage)):
        page.keyboard.press("Shift+ArrowRight")


def mark_by_keyboard(page, *, body, passage, level, mark):
    """Level, mark, a margin comment from the bank, What went well and two targets: keys only."""
    expect(page.locator("#marking[data-ready=true]")).to_be_attached()
    page.keyboard.press(level)
    expect(page.get_by_role("radio", name=re.compile(f"^Level {level} "))).to_be_checked()
    page.keyboard.press("m")
    expect(page.get_by_role("spinbutton", name="Mark")).to_be_focused()
    page.keyboard.type(mark)
    page.keyboard.press("Escape")
    answer = page.get_by_role("textbox", name="The student's answer")
    expect(answer).to_be_focused()

    select_with_keys(page, body, passage)
    page.keyboard.press("c")
    comment = page.get_by_role("combobox", name="Comment")
    expect(comment).to_be_focused()
    expect(page.locator("#comment-form-quote")).to_have_text(passage)
    page.keyboard.type("precise dates")
    expect(page.get_by_role("option", name=re.compile("^Use precise dates"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    expect(comment).to_have_value(MARGIN_TARGET)
    page.keyboard.press("Enter")
    expect(page.locator("#comment-message")).to_have_text("Comment 1 saved.")
    expect(page.locator("#answer-text mark.annotated")).to_have_text(passage)
    expect(answer).to_be_focused()

    page.keyboard.press("w")
    expect(page.get_by_role("combobox", name="Add a strength from the bank")).to_be_focused()
    page.keyboard.type("clear line")
    expect(page.get_by_role("option", name=re.compile("^A clear line"))).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.get_by_role("textbox", name="What went well")).to_have_value(STRENGTH)

    page.keyboard.press("Escape")
    expect(answer).to_be_focused()
    page.keyboard.press("e")
    expect(page.get_by_role("combobox", name="Add a target from the bank")).to_be_focused()
    page.keyboard.type("which factor")
    expect(page.get_by_role("option", name=re.compile("^Reach a judgement"))).to_be_visible()
    page.keyboard.press("Enter")
    even_better = page.get_by_role("textbox", name="Even better if")
    expect(even_better).to_have_value(BANK_TARGET)
    # Enter took the line and went back to the answer; e again, and the box itself is just
    # before its bank box: a second target of the teacher's own.
    expect(answer).to_be_focused()
    page.keyboard.press("e")
    page.keyboard.press("Shift+Tab")
    expect(even_better).to_be_focused()
    page.keyboard.press("Control+End")
    page.keyboard.press("Enter")
    page.keyboard.type(TYPED_TARGET)
    expect(even_better).to_have_value(f"{BANK_TARGET}\n{TYPED_TARGET}")
    page.keyboard.press("Escape")
    expect(answer).to_be_focused()


def student_sees_no_feedback(page):
    expect(page.get_by_role("heading", name="What you wrote")).to_be_visible()
    expect(page.get_by_role("heading", name="Your teacher's feedback")).to_have_count(0)
    expect(page.get_by_text(re.compile(r"/ 25 marks"))).to_have_count(0)
    expect(page.get_by_text("Your teacher's comments on your text")).to_have_count(0)
    expect(page.locator("mark.annotated")).to_have_count(0)
    expect(page.get_by_text(MARGIN_TARGET)).to_have_count(0)
    expect(page.get_by_text(TYPED_TARGET)).to_have_count(0)


def test_mark_by_keyboard_release_redraft_reply_and_see_the_changes(browser, site):
    scripts = a_class_with_two_scripts()
    ben, cara = scripts["bwright"], scripts["cjones"]
    failed = []

    # Cara looks before anything is marked: her answer, and nothing from her teacher.
    student = new_page(browser)
    student.on("pageerror", lambda error: failed.append(str(error)))
    log_in(student, site, "cjones")
    student.goto(f"{site}{cara.get_absolute_url()}")
    expect(
        student.get_by_text("The Nazi-Soviet Pact of 1939 bought the USSR time.")
    ).to_be_visible()
    student_sees_no_feedback(student)

    # The teacher opens the pile of work to return and the first (newest) script.
    teacher = new_page(browser)
    teacher.set_viewport_size({"width": 1280, "height": 900})
    teacher.on("pageerror", lambda error: failed.append(str(error)))
    teacher.goto(f"{site}/admin/login/?next=/admin/essays/response/")
    teacher.get_by_label("Username").fill("mrs-khan")
    teacher.get_by_label("Password").fill(PASSWORD)
    teacher.keyboard.press("Enter")
    teacher.get_by_role("link", name="Submitted (to return)").click()
    expect(teacher.get_by_role("link", name="Ben Wright (bwright)")).to_be_visible()
    expect(teacher.get_by_role("link", name="Cara Jones (cjones)")).to_be_visible()
    teacher.get_by_role("link", name="Ben Wright (bwright)").click()
    expect(
        teacher.get_by_role("heading", name=re.compile("^Attempt 1 by Ben Wright"))
    ).to_be_visible()

    mark_by_keyboard(teacher, body=BEN_BODY, passage="League of Nations", level="4", mark="17")
    teacher.keyboard.press("r")
    # Released, and straight on to the next unmarked script: Cara's.
    teacher.wait_for_url(re.compile(rf"/admin/essays/response/{cara.pk}/change/"))
    expect(teacher.get_by_text("Released attempt 1 to Ben Wright (bwright).")).to_be_visible()
    expect(
        teacher.get_by_role("heading", name=re.compile("^Attempt 1 by Cara Jones"))
    ).to_be_visible()

    mark_by_keyboard(teacher, body=CARA_BODY, passage="bought the USSR time", level="3", mark="13")
    # Saved but not released: the mark and the margin comment are stored; Cara sees neither.
    tab_to(teacher, teacher.get_by_role("button", name="Save", exact=True))
    teacher.keyboard.press("Enter")
    expect(teacher.get_by_text(re.compile("was changed successfully"))).to_be_visible()
    expect(teacher.get_by_text("not yet released to the student")).to_be_visible()
    cara.refresh_from_db()
    assert (cara.status, cara.mark, Annotation.objects.filter(response=cara).count()) == (
        "submitted",
        13,
        1,
    )
    student.reload()
    student_sees_no_feedback(student)

    # Release for redraft: a disclosure under the buttons asks for the day it is due.
    summary = teacher.get_by_text("Release for redraft…")
    tab_to(teacher, summary)
    teacher.keyboard.press("Enter")
    due = teacher.get_by_label("Redraft due")
    expect(due).to_be_visible()
    teacher.keyboard.press("Tab")
    expect(due).to_be_focused()
    due_day = timezone.localdate() + timedelta(days=7)
    # The date box orders day, month and year as the browser's language does, so the date is
    # given in its one fixed form rather than as typed digits.
    due.fill(due_day.isoformat())
    expect(due).to_have_value(due_day.isoformat())
    tab_to(teacher, teacher.get_by_role("button", name="Save and release for redraft"))
    teacher.keyboard.press("Enter")
    expect(
        teacher.get_by_text(
            f"Released attempt 1 to Cara Jones (cjones) for a redraft by "
            f"{due_day.day} {due_day:%B}."
        )
    ).to_be_visible()
    expect(teacher.get_by_text("Every response in this list is marked.")).to_be_visible()

    for script, passage, level, mark in (
        (ben, "League of Nations", 4, 17),
        (cara, "bought the USSR time", 3, 13),
    ):
        script.refresh_from_db()
        assert (script.status, script.level, script.mark) == ("returned", level, mark)
        assert (script.went_well, script.targets()) == (STRENGTH, [BANK_TARGET, TYPED_TARGET])
        (note,) = Annotation.objects.filter(response=script)
        assert (note.quote, note.comment, note.kind) == (passage, MARGIN_TARGET, "target")
        assert note.quote == script.body[note.start : note.end]
    assert ben.redraft_due_at is None
    assert timezone.localtime(cara.redraft_due_at).date() == due_day
    assert dict(
        CommentBankItem.objects.filter(times_used__gt=0).values_list("text", "times_used")
    ) == {MARGIN_TARGET: 2, STRENGTH: 2, BANK_TARGET: 2}

    # Cara now sees the highlight, the numbered comment on its passage, the level, WWW, EBI.
    student.reload()
    expect(student.locator('mark.annotated[data-label="1"]')).to_have_text("bought the USSR time")
    comments = student.get_by_role("list", name="Your teacher's comments on your text")
    expect(comments.get_by_role("listitem")).to_have_count(1)
    expect(comments.get_by_role("listitem")).to_contain_text("“bought the USSR time”")
    expect(comments.get_by_role("listitem")).to_contain_text(MARGIN_TARGET)
    expect(comments.get_by_role("listitem")).to_contain_text("AO1 · Knowledge")
    feedback = student.get_by_role("region", name="Your teacher's feedback")
    expect(feedback).to_contain_text("Level 3 · 13 / 25 marks")
    expect(feedback).to_contain_text(f"Level 3 (11–15 marks): {LEVEL_3}")
    expect(feedback.get_by_role("heading", name="What went well")).to_be_visible()
    expect(feedback).to_contain_text(STRENGTH)
    targets = feedback.get_by_role("list")
    expect(targets.get_by_role("listitem")).to_have_text([BANK_TARGET, TYPED_TARGET])
    expect(student.get_by_role("heading", name=re.compile("^Redraft due"))).to_be_visible()

    # She starts the redraft from her classes page and rewrites part of it.
    student.goto(f"{site}/classes/")
    student.get_by_role("button", name=f"Start your redraft of {HEADLINE}").click()
    student.locator("#response-form[data-ready]").wait_for(state="attached")
    text = student.get_by_role("textbox", name="Your answer", exact=True)
    expect(text).to_have_value(CARA_BODY)
    expect(student.get_by_text(f"Target 1: {BANK_TARGET}")).to_be_visible()
    expect(student.get_by_text(f"Target 2: {TYPED_TARGET}")).to_be_visible()
    text.fill(CARA_REDRAFT)
    expect(student.locator("#save-status")).to_have_text(re.compile("^Saved"))
    first_reply = "I now say security mattered most, and why."
    second_reply = "Haslam would say Stalin still hoped for collective security; I answer him."
    student.get_by_role("textbox", name="What I changed for target 1").fill(first_reply)
    expect(student.locator("#replies-status")).to_have_text(re.compile("^Replies saved"))

    # One target without a reply: handing in is refused, and she is told which.
    student.get_by_role("button", name="Submit…").click()
    expect(student.get_by_role("alert")).to_contain_text("No reply yet to target 2")
    expect(student.get_by_role("button", name=re.compile("^Yes, submit"))).to_have_count(0)
    student.get_by_role("link", name="Back to your answer").first.click()
    student.locator("#response-form[data-ready]").wait_for(state="attached")
    student.get_by_role("textbox", name="What I changed for target 2").fill(second_reply)
    student.get_by_role("button", name="Submit…").click()
    student.get_by_role("button", name="Yes, submit attempt 2").click()
    expect(student.get_by_text("Submitted attempt 2")).to_be_visible()

    # The teacher finds the redraft in the pile and opens it.
    teacher.goto(f"{site}/admin/essays/response/")
    teacher.get_by_role("link", name="Submitted (to return)").click()
    expect(teacher.get_by_role("link", name="Ben Wright (bwright)")).to_have_count(0)
    teacher.get_by_role("link", name="Cara Jones (cjones)").click()
    expect(
        teacher.get_by_role("heading", name=re.compile("^Attempt 2 by Cara Jones"))
    ).to_be_visible()
    previous = teacher.locator("#previous-attempt")
    summary = previous.locator("summary")
    expect(summary).to_contain_text("Attempt 1: Level 3, 13 / 25")
    expect(summary).to_contain_text("2 targets, 2 replied to")
    summary.focus()
    teacher.keyboard.press("Enter")
    expect(previous).to_contain_text(f"Level 3 (11–15): {LEVEL_3}")
    expect(previous).to_contain_text("Mark: 13 / 25")
    replies = previous.locator(".target-replies > li")
    expect(replies).to_have_count(2)
    for row, target, reply in ((0, BANK_TARGET, first_reply), (1, TYPED_TARGET, second_reply)):
        expect(replies.nth(row).locator(".target")).to_have_text(target)
        expect(replies.nth(row).locator(".reply")).to_have_text(f"Reply: {reply}")
    expect(previous).to_contain_text(MARGIN_TARGET)
    added = previous.get_by_role("insertion")
    removed = previous.get_by_role("deletion")
    expect(added.filter(has_text="August")).to_have_count(1)
    expect(added.filter(has_text="after Munich, so security came before ideology")).to_have_count(1)
    expect(removed.filter(has_text="choice.")).to_have_count(1)
    expect(previous).to_contain_text("13 → 21 words")

    redraft = Response.objects.get(redraft_of=cara)
    assert (redraft.status, redraft.attempt, redraft.body) == ("submitted", 2, CARA_REDRAFT)
    assert list(
        TargetReply.objects.filter(response=redraft)
        .order_by("number")
        .values_list("target", "reply")
    ) == [(BANK_TARGET, first_reply), (TYPED_TARGET, second_reply)]
    assert failed == [], "a script failed on these pages"
