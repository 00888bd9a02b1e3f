"""The editor's modules working together in a real browser: the browser copy written while
typing (saving) is the one offered back (recovery) and the one a submitted attempt's page
forgets, under the same key; and the timer keeps running across a reload."""

import json
import re

import pytest
from django.contrib.auth import get_user_model
from playwright.sync_api import expect

from essays.models import Response
from tests.factories import EssayFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def essay():
    return EssayFactory(status="published", time_allowed_minutes=45)


def editor(page):
    """The answer box, once the editor's script is running."""
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    return page.get_by_label("Your answer")


def browser_copy(page, key):
    return json.loads(page.evaluate("key => localStorage.getItem(key) || 'null'", key))


def test_the_copy_kept_while_typing_is_the_one_offered_back(student_page, site, essay, context):
    respond = f"{site}/essays/{essay.slug}/respond/"
    first = student_page
    first.goto(respond)
    editor(first).fill("Saved from the first tab.")
    expect(first.locator("#save-status")).to_have_text(re.compile("^Saved"))

    second = context.new_page()
    second.goto(respond)
    editor(second).fill("Rewritten in the second tab.")
    expect(second.locator("#save-status")).to_have_text(re.compile("^Saved"))
    second.close()

    # The first tab types on top of the version it knows, but never reaches the server.
    context.set_offline(True)
    editor(first).press("End")
    editor(first).type(" Typed offline.")
    expect(first.locator("#save-status")).to_contain_text("Not saved — retrying", timeout=10_000)
    first.close()
    context.set_offline(False)

    later = context.new_page()
    later.goto(respond)
    expect(
        later.get_by_role("heading", name="This browser has a newer copy of your answer")
    ).to_be_visible()
    expect(later.get_by_label("The copy in this browser")).to_have_value(
        "Saved from the first tab. Typed offline."
    )
    # (The panel's heading also names "your answer".)
    answer = later.get_by_role("textbox", name="Your answer", exact=True)
    expect(answer).to_have_value("Rewritten in the second tab.")

    later.get_by_role("button", name="Use the copy from this browser").click()
    expect(later.locator("#save-status")).to_have_text(re.compile("^Saved"), timeout=10_000)
    assert Response.objects.get().body == "Saved from the first tab. Typed offline."


def test_a_submitted_attempts_page_forgets_the_browser_copy(student_page, site, essay):
    page = student_page
    student = get_user_model().objects.get(username="sam")
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(page).fill("Ready to hand in.")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
    key = page.evaluate("document.getElementById('response-form').dataset.storageKey")
    # The key copies already in students' browsers were written under.
    assert key == f"studyhub:draft:{student.pk}:{essay.slug}"
    assert browser_copy(page, key)["body"] == "Ready to hand in."

    page.get_by_role("button", name="Submit…").click()
    page.get_by_role("button", name="Yes, submit attempt 1").click()
    expect(page.get_by_text("Submitted attempt 1")).to_be_visible()
    page.wait_for_function("key => localStorage.getItem(key) === null", arg=key, timeout=5_000)


def test_the_timer_counts_down_and_survives_a_reload(student_page, site, essay):
    page = student_page
    student = get_user_model().objects.get(username="sam")
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(page)
    display = page.locator("#timer-display")
    expect(display).to_have_text("")

    page.get_by_role("button", name="Start 45-minute timer").click()
    expect(display).to_have_text(re.compile(r"^4[45]:\d\d left$"))
    timer_key = f"studyhub:timer:{student.pk}:{essay.slug}:1"
    assert page.evaluate("key => localStorage.getItem(key)", timer_key) is not None

    page.reload()
    editor(page)
    expect(display).to_have_text(re.compile(r"^4[45]:\d\d left$"))
    page.get_by_role("button", name="Stop timer").click()
    expect(display).to_have_text("")
    expect(page.get_by_role("button", name="Start 45-minute timer")).to_be_visible()
    assert page.evaluate("key => localStorage.getItem(key)", timer_key) is None
