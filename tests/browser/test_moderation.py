"""Moderation in a real browser, on a desktop and a 360-pixel phone: the second marker marks a
script blind with the keyboard alone, and the head of department reads the report and agrees a
mark; axe finds no WCAG 2.2 A or AA violation on either page, and the CSP refuses nothing."""

import re

import pytest
from playwright.sync_api import expect

from essays import moderation
from tests.browser.conftest import PASSWORD
from tests.browser.test_accessibility import assert_accessible
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    ResponseFactory,
    SubjectFactory,
    TeachingGroupFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def admin_log_in(page, site, username):
    page.context.clear_cookies()
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")


@pytest.mark.parametrize("width", [360, 1280])
def test_blind_marking_and_the_report_work_by_keyboard_on_a_phone_too(
    page, site, width, default_scheme
):
    page.set_viewport_size({"width": width, "height": 800})
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    history = SubjectFactory(name="History")
    head = user_in_group("Heads of department", "head")
    history.heads.add(head)
    adams = user_in_group("Teachers", "adams")
    clark = user_in_group("Teachers", "clark")
    group = TeachingGroupFactory(subject=history, teachers=[adams])
    work = AssignmentFactory(group=group)
    for mark in (7, 14, 22):
        ResponseFactory(
            student=EnrolmentFactory(group=group).student,
            essay=work.essay,
            assignment=work,
            status="submitted",
            level=(mark - 1) // 5 + 1,
            mark=mark,
            marked_by=adams,
        )
    sample = moderation.draw_sample(
        assignment=work,
        per_marker=3,
        second_marker=clark,
        drawn_by=head,
        seed=3,
    )

    admin_log_in(page, site, "clark")
    page.goto(f"{site}/admin/essays/moderationsample/{sample.pk}/mark/")
    expect(page.get_by_role("heading", level=1, name="Script 1 of 3")).to_be_visible()
    assert_accessible(page)
    # A mark outside its level's band: refused, with the error focused.
    page.get_by_role("radio", name=re.compile("^Level 4")).focus()
    page.keyboard.press("Space")
    page.get_by_role("spinbutton", name="Mark").fill("3")
    page.keyboard.press("Enter")
    expect(page.locator(".errornote")).to_be_focused()
    assert_accessible(page)
    for number in (1, 2, 3):
        expect(page.get_by_role("heading", level=1, name=f"Script {number} of 3")).to_be_visible()
        page.get_by_role("radio", name=re.compile("^Level 3")).focus()
        page.keyboard.press("Space")
        page.get_by_role("spinbutton", name="Mark").fill("13")
        page.keyboard.press("Enter")
    expect(page.get_by_text("is second-marked. Thank you.")).to_be_visible()

    admin_log_in(page, site, "head")
    page.goto(f"{site}/admin/essays/moderationsample/{sample.pk}/report/")
    plot = page.locator("svg.scatter")
    expect(plot).to_be_visible()
    assert plot.bounding_box()["width"] <= width
    assert page.locator("svg.scatter circle.point").count() == 3
    assert_accessible(page)
    form = page.locator("form.agree-form").first
    form.get_by_label("Level").select_option("3")
    form.get_by_label("Mark").fill("12")
    form.get_by_role("button", name="Agree this mark").press("Enter")
    expect(page.locator(".messagelist")).to_contain_text("Agreed 12 (level 3)")
    assert_accessible(page)
    assert refused == [], "the Content-Security-Policy refused something on these pages"
