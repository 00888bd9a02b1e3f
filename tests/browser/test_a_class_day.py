"""A day in a class, end to end in two browsers: a student joins by code and hands the work in
late; their teacher sees it on the board, gives a classmate an extension, reminds a third,
then marks the late work from the board and returns it; the student sees the mark."""

import re
from datetime import datetime, time, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from essays.models import Extension, Response
from tests.browser.conftest import PASSWORD, log_in
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def yesterday_at_nine():
    day = timezone.localdate() - timedelta(days=1)
    return timezone.make_aware(datetime.combine(day, time(9)))


def test_join_hand_in_late_extend_remind_mark_and_return(browser, site, default_scheme):
    teacher = user_in_group("Teachers", "mrs-khan")
    teacher.set_password(PASSWORD)
    teacher.save()
    group = TeachingGroupFactory(name="13H History", teachers=[teacher])
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    work = AssignmentFactory(
        group=group,
        essay=essay,
        set_at=yesterday_at_nine() - timedelta(days=3),
        due_at=yesterday_at_nine(),
        instructions="Use two historians.",
    )
    for username, first in (("bwright", "Ben"), ("cjones", "Cara")):
        EnrolmentFactory(group=group, student=UserFactory(username=username, first_name=first))
    UserFactory(username="sam", first_name="Sam", last_name="Lee", password=PASSWORD)

    # The student joins by code and hands the work in, a day late.
    student = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()
    log_in(student, site, "sam")
    student.goto(f"{site}/classes/join/")
    student.get_by_label("Join code").fill(group.join_code.lower())
    student.get_by_role("button", name="Join class").click()
    expect(student.get_by_text("You joined 13H History.")).to_be_visible()
    row = student.get_by_role("row", name=re.compile("Stalin's foreign policy"))
    expect(row).to_contain_text("1 day late")
    row.get_by_role("button", name=re.compile("^Start")).click()
    student.locator("#response-form[data-ready]").wait_for(state="attached")
    student.get_by_label("Your answer").fill("Stalin sought security first: Litvinov, then Munich.")
    expect(student.locator("#save-status")).to_have_text(re.compile("^Saved"))
    student.get_by_role("button", name="Submit…").click()
    student.get_by_role("button", name="Yes, submit attempt 1").click()
    expect(student.get_by_text(re.compile("Submitted attempt 1"))).to_be_visible()
    handed_in = Response.objects.get(student__username="sam")
    assert handed_in.assignment == work and handed_in.submitted_at > work.due_at

    # The teacher: the board shows it late; Ben gets an extension; Cara is reminded.
    page = browser.new_context(locale="en-GB", timezone_id="Europe/London").new_page()
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("mrs-khan")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.goto(site + reverse("admin:essays_assignment_board", args=[work.pk]))
    expect(page.get_by_role("row", name=re.compile("Sam Lee"))).to_contain_text(
        re.compile("late", re.IGNORECASE)
    )
    page.get_by_role("link", name=re.compile("Grant extension for Ben")).click()
    until = timezone.localtime(timezone.now() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    page.get_by_label("New due date").fill(until)
    page.get_by_label("Reason").fill("Away on a field trip")
    page.get_by_role("button", name="Grant extension").click()
    expect(page.get_by_text(re.compile(r"Ben .* now has until"))).to_be_visible()
    assert Extension.objects.get().student.username == "bwright"
    page.get_by_role("button", name=re.compile("Email a reminder to the 2")).click()
    expect(page.get_by_text(re.compile("Reminded 2 students"))).to_be_visible()

    # ...and marks Sam's late work from the board, then releases it.
    page.get_by_role("link", name=re.compile(r"^Sam Lee \(sam\)$")).click()
    expect(page.get_by_text("Stalin sought security first")).to_be_visible()
    page.get_by_role("radio", name=re.compile("^Level 3")).focus()
    page.keyboard.press("Space")
    page.get_by_role("spinbutton", name="Mark").fill("12")
    page.get_by_role("button", name="Save and release to student").click()
    expect(page.get_by_text(re.compile("Released attempt 1 to"))).to_be_visible()

    # The student sees the mark on their classes page.
    student.goto(f"{site}/classes/")
    row = student.get_by_role("row", name=re.compile("Stalin's foreign policy"))
    expect(row).to_contain_text("12 / 25")
    expect(row.get_by_role("link", name=re.compile("View feedback"))).to_be_visible()
