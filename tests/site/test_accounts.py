"""Signing up, logging in and out, and getting back into an account."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_creates_a_student_logs_them_in_and_returns_them(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "jo",
            "email": "jo@example.com",
            "password1": "a sturdy passphrase 42",
            "password2": "a sturdy passphrase 42",
            "next": "/essays/versailles/respond/",
        },
    )
    assert response.status_code == 302
    assert response.url == "/essays/versailles/respond/"
    user = get_user_model().objects.get(username="jo")
    assert not user.is_staff
    assert client.get("/responses/").status_code == 200


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({"password1": "password", "password2": "password"}, "This password is too common."),
        ({"password2": "something else 99"}, "The two password fields didn"),
        ({"email": "not-an-email"}, "Enter a valid email address."),
        ({"email": "taken@example.com"}, "An account already uses this email address."),
    ],
)
def test_signup_explains_what_is_wrong(client, fields, message):
    UserFactory(username="other", email="taken@example.com")
    data = {
        "username": "jo",
        "email": "jo@example.com",
        "password1": "a sturdy passphrase 42",
        "password2": "a sturdy passphrase 42",
        **fields,
    }
    response = client.post("/accounts/signup/", data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not get_user_model().objects.filter(username="jo").exists()


def test_signup_ignores_a_next_address_on_another_site(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "jo",
            "email": "jo@example.com",
            "password1": "a sturdy passphrase 42",
            "password2": "a sturdy passphrase 42",
            "next": "https://evil.example.com/",
        },
    )
    assert response.url == "/"


def test_login_returns_to_the_page_the_student_came_from(client, student):
    page = client.get("/accounts/login/?next=/responses/").content.decode()
    assert 'name="next" value="/responses/"' in page
    response = client.post(
        "/accounts/login/",
        {"username": "amira", "password": "correct horse battery staple", "next": "/responses/"},
    )
    assert response.status_code == 302 and response.url == "/responses/"


def test_logout_is_a_post(student_client):
    assert student_client.get("/accounts/logout/").status_code == 405
    response = student_client.post("/accounts/logout/")
    assert response.status_code == 302
    assert student_client.get("/responses/").status_code == 302


def test_password_reset_sends_a_working_link(client, student):
    response = client.post("/accounts/password_reset/", {"email": student.email})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].subject == "Reset your StudyHub password"
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    response = client.get(link, follow=True)
    assert "Choose a new password" in response.content.decode()


def test_password_change_needs_the_old_password(student_client):
    response = student_client.post(
        "/accounts/password_change/",
        {
            "old_password": "wrong",
            "new_password1": "another sturdy phrase 7",
            "new_password2": "another sturdy phrase 7",
        },
    )
    assert response.status_code == 200
    assert "Your old password was entered incorrectly" in response.content.decode()


def test_nav_offers_login_to_visitors_and_logout_to_students(client, student):
    page = client.get("/").content.decode()
    assert "Log in" in page and "Sign up" in page and "My work" not in page
    client.force_login(student)
    page = client.get("/").content.decode()
    assert "My work" in page and "Log out" in page and "Sign up" not in page


def test_repeated_failed_logins_are_refused_for_a_while(client, student):
    for _ in range(5):
        response = client.post(
            "/accounts/login/", {"username": "amira", "password": "wrong password"}
        )
    assert response.status_code == 429
    assert "Too many failed logins" in response.content.decode()
    assert "Please wait 15 minutes and try again." in response.content.decode()
    response = client.post(
        "/accounts/login/", {"username": "amira", "password": "correct horse battery staple"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_few_wrong_passwords_then_the_right_one_logs_in(client, student):
    for _ in range(3):
        client.post("/accounts/login/", {"username": "amira", "password": "wrong"})
    response = client.post(
        "/accounts/login/", {"username": "amira", "password": "correct horse battery staple"}
    )
    assert response.status_code == 302
