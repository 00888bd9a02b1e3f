"""Set work in a real browser: a student starts it with the POST the classes page sends, sees
its deadline, and its countdown runs for the work's time limit from the start the server
recorded — through a reload, and on another device that never saw it start."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone
from playwright.sync_api import expect

from essays.models import Response
from tests.factories import AssignmentFactory, EnrolmentFactory, TeachingGroupFactory

pytestmark = pytest.mark.django_db(transaction=True)

# The classes page's "Start" button: a form posting the set work to the essay's new attempt.
START_SET_WORK = """([action, assignment]) => {
  const form = document.createElement("form");
  form.method = "post";
  form.action = action;
  for (const [name, value] of [
    ["csrfmiddlewaretoken", document.querySelector("[name=csrfmiddlewaretoken]").value],
    ["assignment", assignment],
  ]) {
    const field = document.createElement("input");
    field.type = "hidden";
    field.name = name;
    field.value = value;
    form.append(field);
  }
  document.body.append(form);
  form.submit();
}"""


def seconds_left(page) -> int:
    minutes, seconds = re.fullmatch(
        r"(\d+):(\d\d) left", page.locator("#timer-display").text_content()
    ).groups()
    return int(minutes) * 60 + int(seconds)


def test_set_work_counts_down_its_time_limit_from_the_recorded_start(student_page, site):
    page = student_page
    student = get_user_model().objects.get(username="sam")
    group = TeachingGroupFactory(name="13H History")
    EnrolmentFactory(group=group, student=student)
    work = AssignmentFactory(
        group=group,
        instructions="Timed practice: no notes.",
        due_at=timezone.now() + timedelta(days=1),
        time_limit_minutes=20,
        essay__time_allowed_minutes=45,
    )
    essay = work.essay

    page.goto(f"{site}{essay.get_absolute_url()}")
    page.evaluate(START_SET_WORK, [f"/essays/{essay.slug}/respond/new/", str(work.pk)])
    page.wait_for_url(f"{site}/essays/{essay.slug}/respond/")
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    expect(page.get_by_text("Started attempt 1 for 13H History's set work.")).to_be_visible()
    card = page.locator("#set-work")
    expect(card.get_by_role("heading", name="Set work for 13H History")).to_be_visible()
    expect(card).to_contain_text("Timed practice: no notes.")
    expect(card.locator("#set-work-due")).to_contain_text(re.compile(r"Due tomorrow \d\d:\d\d"))
    expect(card.locator("#set-work-time")).to_contain_text("Time limit 20 minutes")

    # The work's 20 minutes, not the essay's 45, running without being started or stoppable.
    display = page.locator("#timer-display")
    expect(display).to_have_text(re.compile(r"^(20:00|19:\d\d) left$"))
    expect(page.locator("#timer-toggle")).to_be_hidden()
    before = seconds_left(page)

    page.reload()
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    expect(display).to_have_text(re.compile(r"^(20:00|19:\d\d) left$"))
    assert seconds_left(page) <= before

    # Started five minutes ago on another device: this browser has nothing of it stored.
    Response.objects.filter(student=student).update(
        created_at=timezone.now() - timedelta(minutes=5)
    )
    page.evaluate("localStorage.clear()")
    page.reload()
    page.locator("#response-form[data-ready]").wait_for(state="attached")
    expect(display).to_have_text(re.compile(r"^1[45]:\d\d left$"))
    assert Response.objects.get(student=student).assignment == work
