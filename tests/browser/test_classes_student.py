"""A student joins a class with its code and finds the work set to it, on a phone too; the class
pages, the progress chart and the account page pass axe's WCAG checks."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from tests.browser.test_accessibility import assert_accessible
from tests.factories import (
    AssignmentFactory,
    EnrolmentFactory,
    EssayFactory,
    ExtensionFactory,
    ResponseFactory,
    TeachingGroupFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)


def fits_the_screen(page) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


@pytest.mark.parametrize("width", [360, 1280])
def test_a_student_joins_by_code_and_starts_the_work_set(student_page, site, width):
    page = student_page
    page.set_viewport_size({"width": width, "height": 800})
    group = TeachingGroupFactory(name="13H History", join_code="CDEFGH34")
    essay = EssayFactory(headline="Stalin's foreign policy", status="published")
    AssignmentFactory(
        group=group,
        essay=essay,
        due_at=timezone.now() + timedelta(days=2),
        instructions="Plan for ten minutes first.",
    )

    page.goto(f"{site}/classes/")
    expect(page.get_by_text("You are not in any classes yet.")).to_be_visible()
    page.get_by_role("link", name="join your class").click()
    page.get_by_label("Join code").fill("cdef-gh34")
    page.get_by_role("button", name="Join class").click()

    expect(page.get_by_text("You joined 13H History.")).to_be_visible()
    row = page.get_by_role("row").filter(has_text="Stalin's foreign policy")
    expect(row.get_by_text("Plan for ten minutes first.")).to_be_visible()
    expect(row.get_by_text("13H History")).to_be_visible()
    expect(row.get_by_text(re.compile(r"^due \w+ \d\d:\d\d$"))).to_be_visible()
    expect(row.get_by_text("Not started")).to_be_visible()
    start = row.get_by_role("button", name="Start writing Stalin's foreign policy")
    expect(start).to_be_visible()
    assert fits_the_screen(page), "the classes page scrolls sideways"
    # The nav counts it for screen readers too (on a phone, inside the collapsed menu).
    expect(
        page.locator(".site-nav").get_by_role(
            "link", name="Classes 1 due this week", include_hidden=True
        )
    ).to_have_count(1)

    start.click()
    page.wait_for_url(f"{site}/essays/{essay.slug}/respond/")


def test_a_wrong_code_is_explained_on_the_form(student_page, site):
    page = student_page
    page.goto(f"{site}/classes/join/?code=zzzz-zzzz")
    expect(page.get_by_label("Join code")).to_have_value("ZZZZZZZZ")
    page.get_by_role("button", name="Join class").click()
    expect(page.get_by_text("No class has the code ZZZZZZZZ.")).to_be_visible()
    expect(page.get_by_label("Join code")).to_have_attribute("aria-invalid", "true")


@pytest.mark.parametrize("width", [360, 1280])
def test_the_class_pages_have_no_accessibility_violations(student_page, site, width):
    page = student_page
    page.set_viewport_size({"width": width, "height": 800})
    student = get_user_model().objects.get(username="sam")
    enrolment = EnrolmentFactory(student=student, group=TeachingGroupFactory(name="13H History"))
    enrolment.target_mark = 18
    enrolment.save()
    group, now = enrolment.group, timezone.now()
    AssignmentFactory(group=group, instructions="Use two sources.")
    drafted = AssignmentFactory(group=group, due_at=now + timedelta(days=1))
    ResponseFactory(student=student, essay=drafted.essay, assignment=drafted)
    overdue = AssignmentFactory(
        group=group, set_at=now - timedelta(days=9), due_at=now - timedelta(days=2)
    )
    ExtensionFactory(assignment=overdue, student=student, due_at=now + timedelta(days=3))
    for mark in (12, 17, 20):
        work = AssignmentFactory(group=group, set_at=now - timedelta(days=30))
        ResponseFactory(
            student=student, essay=work.essay, assignment=work, returned=True, mark=mark
        )
    EnrolmentFactory(student=student, group=TeachingGroupFactory(name="13J Economics"))
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )

    for path in ("/classes/", "/classes/join/", "/progress/", "/accounts/account/"):
        page.goto(f"{site}{path}")
        assert_accessible(page)
        assert fits_the_screen(page), f"{path} scrolls sideways"
    expect(page.locator("svg[role=img]")).to_have_count(0)  # the account page has no chart

    # The join form with its error, and the account form with its error.
    page.goto(f"{site}/classes/join/")
    page.get_by_role("button", name="Join class").click()
    expect(page.get_by_text("Enter the code your teacher gave you.")).to_be_visible()
    assert_accessible(page)
    page.goto(f"{site}/accounts/account/")
    page.get_by_label("First name").fill("Sam")
    page.get_by_role("button", name="Save name").click()
    expect(page.locator("#error_1_id_last_name")).to_have_text("This field is required.")
    assert_accessible(page)

    page.goto(f"{site}/progress/")
    expect(page.get_by_role("img", name="Your marks in 13H History over time")).to_be_visible()
    expect(page.get_by_role("cell", name="20 / 25")).to_be_visible()
    assert refused == [], "the Content-Security-Policy refused something on these pages"
