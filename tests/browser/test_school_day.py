"""What a new student tripped over, in a real browser: an empty "Submit…", a text the server
refuses, and My work on a phone."""

import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from essays.models import Response
from tests.factories import EssayFactory, ResponseFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def essay():
    return EssayFactory(status="published")


def editor(page):
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    return page.get_by_label("Your answer")


def test_submit_with_an_empty_answer_says_why(student_page, site, essay):
    page = student_page
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(page)
    page.get_by_role("button", name="Submit…").click()
    expect(page.get_by_text("Write your answer before submitting: it is empty.")).to_be_visible()
    assert not Response.objects.filter(status="submitted").exists()


def test_a_refused_text_is_explained_and_not_sent_again_and_again(student_page, site, essay):
    page = student_page
    saves = []
    page.on("request", lambda request: "autosave" in request.url and saves.append(request))
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    # Half of an emoji, as pasting can leave: the browser sends it, no database stores it.
    editor(page).evaluate("box => { box.value = 'Stalin \\ud83d wanted'; }")
    editor(page).dispatch_event("input")
    editor(page).blur()
    alert = page.get_by_text(re.compile("This text could not be saved: Your text has a broken"))
    expect(alert).to_be_visible(timeout=10_000)
    expect(page.locator("#save-status")).to_have_text("Not saved")
    page.wait_for_timeout(5_000)
    assert len(saves) == 1
    assert not Response.objects.exists()
    # Mending the text starts saving again.
    editor(page).fill("Stalin wanted security.")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"), timeout=10_000)


def test_my_work_shows_every_column_on_a_phone(student_page, site, essay):
    student = get_user_model().objects.get(username="sam")
    ResponseFactory(student=student, essay=essay, returned=True, level=4, mark=18)
    page = student_page
    page.set_viewport_size({"width": 360, "height": 740})
    page.goto(f"{site}/responses/")
    mark = page.locator("td[data-label=Mark]")
    expect(mark).to_contain_text("18 / 25")
    box = mark.bounding_box()
    assert box["x"] >= 0 and box["x"] + box["width"] <= 360
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
