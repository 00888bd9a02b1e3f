"""axe-core finds no WCAG 2.2 A or AA violations on the pages students and teachers use, on a
phone too."""

import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from tests.browser.conftest import log_in
from tests.conftest import user_in_group
from tests.factories import (
    AnnotationFactory,
    CommentBankItemFactory,
    EnrolmentFactory,
    EssayFactory,
    NoteFactory,
    ResponseFactory,
    TeachingGroupFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db(transaction=True)
WCAG_A_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def assert_accessible(page):
    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_A_AA}})
    assert results.violations_count == 0, results.generate_report()


@pytest.mark.parametrize("width", [360, 1280])
def test_student_pages_have_no_accessibility_violations(page, site, width):
    page.set_viewport_size({"width": width, "height": 800})
    essay = EssayFactory(status="published", tags=["Soviet Union"])
    NoteFactory(essay=essay)
    student = UserFactory(username="sam", password="correct horse battery staple")
    submitted = ResponseFactory(student=student, essay=essay, status="submitted")
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )

    for path in (
        "/",
        "/?q=alliances",
        essay.get_absolute_url(),  # as a visitor: "log in to write" on a coloured panel
        "/accounts/login/",
        "/accounts/signup/",
    ):
        page.goto(f"{site}{path}")
        assert_accessible(page)

    log_in(page, site, "sam")
    for path in (
        essay.get_absolute_url(),
        f"/essays/{essay.slug}/respond/",
        "/responses/",
        submitted.get_absolute_url(),
        f"/responses/{submitted.pk}/compare/",
    ):
        page.goto(f"{site}{path}")
        assert_accessible(page)
    assert refused == [], "the Content-Security-Policy refused something on these pages"


def test_the_menu_works_on_a_phone_with_the_keyboard(page, site):
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/")
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to main content"
    menu = page.get_by_role("button", name="Show or hide the menu")
    menu.focus()
    page.keyboard.press("Enter")
    log_in_link = page.get_by_role("link", name="Log in")
    log_in_link.wait_for(state="visible")
    assert log_in_link.is_visible()
    assert menu.get_attribute("aria-expanded") == "true"
    page.keyboard.press("Enter")
    log_in_link.wait_for(state="hidden")
    assert menu.get_attribute("aria-expanded") == "false"


@pytest.mark.parametrize("width", [360, 1280])
def test_the_marking_pages_have_no_accessibility_violations(page, site, width, default_scheme):
    page.set_viewport_size({"width": width, "height": 800})
    essay = EssayFactory(status="published")
    submitted = ResponseFactory(essay=essay, status="submitted")
    teacher = user_in_group("Teachers", "mr-ali")
    teacher.set_password("correct horse battery staple")
    teacher.save()
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[teacher]), student=submitted.student)
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("mr-ali")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")
    for path in (
        "/admin/essays/response/",
        f"/admin/essays/response/{submitted.pk}/change/",
        f"/admin/essays/response/essay/{essay.pk}/report/",
    ):
        page.goto(f"{site}{path}")
        assert_accessible(page)
    # A refused mark: the error summary too.
    page.goto(f"{site}/admin/essays/response/{submitted.pk}/change/")
    page.get_by_role("spinbutton", name="Mark").fill("3")
    page.get_by_role("radio", name=re.compile("^Level 4")).focus()
    page.keyboard.press("Space")
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#marking-errors")).to_be_focused()
    assert_accessible(page)


@pytest.mark.parametrize("width", [360, 1280])
def test_the_marking_page_in_use_has_no_accessibility_violations(page, site, width, default_scheme):
    """A redraft with the previous attempt open, margin comments (one overlapping another),
    the comment form with the bank's suggestions, and the keys' dialog."""
    page.set_viewport_size({"width": width, "height": 800})
    essay = EssayFactory(status="published")
    first = ResponseFactory(
        essay=essay, returned=True, body="Stalin joined.", even_better_if="Date it."
    )
    redraft = ResponseFactory(
        essay=essay,
        student=first.student,
        attempt=2,
        status="submitted",
        redraft_of=first,
        body="Stalin joined the League in 1934.\n\nHe wanted security.",
    )
    AnnotationFactory(response=first, length=6, comment="Which year?")
    AnnotationFactory(response=redraft, start=0, length=11, comment="Good: dated.", kind="strength")
    AnnotationFactory(response=redraft, start=7, length=12, comment="Which League?")
    CommentBankItemFactory(owner=None, shared=True, subject=essay.subject, text="Use evidence.")
    teacher = user_in_group("Teachers", "mr-ali")
    teacher.set_password("correct horse battery staple")
    teacher.save()
    EnrolmentFactory(group=TeachingGroupFactory(teachers=[teacher]), student=first.student)
    page.goto(f"{site}/admin/login/?next=/admin/essays/response/{redraft.pk}/change/")
    page.get_by_label("Username").fill("mr-ali")
    page.get_by_label("Password").fill("correct horse battery staple")
    page.get_by_role("button", name="Log in").click()
    expect(page.locator("#marking[data-ready=true]")).to_be_attached()
    page.locator("#previous-attempt summary").click()
    page.get_by_role("textbox", name="The student's answer").focus()
    page.keyboard.press("Shift+End")
    page.keyboard.press("c")
    page.keyboard.type("evid")
    expect(page.get_by_role("option", name=re.compile("^Use evidence"))).to_be_visible()
    page.keyboard.press("ArrowDown")
    assert_accessible(page)
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.keyboard.press("?")
    expect(page.get_by_role("dialog", name="Keys for marking")).to_be_visible()
    assert_accessible(page)
