"""A signed-in student's whole page kept between visits (essays/student_state.py,
`kept_whole_for_students`): only ever their own, never hiding a message, and read afresh when
what it shows changes."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client
from django.urls import reverse

from tests.factories import EnrolmentFactory, EssayFactory, TeachingGroupFactory, UserFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

PAGES = ["/", "/?q=versailles", "/responses/", "/progress/"]


@pytest.fixture
def essay():
    return EssayFactory(status="published", headline="Versailles: a harsh peace?")


def signed_in(username: str) -> Client:
    browser = Client()
    browser.force_login(UserFactory(username=username))
    return browser


@pytest.mark.parametrize("path", [*PAGES, "essay"])
def test_a_kept_page_is_the_session_and_the_user_alone(essay, path, django_assert_num_queries):
    browser = signed_in("amira")
    path = essay.get_absolute_url() if path == "essay" else path
    browser.get(path)  # sets the browser's CSRF cookie
    first = browser.get(path)
    with django_assert_num_queries(2):
        again = browser.get(path)
    assert again.status_code == 200
    assert again.content.decode().count("Account (amira)") == 1
    assert len(again.content) > 0.9 * len(first.content)


@pytest.mark.parametrize("path", [*PAGES, "essay"])
def test_no_student_is_given_anothers_kept_page(essay, path):
    path = essay.get_absolute_url() if path == "essay" else path
    amira, ben = signed_in("amira"), signed_in("ben")
    for _ in range(3):
        assert "Account (amira)" in amira.get(path).content.decode()
        page = ben.get(path).content.decode()
        assert "Account (ben)" in page and "amira" not in page


def test_a_message_is_never_hidden_by_a_kept_page(essay):
    browser = signed_in("amira")
    group = TeachingGroupFactory(name="13H History", join_code="CDEFGH34")
    EnrolmentFactory(group=group, student=User.objects.get(username="amira"))
    browser.get("/")
    browser.get("/")  # kept now
    # Joining a class one is already in changes nothing, and leaves a message for the next
    # page, whichever it is.
    response = browser.post(reverse("essays:join_class"), {"code": "CDEFGH34"})
    assert response.status_code == 302
    assert "You are already in 13H History" in browser.get("/").content.decode()
    assert "You are already in" not in browser.get("/").content.decode()
