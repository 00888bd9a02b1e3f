"""End-to-end tests in a real browser: Debian's Chromium driven by Playwright.

Without /usr/bin/chromium (apt-get install chromium) these tests are skipped, with the reason
in the test report; everything else still runs.
"""

import os
import shutil

import pytest
from django.contrib.auth.models import Group, Permission

from essays.roles import sync_roles
from tests.factories import UserFactory

CHROMIUM = os.environ.get("STUDYHUB_CHROMIUM", "/usr/bin/chromium")
PASSWORD = "correct horse battery staple"

# Playwright's sync API runs an event loop in the test thread; the ORM calls these tests make
# are ordinary synchronous calls (microsoft/playwright-pytest#29).
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


def pytest_collection_modifyitems(config, items):
    if shutil.which(CHROMIUM):
        return
    skip = pytest.mark.skip(
        reason=f"no Chromium at {CHROMIUM}: install it (apt-get install chromium) "
        "to run the browser tests"
    )
    for item in items:
        if "tests/browser/" in item.nodeid:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": [
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--no-first-run",
        ],
    }


@pytest.fixture
def browser_context_args(browser_context_args):
    return {**browser_context_args, "locale": "en-GB", "timezone_id": "Europe/London"}


@pytest.fixture
def site(live_server):
    """The address of the running site. The database is emptied after each browser test, so
    the staff groups the migrations made are put back first."""
    sync_roles(Group, Permission)
    return live_server.url


@pytest.fixture
def student_page(page, site, transactional_db):
    """A browser page signed in as a student."""
    UserFactory(username="sam", password=PASSWORD)
    log_in(page, site, "sam")
    return page


def log_in(page, site, username, next_path="/"):
    page.goto(f"{site}/accounts/login/?next={next_path}")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}{next_path}")
