"""A teacher marking anonymously sees candidate numbers on the board, releases the marked work
from it by keyboard alone, on a phone too, and then sees the names of the work released; the
board and the confirmation break no accessibility rule and run no inline script."""

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core import mail
from playwright.sync_api import expect

from essays.models import Candidate, Response
from tests.conftest import user_in_group
from tests.factories import (
    AssignmentFactory,
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


@pytest.mark.parametrize("width", [360, 1280])
def test_a_teacher_releases_anonymous_marks_from_the_board_by_keyboard(
    page, site, width, default_scheme
):
    page.set_viewport_size({"width": width, "height": 800})
    teacher = user_in_group("Teachers", "teacher")
    teacher.set_password(PASSWORD)
    teacher.save()
    group = TeachingGroupFactory(name="13H History", teachers=[teacher])
    work = AssignmentFactory(
        group=group,
        essay=EssayFactory(headline="Stalin's foreign policy", status="published"),
        anonymous_marking=True,
    )
    handed_in = {}
    for username, first, last, mark in [
        ("zoyelaran", "Zainab", "Oyelaran", 17),
        ("qvasquez", "Quentin", "Vasquez", None),
    ]:
        student = UserFactory(username=username, first_name=first, last_name=last)
        EnrolmentFactory(group=group, student=student)
        handed_in[username] = ResponseFactory(
            student=student,
            essay=work.essay,
            assignment=work,
            status="submitted",
            level=None if mark is None else 4,
            mark=mark,
        )
    refused = []
    page.on(
        "console",
        lambda message: "Content Security Policy" in message.text and refused.append(message.text),
    )
    page.goto(f"{site}/admin/login/")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url(f"{site}/admin/")

    page.goto(f"{site}/admin/essays/assignment/{work.pk}/board/")
    zainab = Candidate.objects.get(student__username="zoyelaran").number
    expect(page.get_by_role("link", name=f"Candidate {zainab}")).to_be_visible()
    for name in ("Zainab", "Quentin", "zoyelaran", "qvasquez"):
        assert name not in page.content()
    assert_accessible(page)

    page.get_by_role("button", name="Release marks…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_text("1 marked response will be released")).to_be_visible()
    expect(page.get_by_text("1 response is not marked yet")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Release 1 mark").focus()
    page.keyboard.press("Enter")

    expect(page.get_by_text("Released 1 mark to its student; they are emailed.")).to_be_visible()
    expect(page.get_by_role("link", name="Zainab Oyelaran (zoyelaran)", exact=True)).to_be_visible()
    assert "Quentin" not in page.content()
    assert_accessible(page)
    assert Response.objects.get(pk=handed_in["zoyelaran"].pk).status == "returned"
    assert [m.to[0] for m in mail.outbox] == ["zoyelaran@example.com"]
    assert not refused
