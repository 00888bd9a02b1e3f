"""Marking in a real browser: a teacher marks two scripts with the keyboard alone (a level, a
mark, a margin comment on a passage selected with Shift and the arrows, comments from the bank)
and releases each; the page's margin comments are saved, edited and refused as the server says;
the student then sees their mark."""

import re
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone
from playwright.sync_api import expect

from essays.models import Annotation, CommentBankItem, Response
from tests.browser.conftest import PASSWORD, log_in
from tests.conftest import user_in_group
from tests.factories import (
    CommentBankItemFactory,
    EnrolmentFactory,
    EssayFactory,
    NoteFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def a_teacher_with_a_pile(bodies):
    """A teacher of a class whose students each handed in one of these answers (the first
    newest), and a comment bank: one shared target, one strength of the teacher's own."""
    call_command("loaddata", "fixtures/mark_schemes.json", verbosity=0)
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    NoteFactory(
        essay=essay, kind="key_point", text="Joined the League", phrases="League of Nations"
    )
    teacher = user_in_group("Teachers", "teacher")
    teacher.set_password(PASSWORD)
    teacher.save()
    group = TeachingGroupFactory(teachers=[teacher], subject=essay.subject)
    scripts = []
    for number, body in enumerate(bodies):
        student = UserFactory(username=f"pupil{number}", password=PASSWORD)
        EnrolmentFactory(group=group, student=student)
        scripts.append(ResponseFactory(student=student, essay=essay, status="submitted", body=body))
    # Newest first in the pile: the first script is the newest.
    for age, script in enumerate(scripts):
        Response.objects.filter(pk=script.pk).update(
            submitted_at=timezone.now() - timedelta(minutes=age + 1)
        )
    bank = {
        "target": CommentBankItemFactory(
            owner=None,
            shared=True,
            subject=essay.subject,
            kind="target",
            objective="AO1",
            text="Support this with precise evidence: a date, a name, a figure.",
        ),
        "strength": CommentBankItemFactory(
            owner=teacher,
            subject=essay.subject,
            kind="strength",
            objective="",
            text="A clear line of argument from the first paragraph.",
        ),
    }
    return teacher, scripts, bank


def open_marking_page(page, site, script):
    page.goto(f"{site}/admin/login/?next=/admin/essays/response/{script.pk}/change/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(rf"/admin/essays/response/{script.pk}/change/"))
    expect(page.locator("#marking[data-ready=true]")).to_be_attached()


def test_a_teacher_marks_two_scripts_by_keyboard_alone(page, site):
    page.set_viewport_size({"width": 1280, "height": 900})
    bodies = [
        "Stalin 🙂 joined the League of Nations in 1934.\n\nHe wanted security above all.",
        "Collective security failed at Munich.\nStalin turned to Hitler in 1939.",
    ]
    _teacher, scripts, bank = a_teacher_with_a_pile(bodies)
    refused, failed = [], []
    page.on("console", lambda m: "Content Security Policy" in m.text and refused.append(m.text))
    page.on("pageerror", lambda error: failed.append(str(error)))
    open_marking_page(page, site, scripts[0])

    for script, passage, level, mark in (
        (scripts[0], "joined", "4", "17"),
        (scripts[1], "Collective security", "3", "13"),
    ):
        expect(page.locator("#answer-text")).to_contain_text(script.body.split("\n")[0])
        page.keyboard.press(level)
        expect(page.get_by_role("radio", name=re.compile(f"^Level {level} "))).to_be_checked()
        page.keyboard.press("m")
        expect(page.get_by_role("spinbutton", name="Mark")).to_be_focused()
        page.keyboard.type(mark)
        # Back to the answer, then select the passage with Shift and the arrows.
        page.keyboard.press("Escape")
        answer = page.get_by_role("textbox", name="The student's answer")
        expect(answer).to_be_focused()
        page.keyboard.press("Control+Home")
        start = script.body.index(passage)
        # The caret moves by characters as the reader sees them: the emoji is one step.
        steps_to_start = len(script.body[:start])
        for _ in range(steps_to_start):
            page.keyboard.press("ArrowRight")
        for _ in range(len(passage)):
            page.keyboard.press("Shift+ArrowRight")
        page.keyboard.press("c")
        comment_box = page.get_by_role("combobox", name="Comment")
        expect(comment_box).to_be_focused()
        expect(page.locator("#comment-form-quote")).to_have_text(passage)
        # A few letters, then Enter: the suggestion chosen with ↓ (on the second script, the
        # first suggestion, none being chosen) is saved at once, with its kind.
        page.keyboard.type("precise")
        option = page.get_by_role("option", name=re.compile("^Support this with precise"))
        expect(option).to_be_visible()
        if script is scripts[0]:
            page.keyboard.press("ArrowDown")
            expect(comment_box).to_have_attribute("aria-activedescendant", re.compile("option"))
        else:
            expect(comment_box).not_to_have_attribute("aria-activedescendant", re.compile("."))
        page.keyboard.press("Enter")
        expect(page.locator("#comment-message")).to_have_text("Comment 1 saved.")
        expect(page.locator("#comment-form")).to_be_hidden()
        expect(page.locator("#answer-text mark.annotated")).to_have_text(passage)
        expect(answer).to_be_focused()
        # What went well, from the bank: Enter adds the first suggestion and goes back to the
        # answer, saying what was added.
        page.keyboard.press("w")
        expect(page.get_by_role("combobox", name="Add a strength from the bank")).to_be_focused()
        page.keyboard.type("clear line")
        expect(page.get_by_role("option", name=re.compile("^A clear line"))).to_be_visible()
        page.keyboard.press("Enter")
        expect(page.get_by_role("textbox", name="What went well")).to_have_value(
            bank["strength"].text
        )
        expect(answer).to_be_focused()
        expect(page.get_by_role("status")).to_have_text(
            f"Added to What went well: {bank['strength'].text}"
        )
        page.keyboard.press("r")
        page.wait_for_load_state()
        if script is scripts[0]:
            page.wait_for_url(re.compile(rf"/admin/essays/response/{scripts[1].pk}/change/"))
            expect(page.locator("#marking[data-ready=true]")).to_be_attached()
            expect(page.get_by_text("Released attempt 1 to pupil0.")).to_be_visible()

    expect(page.get_by_text("Every response in this list is marked.")).to_be_visible()
    for script, passage, level, mark in (
        (scripts[0], "joined", 4, 17),
        (scripts[1], "Collective security", 3, 13),
    ):
        script.refresh_from_db()
        assert (script.status, script.level, script.mark) == ("returned", level, mark)
        assert script.went_well == bank["strength"].text
        (note,) = Annotation.objects.filter(response=script)
        assert note.quote == passage == script.body[note.start : note.end]
        assert (note.comment, note.bank_item, note.kind) == (
            bank["target"].text,
            bank["target"],
            "target",
        )
    assert dict(CommentBankItem.objects.values_list("kind", "times_used")) == {
        "target": 2,
        "strength": 2,
    }
    assert refused == [], "the Content-Security-Policy refused something on the marking page"
    assert failed == [], "a script on the marking page failed"


def test_comments_are_edited_deleted_and_refusals_shown_in_the_panel(page, site):
    body = "It bought <time> & space.\nOverlapping passages work too."
    _teacher, (script,), _bank = a_teacher_with_a_pile([body])
    open_marking_page(page, site, script)
    page.on("dialog", lambda dialog: dialog.accept())

    # With the mouse: select, then the button.
    answer = page.locator("#answer-text")
    page.evaluate(
        """([text]) => {
            const node = [...document.querySelectorAll('#answer-text .line')][0].firstChild;
            const start = node.data.indexOf(text);
            const range = document.createRange();
            range.setStart(node, start);
            range.setEnd(node, start + text.length);
            getSelection().removeAllRanges();
            getSelection().addRange(range);
        }""",
        ["<time> & space"],
    )
    page.get_by_role("button", name="Comment on selection").click()
    page.get_by_role("combobox", name="Comment").fill("<b>bold?</b>")
    page.get_by_role("button", name="Save comment").click()
    comment = page.locator("#comment-list .comment").first
    expect(comment).to_contain_text("<b>bold?</b>")  # shown as text
    expect(answer.locator("mark.annotated")).to_have_text("<time> & space")

    comment.get_by_role("button", name=re.compile("^Edit")).click()
    page.get_by_role("combobox", name="Comment").fill("Explain the trade-off.")
    page.get_by_role("button", name="Save comment").click()
    expect(comment).to_contain_text("Explain the trade-off.")

    # Edits are typed nowhere in the answer.
    answer.click()
    page.keyboard.type("xyz")
    page.keyboard.press("Backspace")
    expect(answer).to_have_text(re.compile(r"^It bought <time> & space\.\nOverlapping"))

    # A comment of nothing is refused, said in the panel.
    answer.click()
    page.keyboard.press("Control+Home")
    page.keyboard.press("Shift+End")
    page.keyboard.press("c")
    page.keyboard.type("   ")
    page.keyboard.press("Enter")
    expect(page.locator("#comment-message")).to_have_text("Write the comment first.")
    page.keyboard.type("Whole line")
    page.keyboard.press("Enter")
    expect(page.locator("#answer-text mark.overlap")).to_have_text("<time> & space")

    # The whole line starts first, so it is comment 1 now.
    whole_line = page.locator("#comment-list .comment").first
    expect(whole_line).to_contain_text("Whole line")
    whole_line.get_by_role("button", name=re.compile("^Delete")).click()
    expect(page.locator("#comment-message")).to_have_text("Comment 1 deleted.")
    expect(page.locator("#comment-list .comment")).to_have_count(1)
    assert list(Annotation.objects.values_list("comment", flat=True)) == ["Explain the trade-off."]


def test_s_selects_the_sentence_at_the_caret_and_the_next_one_too(page, site):
    long_sentence = "The last sentence is long enough to be cut short in the status line at sixty."
    body = f"First point here. Second one?  Yes!\nA line without a stop\n\n{long_sentence}"
    _teacher, (script,), _bank = a_teacher_with_a_pile([body])
    open_marking_page(page, site, script)
    status = page.get_by_role("status")
    answer = page.get_by_role("textbox", name="The student's answer")
    selected = "() => getSelection().toString()"

    # Not in the answer: the first sentence; s again takes the next one too.
    page.evaluate("() => { document.activeElement.blur(); getSelection().removeAllRanges(); }")
    page.keyboard.press("s")
    expect(answer).to_be_focused()
    assert page.evaluate(selected) == "First point here."
    expect(status).to_have_text("Selected: \u201cFirst point here.\u201d")
    page.keyboard.press("s")
    assert page.evaluate(selected) == "First point here. Second one?"
    expect(status).to_have_text("Selected: \u201cFirst point here. Second one?\u201d")

    # Commented on with c; the caret is left at the passage's end, and s takes the sentence
    # after it, which ends at the line break.
    page.keyboard.press("c")
    expect(page.locator("#comment-form-quote")).to_have_text("First point here. Second one?")
    page.keyboard.type("Two points")
    page.keyboard.press("Enter")
    expect(page.locator("#comment-message")).to_have_text("Comment 1 saved.")
    expect(answer).to_be_focused()
    page.keyboard.press("s")
    assert page.evaluate(selected) == "Yes!"
    page.keyboard.press("s")
    expect(status).to_have_text("Selected: \u201cYes!\nA line without a stop\u201d")
    # Words that a bank comment contains are saved as typed by closing the suggestions first.
    page.keyboard.press("c")
    page.keyboard.type("precise")
    expect(
        page.get_by_role("option", name=re.compile("^Support this with precise"))
    ).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#comment-text-options")).to_be_hidden()
    expect(page.locator("#comment-form")).to_be_visible()
    page.keyboard.press("Enter")
    expect(page.locator("#comment-message")).to_have_text("Comment 2 saved.")

    # The caret in the middle of a sentence: that sentence, cut to 60 characters in the status.
    page.keyboard.press("Control+End")
    for _ in range(5):
        page.keyboard.press("ArrowLeft")
    page.keyboard.press("s")
    assert page.evaluate(selected) == long_sentence
    expect(status).to_have_text(f"Selected: \u201c{long_sentence[:60]}\u2026\u201d")
    page.keyboard.press("s")
    expect(status).to_have_text("No more sentences in the answer.")
    page.keyboard.press("c")
    expect(page.locator("#comment-form-quote")).to_have_text(long_sentence)
    page.keyboard.press("Escape")

    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keys for marking")).to_contain_text(
        "Select the sentence at the cursor"
    )
    assert set(Annotation.objects.values_list("quote", "comment", "bank_item")) == {
        ("First point here. Second one?", "Two points", None),
        ("Yes!\nA line without a stop", "precise", None),
    }


def test_the_keys_are_listed_in_a_dialog_and_esc_closes_it(page, site):
    _teacher, (script,), _bank = a_teacher_with_a_pile(["A short answer."])
    open_marking_page(page, site, script)
    page.keyboard.press("?")
    dialog = page.get_by_role("dialog", name="Keys for marking")
    expect(dialog).to_be_visible()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_panel_stays_beside_the_text_on_a_desktop_and_follows_it_on_a_phone(page, site):
    long_answer = "\n\n".join(
        f"Paragraph {n}: " + "Stalin wanted security. " * 30 for n in range(12)
    )
    _teacher, (script,), _bank = a_teacher_with_a_pile([long_answer])
    page.set_viewport_size({"width": 1280, "height": 800})
    open_marking_page(page, site, script)
    panel = page.locator("#mark-panel")
    text_box = page.locator("#answer-text").bounding_box()
    assert panel.bounding_box()["x"] > text_box["x"] + text_box["width"] - 1
    page.mouse.wheel(0, 3000)
    page.wait_for_timeout(100)
    assert 0 <= panel.bounding_box()["y"] < 50  # still in view: sticky

    page.set_viewport_size({"width": 360, "height": 740})
    text_box = page.locator("#answer-text").bounding_box()
    assert panel.bounding_box()["y"] > text_box["y"] + text_box["height"] - 1
    assert page.evaluate("document.documentElement.scrollWidth") <= 360


def test_a_released_script_is_seen_by_its_student(page, site, context):
    _teacher, (script,), _bank = a_teacher_with_a_pile(
        ["Stalin joined the League of Nations in 1934."]
    )
    open_marking_page(page, site, script)
    page.get_by_label(re.compile("^Level 4 \\(16–20\\)")).check()
    page.get_by_role("spinbutton", name="Mark").fill("14")
    page.get_by_role("button", name="Save and release to student").click()
    summary = page.locator("#marking-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Level 4 is 16–20 marks; 14 is outside it.")
    expect(page.locator("#id_mark_error")).to_contain_text("14 is outside it.")
    page.get_by_role("spinbutton", name="Mark").fill("17")
    page.get_by_role("button", name="Save and release to student").click()
    expect(page.get_by_text("Every response in this list is marked.")).to_be_visible()
    # r on a released script says why it did nothing, where the teacher is looking.
    page.goto(f"{site}/admin/essays/response/{script.pk}/change/")
    expect(page.locator("#marking[data-ready=true]")).to_be_attached()
    page.keyboard.press("r")
    expect(page.get_by_role("status")).to_have_text("This response has already been released.")
    expect(page.get_by_role("status")).to_be_in_viewport()

    student_page = context.new_page()
    context.clear_cookies()
    log_in(student_page, site, "pupil0")
    student_page.goto(f"{site}{script.get_absolute_url()}")
    expect(student_page.get_by_text("17 / 25")).to_be_visible()


def test_keys_answer_in_view_and_an_unsaved_mark_is_never_lost_unasked(page, site):
    page.set_viewport_size({"width": 1280, "height": 600})
    long_answer = "\n\n".join(
        f"Paragraph {n}: " + "Stalin wanted security. " * 20 for n in range(6)
    )
    _teacher, scripts, _bank = a_teacher_with_a_pile([long_answer, "Stalin turned to Hitler."])
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.type), dialog.dismiss()))
    open_marking_page(page, site, scripts[0])
    panel = page.locator("#mark-panel")
    status = page.get_by_role("status")
    answer = page.get_by_role("textbox", name="The student's answer")

    # A level chosen with the levels scrolled out of the panel comes into view; focus stays.
    panel.evaluate("panel => { panel.scrollTop = panel.scrollHeight; }")
    level_3 = page.get_by_role("radio", name=re.compile("^Level 3 "))
    expect(level_3).not_to_be_in_viewport()
    answer.focus()
    page.keyboard.press("3")
    expect(level_3).to_be_checked()
    expect(level_3).to_be_in_viewport()
    expect(answer).to_be_focused()
    expect(status).to_have_text("Level 3 (11–15) chosen.")

    # c with nothing selected says so at the top of the panel, in view.
    panel.evaluate("panel => { panel.scrollTop = panel.scrollHeight; }")
    page.keyboard.press("c")
    expect(status).to_have_text(re.compile("^Select a passage of the answer first"))
    expect(status).to_be_in_viewport()
    expect(page.locator("#comment-message")).to_have_text("")  # said once, not twice

    # With an unsaved level, n and the links ask first; a second go leaves.
    page.keyboard.press("n")
    expect(status).to_have_text(
        "You have an unsaved mark: press n again to leave without saving, or Save first."
    )
    expect(status).to_be_in_viewport()
    assert f"/response/{scripts[0].pk}/change/" in page.url
    page.get_by_role("link", name="← Previous script").click()
    expect(status).to_contain_text("click it again to leave without saving")
    assert f"/response/{scripts[0].pk}/change/" in page.url
    page.get_by_role("link", name="Next script →").click()
    expect(status).to_contain_text("click it again")
    page.get_by_role("link", name="Next script →").click()
    page.wait_for_url(re.compile(rf"/admin/essays/response/{scripts[1].pk}/change/"))
    expect(page.locator("#marking[data-ready=true]")).to_be_attached()

    # A mark typed and taken back again is no change: n goes at once.
    page.keyboard.press("m")
    page.keyboard.type("8")
    page.keyboard.press("Backspace")
    page.keyboard.press("Escape")
    page.keyboard.press("p")
    page.wait_for_url(re.compile(rf"/admin/essays/response/{scripts[0].pk}/change/"))
    expect(page.locator("#marking[data-ready=true]")).to_be_attached()
    assert dialogs == []

    # Any other way out with an unsaved mark gets the browser's warning (dismissed: staying).
    page.keyboard.press("2")
    page.keyboard.press("m")
    page.keyboard.type("8")
    page.evaluate("() => { window.location.assign('/admin/'); }")
    page.wait_for_timeout(300)
    assert dialogs == ["beforeunload"]
    assert f"/response/{scripts[0].pk}/change/" in page.url

    # The form's own buttons leave without a warning, and the next script says what was kept.
    page.get_by_role("button", name="Save and next unmarked").click()
    page.wait_for_url(re.compile(rf"/admin/essays/response/{scripts[1].pk}/change/"))
    expect(page.get_by_text("Saved the mark for pupil0 (not released).")).to_be_visible()
    assert dialogs == ["beforeunload"]
    scripts[0].refresh_from_db()
    assert (scripts[0].level, scripts[0].mark, scripts[0].status) == (2, 8, "submitted")
