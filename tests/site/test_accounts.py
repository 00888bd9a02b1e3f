"""Signing up, logging in and out, and getting back into an account."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.core import mail

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_signup_creates_a_student_logs_them_in_and_returns_them(client):
    response = client.post(
        "/accounts/signup/",
        {
            "username": "jo",
            "email": "jo@example.com",
            "first_name": "Jo",
            "last_name": "March",
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
        "first_name": "Jo",
        "last_name": "March",
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
            "first_name": "Jo",
            "last_name": "March",
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


def ask_for_reset(client, email, address="203.0.113.7"):
    return client.post("/accounts/password_reset/", {"email": email}, REMOTE_ADDR=address)


RESET_LIMIT_MESSAGE = "Too many reset emails have been asked for"


def test_reset_emails_to_one_address_are_limited(client, student):
    for n in range(3):
        assert ask_for_reset(client, student.email, address=f"192.0.2.{n}").status_code == 302
    response = ask_for_reset(client, student.email, address="192.0.2.9")
    assert response.status_code == 429
    assert RESET_LIMIT_MESSAGE in response.content.decode()
    assert len(mail.outbox) == 3


def test_reset_emails_asked_for_from_one_address_are_limited(client):
    for n in range(5):
        UserFactory(username=f"pupil{n}")
        assert ask_for_reset(client, f"pupil{n}@example.com").status_code == 302
    UserFactory(username="pupil5")
    response = ask_for_reset(client, "pupil5@example.com")
    assert response.status_code == 429
    assert RESET_LIMIT_MESSAGE in response.content.decode()
    assert len(mail.outbox) == 5
    assert ask_for_reset(client, "pupil5@example.com", address="198.51.100.20").status_code == 302


def test_reset_pages_say_the_same_whether_or_not_an_account_uses_the_email(client, student):
    known = [ask_for_reset(client, student.email, address=f"192.0.2.{n}") for n in range(4)]
    unknown = [
        ask_for_reset(client, "nobody@example.com", address=f"192.0.2.{n}") for n in range(4)
    ]
    assert [r.status_code for r in known] == [r.status_code for r in unknown] == [302] * 3 + [429]
    assert {r.url for r in known[:3] + unknown[:3]} == {"/accounts/password_reset/done/"}
    assert RESET_LIMIT_MESSAGE in known[3].content.decode()
    assert RESET_LIMIT_MESSAGE in unknown[3].content.decode()
    assert len(mail.outbox) == 3


def sign_up(client, username):
    return client.post(
        "/accounts/signup/",
        {
            "username": username,
            "email": "new@example.com",
            "first_name": "Sam",
            "last_name": "Lee",
            "password1": "a sturdy passphrase 42",
            "password2": "a sturdy passphrase 42",
        },
    )


def test_signup_normalises_the_username(client):
    # Django's UsernameField applies NFKC: full-width letters are the ordinary ones.
    assert sign_up(client, "ｊｏ").status_code == 302
    assert get_user_model().objects.filter(username="jo").exists()


def test_signup_compares_usernames_after_normalising_them(client, student):
    response = sign_up(client, "ａmira")  # full-width a: "amira" itself
    assert response.status_code == 400
    assert "A user with that username already exists." in response.content.decode()


@pytest.mark.parametrize(
    "lookalike",
    [
        "аmira",  # Cyrillic а
        "amіra",  # Ukrainian і
        "АMIRA",  # Cyrillic А, the rest in capitals
    ],
)
def test_signup_refuses_a_username_that_looks_like_an_existing_one(client, student, lookalike):
    response = sign_up(client, lookalike)
    assert response.status_code == 400
    assert "This username looks the same as someone else" in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_signup_refuses_lookalike_letters_from_two_alphabets(client):
    response = sign_up(client, "pаul")  # Cyrillic а among Latin letters; no "paul" yet
    assert response.status_code == 400
    assert "mixes letters from different alphabets" in response.content.decode()


@pytest.mark.parametrize("username", ["Дмитрий", "zoë_1", "ali"])
def test_signup_accepts_names_in_one_alphabet(client, username):
    UserFactory(username="all")
    assert sign_up(client, username).status_code == 302


def test_login_offers_to_keep_the_student_signed_in(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'name="remember"' in page and "Keep me signed in" in page


@pytest.mark.parametrize(("remember", "max_age"), [(False, ""), (True, 8 * 60 * 60)])
def test_the_session_ends_with_the_browser_unless_kept(client, student, remember, max_age):
    data = {"username": "amira", "password": "correct horse battery staple"}
    if remember:
        data["remember"] = "on"
    response = client.post("/accounts/login/", data)
    assert response.status_code == 302
    assert response.cookies["sessionid"]["max-age"] == max_age


@pytest.mark.parametrize("remember", [False, True])
def test_a_session_ends_after_eight_idle_hours(client, student, freezer, remember):
    data = {"username": "amira", "password": "correct horse battery staple"}
    if remember:
        data["remember"] = "on"
    client.post("/accounts/login/", data)
    for _ in range(3):  # a long day of work, with breaks shorter than 8 hours
        freezer.tick(timedelta(hours=7))
        assert client.get("/responses/").status_code == 200
    freezer.tick(timedelta(hours=8, minutes=1))
    assert client.get("/responses/").status_code == 302


def test_a_busy_session_is_not_saved_on_every_request(student_client, freezer):
    student_client.get("/responses/")
    session = Session.objects.get()
    freezer.tick(timedelta(minutes=1))
    student_client.get("/responses/")
    assert Session.objects.get().expire_date == session.expire_date
    freezer.tick(timedelta(minutes=5))
    student_client.get("/responses/")
    assert Session.objects.get().expire_date > session.expire_date
