"""Wrong passwords lock an account, from one address or from everywhere, never a whole school;
the page says who is locked and until when; resetting the password lifts it; and the address
is read through the proxies StudyHub is told to trust, and no others."""

import re

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.core.exceptions import ImproperlyConfigured

from studyhub.settings import env_proxies
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SCHOOL = "203.0.113.7"  # the school's one public address
HOME = "198.51.100.20"
PROXY = "10.0.0.2"  # StudyHub's own reverse proxy
PASSWORD = "correct horse battery staple"


def log_in(client, username, password=PASSWORD, address=SCHOOL, forwarded_for=None):
    headers = {"X-Forwarded-For": forwarded_for} if forwarded_for else {}
    return client.post(
        "/accounts/login/",
        {"username": username, "password": password},
        REMOTE_ADDR=address,
        headers=headers,
    )


def fail(client, username, times, **where):
    for _ in range(times):
        assert log_in(client, username, "wrong password", **where).status_code in (200, 429)


def test_wrong_passwords_for_many_accounts_from_one_address_lock_no_one_else(client):
    UserFactory(username="root", is_staff=True, is_superuser=True)
    UserFactory(username="bea")
    for name in ["amira", "bea", "carl", "dev", "ella", "finn"]:
        fail(client, name, 1)
    assert log_in(client, "root").status_code == 302
    client.logout()
    assert log_in(client, "bea").status_code == 302


def test_wrong_passwords_lock_the_account_from_that_address_only(client, student):
    fail(client, "amira", 5)
    response = log_in(client, "amira")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert log_in(client, "amira", address=HOME).status_code == 302


def test_the_account_locks_everywhere_at_the_higher_limit(client, student):
    # Four wrong passwords from each of five addresses: none locked on its own.
    addresses = [f"192.0.2.{n}" for n in range(1, 6)]
    for address in addresses[:4]:
        fail(client, "amira", 4, address=address)
    fail(client, "amira", 3, address=addresses[4])
    assert log_in(client, "amira", address=HOME).status_code == 302  # 19: still open
    client.logout()
    fail(client, "amira", 1, address=addresses[4])  # the 20th
    response = log_in(client, "amira", address="192.0.2.99")
    assert response.status_code == 429
    page = response.content.decode()
    assert "too many wrong passwords for <strong>this account</strong>" in page
    assert "paused everywhere" in page


@pytest.mark.freeze_time("2026-07-01 12:00:00")
def test_the_locked_out_page_says_who_and_until_when_in_london_time(client, student):
    fail(client, "amira", 4)
    response = log_in(client, "amira", "wrong again")
    assert response.status_code == 429
    page = response.content.decode()
    assert "<strong>this account from this device or network</strong>" in page
    # 12:00 UTC is 13:00 in London in summer; the pause lasts 15 minutes.
    assert "until <strong>13:15 BST</strong> on Wednesday 1 July" in page
    assert "Please wait 15 minutes and try again." in page
    assert "Resetting the password lifts the pause at once" in page


def test_one_address_cannot_lock_the_account_everywhere(client, student):
    fail(client, "amira", 30)  # a classmate at school, carrying on after the lockout
    assert log_in(client, "amira").status_code == 429
    assert log_in(client, "amira", address=HOME).status_code == 302


def test_a_completed_password_reset_lifts_the_lockout(client, student):
    for address in [SCHOOL, "192.0.2.1", "192.0.2.2", "192.0.2.3"]:
        fail(client, "amira", 5, address=address)  # locked here and everywhere
    assert log_in(client, "amira", address=HOME).status_code == 429
    client.post("/accounts/password_reset/", {"email": student.email}, REMOTE_ADDR=HOME)
    link = re.search(r"https?://[^/]+(/accounts/reset/\S+)", mail.outbox[0].body).group(1)
    form_url = client.get(link, follow=True).redirect_chain[-1][0]
    new_password = "a brand new passphrase 73"
    response = client.post(form_url, {"new_password1": new_password, "new_password2": new_password})
    assert response.status_code == 302
    assert log_in(client, "amira", new_password, address=SCHOOL).status_code == 302


def test_forwarded_for_is_ignored_unless_a_proxy_is_trusted(client, student):
    for n in range(5):
        log_in(client, "amira", "wrong", address=PROXY, forwarded_for=f"192.0.2.{n}")
    assert set(AccessAttempt.objects.values_list("ip_address", flat=True)) == {PROXY}
    assert log_in(client, "amira", address=PROXY, forwarded_for=HOME).status_code == 429


@pytest.mark.parametrize("trusted", [1, [PROXY], ["10.0.0.0/24"]])
def test_forwarded_for_is_honoured_behind_trusted_proxies(client, settings, student, trusted):
    settings.STUDYHUB_TRUSTED_PROXIES = trusted
    fail(client, "amira", 5, address=PROXY, forwarded_for=SCHOOL)
    assert log_in(client, "amira", address=PROXY, forwarded_for=SCHOOL).status_code == 429
    # A pupil cannot step out of the lockout by naming another address: the proxy adds the
    # school's after it, and that is the one believed.
    forged = f"{HOME}, {SCHOOL}"
    assert log_in(client, "amira", address=PROXY, forwarded_for=forged).status_code == 429
    assert log_in(client, "amira", address=PROXY, forwarded_for=HOME).status_code == 302


def test_a_listed_proxy_is_believed_only_when_the_request_comes_from_it(client, settings, student):
    settings.STUDYHUB_TRUSTED_PROXIES = [PROXY]
    # Straight to StudyHub, not through the proxy, claiming to be someone else.
    log_in(client, "amira", "wrong", address=SCHOOL, forwarded_for=HOME)
    assert list(AccessAttempt.objects.values_list("ip_address", flat=True)) == [SCHOOL]


@pytest.mark.parametrize(
    ("value", "trusted"),
    [("", []), ("0", 0), ("2", 2), ("10.0.0.2, 10.0.1.0/24", ["10.0.0.2", "10.0.1.0/24"])],
)
def test_trusted_proxies_are_read_from_the_environment(monkeypatch, value, trusted):
    monkeypatch.setenv("STUDYHUB_TRUSTED_PROXIES", value)
    assert env_proxies("STUDYHUB_TRUSTED_PROXIES") == trusted


@pytest.mark.parametrize("value", ["one", "-1", "10.0.0.300", "proxy.example.org"])
def test_a_bad_trusted_proxies_value_stops_start_up(monkeypatch, value):
    monkeypatch.setenv("STUDYHUB_TRUSTED_PROXIES", value)
    with pytest.raises(ImproperlyConfigured, match="STUDYHUB_TRUSTED_PROXIES must be"):
        env_proxies("STUDYHUB_TRUSTED_PROXIES")
