"""A teacher marks and returns a response in the admin site; the student then sees it."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import user_in_group
from tests.factories import (
    EnrolmentFactory,
    EssayFactory,
    NoteFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_teacher_marks_and_returns_then_the_student_sees_it(page, site, context):
    call_command("loaddata", "fixtures/mark_schemes.json", verbosity=0)
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    NoteFactory(
        essay=essay, kind="key_point", text="Joined the League", phrases="League of Nations"
    )
    student = UserFactory(username="sam", password="correct horse battery staple")
    ResponseFactory(
        student=student,
        essay=essay,
        status="submitted",
        body="Stalin joined the League of Nations in 1934.",
    )
    teacher = user_in_group("Teachers", "teacher")
    teacher.set_password("correct horse battery staple")
    teacher.save()
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[teacher]), student=student)

    page.goto(f"{site}/admin/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_text("1 to mark")).to_be_visible()
    page.get_by_role("link", name="Responses").first.click()
    page.get_by_role("link", name="sam").first.click()

    expect(page.get_by_text("Stalin joined the League of Nations in 1934.")).to_be_visible()
    page.get_by_label(re.compile("^Level 4 \\(16–20\\)")).check()
    page.get_by_role("spinbutton", name="Mark").fill("14")
    page.get_by_role("button", name="Save and return to student").click()
    # Said at the top, where focus goes, and beside the mark.
    summary = page.locator("#marking-errors")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("Level 4 is 16–20 marks; 14 is outside it.")
    expect(page.locator("#id_mark_error")).to_contain_text("14 is outside it.")
    page.get_by_role("spinbutton", name="Mark").fill("17")
    page.get_by_role("textbox", name="Feedback").fill(
        "A clear line of argument. Weigh Munich against the Pact."
    )
    page.get_by_role("button", name="Save and return to student").click()
    expect(page.get_by_text("Every response in this list is marked.")).to_be_visible()

    student_page = context.new_page()
    context.clear_cookies()
    log_in(student_page, site, "sam")
    my_work = student_page.get_by_role("link", name=re.compile("My work"))
    expect(my_work).to_contain_text("1 newly marked")
    my_work.click()
    student_page.get_by_role("link", name="Attempt 1").click()
    expect(student_page.get_by_text("Level 4 · 17 / 25 marks")).to_be_visible()
    expect(student_page.get_by_text("Weigh Munich against the Pact.")).to_be_visible()
    expect(student_page.get_by_role("link", name=re.compile("My work"))).not_to_contain_text(
        "newly marked"
    )
