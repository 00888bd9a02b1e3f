"""A student's whole journey, and the ways text could be lost, in a real browser."""

import random
import re

import pytest
from playwright.sync_api import expect

from essays.models import Response
from essays.text import count_words
from tests.browser.conftest import PASSWORD, log_in
from tests.factories import EssayFactory, NoteFactory
from tests.writing.test_text import AWKWARD

pytestmark = pytest.mark.django_db(transaction=True)

ANSWER = (
    "Stalin's first aim was security. The Soviet Union joined the League of Nations in 1934.\n\n"
    "When collective security failed at Munich in 1938, he turned to the Nazi-Soviet Pact."
)


@pytest.fixture
def essay():
    essay = EssayFactory(
        headline="Stalin's Foreign Policy Objectives",
        statement="‘Stalin’s main aim in foreign policy was to defend the Soviet Union.’",
        body="Stalin favoured collective security.\n\nThe Nazi-Soviet Pact followed in 1939.",
        status="published",
        tags=["Soviet Union"],
    )
    NoteFactory(essay=essay, text="Plan: Comintern, collective security, the Pact.")
    essay.refresh_search_document()
    EssayFactory(headline="Minimum wage", body="Monopsony employers.", status="published")
    return essay


def editor(page):
    """The answer box, once the editor's script is running."""
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    return page.get_by_label("Your answer")


def test_sign_up_find_attempt_first_write_submit_and_compare(page, site, essay):
    page.goto(f"{site}/accounts/signup/")
    page.get_by_label("Username").fill("priya")
    page.get_by_label("First name").fill("Priya")
    page.get_by_label("Last name").fill("Shah")
    page.get_by_label("Email").fill("priya@example.com")
    page.locator("#id_password1").fill(PASSWORD)
    page.locator("#id_password2").fill(PASSWORD)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_text("Welcome to StudyHub, priya.")).to_be_visible()

    page.get_by_label("Search the essays").fill("collective security")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("One essay matching “collective security”")).to_be_visible()
    page.get_by_role("link", name="Stalin's Foreign Policy Objectives").click()

    page.get_by_role("button", name="Attempt first: hide the model essay").click()
    expect(page.get_by_role("heading", name="Your answer")).to_be_visible()
    expect(page.get_by_text("the model essay stays hidden until you submit")).to_be_visible()

    editor(page).fill(ANSWER)
    expect(page.locator("#word-count")).to_have_text(str(count_words(ANSWER)))
    expect(page.locator("#save-status")).to_have_text(re.compile(r"^Saved \d\d:\d\d$"))

    page.reload()
    expect(editor(page)).to_have_value(ANSWER)

    page.goto(f"{site}/essays/{essay.slug}/")
    expect(page.get_by_text("The model essay is hidden")).to_be_visible()
    expect(page.get_by_text("Stalin favoured collective security.")).to_have_count(0)

    page.get_by_role("link", name="Continue attempt 1").click()
    page.get_by_role("button", name="Submit…").click()
    expect(page.get_by_role("heading", name="Submit attempt 1?")).to_be_visible()
    page.get_by_role("button", name="Yes, submit attempt 1").dblclick()
    expect(page.get_by_text("Submitted attempt 1")).to_be_visible()
    assert Response.objects.submitted_or_returned().count() == 1
    assert Response.objects.get().body == ANSWER

    page.get_by_role("link", name="My work").click()
    attempts = page.get_by_role("region", name="Stalin's Foreign Policy Objectives")
    expect(attempts.get_by_role("row", name=re.compile("Attempt 1"))).to_contain_text("Submitted")
    attempts.get_by_role("link", name="Attempt 1").click()

    page.get_by_role("link", name="Compare with the model essay").click()
    expect(page.get_by_role("heading", name=re.compile("Your answer \\(attempt 1"))).to_be_visible()
    expect(page.get_by_text("Stalin favoured collective security.")).to_be_visible()
    expect(page.get_by_text("When collective security failed at Munich")).to_be_visible()


def test_text_typed_while_offline_reaches_the_server(student_page, site, essay, context):
    page = student_page
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(page).fill("Typed while online.")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))

    context.set_offline(True)
    editor(page).press("End")
    editor(page).type(" Typed on the train, offline.")
    expect(page.locator("#save-status")).to_contain_text("Not saved — retrying", timeout=10_000)

    context.set_offline(False)
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"), timeout=15_000)
    assert Response.objects.get().body == "Typed while online. Typed on the train, offline."


def test_a_reload_before_the_save_keeps_the_text(student_page, site, essay, context):
    page = student_page
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    context.set_offline(True)
    editor(page).fill("Never reached the server before the reload.")
    context.set_offline(False)
    page.evaluate("window.onbeforeunload = null")
    page.reload()
    expect(editor(page)).to_have_value("Never reached the server before the reload.")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"), timeout=10_000)
    assert Response.objects.get().body == "Never reached the server before the reload."


def test_a_page_sent_before_the_last_save_landed_takes_the_browsers_newer_text(
    student_page, site, essay
):
    """A reload straight after typing can be answered before the last save is written: the page
    then shows an older draft than this browser already had acknowledged. The browser's text
    wins, with no question asked, and reaches the server."""
    page = student_page
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    key = page.evaluate("document.getElementById('response-form').dataset.storageKey")
    copy = {"body": "Acknowledged just before the reload.", "attempt": 1, "baseVersion": 3}
    script = "([k, c]) => localStorage.setItem(k, JSON.stringify({...c, savedAt: Date.now()}))"
    page.evaluate(script, [key, copy])
    page.reload()
    expect(editor(page)).to_have_value("Acknowledged just before the reload.")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"), timeout=10_000)
    assert Response.objects.get().body == "Acknowledged just before the reload."


def test_a_stale_tab_is_shown_both_texts_and_overwrites_nothing(student_page, site, essay, context):
    first = student_page
    first.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(first).fill("Started in the first tab.")
    expect(first.locator("#save-status")).to_have_text(re.compile("^Saved"))

    second = context.new_page()
    second.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(second).fill("Rewritten in the second tab.")
    expect(second.locator("#save-status")).to_have_text(re.compile("^Saved"))

    editor(first).press("End")
    editor(first).type(" More from the first tab.")
    editor(first).blur()
    expect(
        first.get_by_role("heading", name="This draft was changed somewhere else")
    ).to_be_visible()
    expect(first.get_by_label("The other version")).to_have_value("Rewritten in the second tab.")
    expect(editor(first)).to_have_value("Started in the first tab. More from the first tab.")
    assert Response.objects.get().body == "Rewritten in the second tab."

    first.get_by_role("button", name="Keep my text from this tab").click()
    expect(first.locator("#save-status")).to_have_text(re.compile("^Saved"))
    assert Response.objects.get().body == "Started in the first tab. More from the first tab."


def test_a_logged_out_student_loses_nothing(student_page, site, essay, context):
    page = student_page
    page.goto(f"{site}/essays/{essay.slug}/respond/")
    editor(page).fill("Before the session ended.")
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))

    context.clear_cookies()
    editor(page).press("End")
    editor(page).type(" After it ended.")
    editor(page).blur()
    expect(page.locator("#save-status")).to_have_text("Not saved — you are logged out")
    expect(page.get_by_role("link", name="Log in again in a new tab")).to_be_visible()

    other = context.new_page()
    log_in(other, site, "sam", next_path=f"/essays/{essay.slug}/respond/")
    other.close()
    page.get_by_role("button", name="Save draft").click()
    expect(page.locator("#save-status")).to_have_text(re.compile("^Saved"))
    assert Response.objects.get().body == "Before the session ended. After it ended."


def test_the_live_word_count_agrees_with_the_server(page, site, essay):
    page.goto(f"{site}/")
    generator = random.Random(1939)
    pieces = ["word", "don't", "1934", "—", "–", "-", " ", "\n", "é", "3.5%", "…", "’", "\u00a0"]
    texts = [text for text, _ in AWKWARD] + [
        "".join(generator.choice(pieces) for _ in range(generator.randint(0, 30)))
        for _ in range(200)
    ]
    count_all = "async ([url, texts]) => texts.map((await import(url)).countWords)"
    counts = page.evaluate(count_all, [f"{site}/static/js/wordcount.js", texts])
    assert counts == [count_words(text) for text in texts]
