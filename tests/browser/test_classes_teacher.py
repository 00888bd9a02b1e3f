"""A teacher sets an essay to their class from the library, follows it on the board, grants one
student an extension, reminds those who have not handed in, and opens a submitted response
from the board; the pages on the way break no accessibility rule and run no inline script."""

import re
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from django.utils import timezone
from playwright.sync_api import expect

from essays.models import Assignment, Extension
from tests.conftest import user_in_group
from tests.factories import (
    EnrolmentFactory,
    EssayFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "correct horse battery staple"
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert results.violations_count == 0, results.generate_report()


def local_input(when) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%dT%H:%M")


def test_a_teacher_sets_work_follows_the_board_and_opens_a_response(page, site):
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    teacher = user_in_group("Teachers", "teacher")
    teacher.set_password(PASSWORD)
    teacher.save()
    group = TeachingGroupFactory(name="13H History", teachers=[teacher])
    students = {
        username: UserFactory(username=username, first_name=first, last_name=last)
        for username, first, last in [
            ("mpatel", "Maya", "Patel"),
            ("tjones", "Tom", "Jones"),
            ("slee", "Sam", "Lee"),
        ]
    }
    for student in students.values():
        EnrolmentFactory(group=group, student=student)
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )

    page.goto(f"{site}/admin/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()

    # From the library: tick the essay, "Set to a class…".
    page.goto(f"{site}/admin/essays/essay/")
    page.locator(f'input[name="_selected_action"][value="{essay.pk}"]').check()
    page.locator("select[name=action]").select_option(label="Set to a class…")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_role("heading", name="Set to a class")).to_be_visible()
    expect(page.get_by_text("Stalin's foreign policy")).to_be_visible()
    assert_accessible(page)
    due = timezone.now() + timedelta(days=7)
    page.get_by_label("Class").select_option(label="13H History (2026/27)")
    page.get_by_label("Due").fill(local_input(due))
    page.get_by_label("Instructions").fill("Plan for ten minutes first.")
    page.get_by_role("button", name="Set work").click()

    # The board: everyone, nothing handed in yet; the class was emailed.
    expect(page.get_by_text("Set “Stalin's foreign policy” to 13H History")).to_be_visible()
    expect(page.get_by_text("0 of 3 handed in")).to_be_visible()
    assert len(mail.outbox) == 3
    work = Assignment.objects.get()
    assert work.set_by == teacher
    board = page.get_by_role("table")
    for name in ("Maya Patel (mpatel)", "Tom Jones (tjones)", "Sam Lee (slee)"):
        expect(board.get_by_role("rowheader", name=name)).to_be_visible()
    assert_accessible(page)

    # Sam hands his in.
    submitted = ResponseFactory(
        student=students["slee"],
        essay=essay,
        assignment=work,
        status="submitted",
        body="Stalin sought collective security until Munich in 1938.",
    )
    page.reload()
    expect(page.get_by_text("1 of 3 handed in")).to_be_visible()

    # Maya is ill: an extension. A date before the work is due is refused, with the reason.
    page.get_by_role("link", name="Grant extension for Maya Patel (mpatel)").click()
    expect(page.get_by_label("Student")).to_have_value(str(students["mpatel"].pk))
    page.get_by_label("New due date").fill(local_input(due - timedelta(days=1)))
    page.get_by_label("Reason").fill("Ill for a week")
    page.get_by_role("button", name="Grant extension").click()
    expect(page.get_by_role("alert")).to_contain_text("must end after the work is due")
    assert_accessible(page)
    page.get_by_label("New due date").fill(local_input(due + timedelta(days=3)))
    page.get_by_role("button", name="Grant extension").click()
    expect(page.get_by_text(re.compile(r"Maya Patel \(mpatel\) now has until"))).to_be_visible()
    extension = Extension.objects.get()
    assert (extension.student, extension.granted_by) == (students["mpatel"], teacher)
    expect(page.get_by_role("row", name=re.compile("Maya Patel"))).to_contain_text("extended to")

    # Remind those who have not handed in: Maya and Tom, not Sam.
    mail.outbox.clear()
    page.get_by_role("button", name="Email a reminder to the 2 who have not handed in").click()
    expect(page.get_by_text("Reminded 2 students who have not handed the work in.")).to_be_visible()
    assert sorted(message.to[0] for message in mail.outbox) == [
        "mpatel@example.com",
        "tjones@example.com",
    ]

    # Sort by status, then open Sam's response straight from the board.
    page.get_by_role("link", name="Status").click()
    expect(page.get_by_role("columnheader", name=re.compile("Status"))).to_have_attribute(
        "aria-sort", re.compile("ascending|descending")
    )
    page.get_by_role("link", name="Sam Lee (slee)", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/admin/essays/response/{submitted.pk}/change/"))
    expect(page.get_by_text("Stalin sought collective security until Munich")).to_be_visible()

    # The markbook and the class page, with its join code and roster upload.
    page.goto(f"{site}/admin/essays/teachinggroup/{group.pk}/markbook/")
    expect(page.get_by_role("rowheader", name="Sam Lee (slee)")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/admin/essays/teachinggroup/{group.pk}/change/")
    expect(page.get_by_text(group.join_code)).to_be_visible()
    page.get_by_role("link", name="Add students from a CSV").click()
    page.get_by_label("CSV file").set_input_files(
        files=[
            {
                "name": "class.csv",
                "mimeType": "text/csv",
                "buffer": b"first name,last name,email\nAva,Stone,ava@school.example\n",
            }
        ]
    )
    page.get_by_role("button", name="Preview").click()
    expect(page.get_by_text("1 new account")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Confirm: add 1 student to 13H History").click()
    expect(page.get_by_text("Added 1 student to 13H History")).to_be_visible()
    expect(page.get_by_text("Ava Stone (astone)")).to_be_visible()
    assert not refused, refused


def test_a_teacher_sets_work_from_the_class_page_choosing_the_essay_by_typing(page, site):
    EssayFactory(headline="Stalin's foreign policy", status="published")
    EssayFactory(headline="Stalin in draft", status="draft")
    teacher = user_in_group("Teachers", "teacher")
    teacher.set_password(PASSWORD)
    teacher.save()
    group = TeachingGroupFactory(name="13H History", teachers=[teacher])
    EnrolmentFactory(group=group, student=UserFactory(first_name="Maya", last_name="Patel"))

    page.goto(f"{site}/admin/essays/teachinggroup/{group.pk}/change/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Set work to this class").click()
    expect(page.get_by_label("Class")).to_have_value(str(group.pk))
    page.locator(".field-essay .select2-selection").click()
    page.locator(".select2-search__field").fill("Stalin")
    expect(page.get_by_role("option", name="Stalin's foreign policy")).to_be_visible()
    expect(page.get_by_role("option", name="Stalin in draft")).to_have_count(0)
    page.get_by_role("option", name="Stalin's foreign policy").click()
    page.get_by_label("Due").fill(local_input(timezone.now() + timedelta(days=7)))
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("0 of 1 handed in")).to_be_visible()
    assert Assignment.objects.get().group == group
    assert [message.to for message in mail.outbox] == [[group.enrolments.get().student.email]]
