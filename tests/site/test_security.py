"""Production settings and the headers a real response carries."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client, override_settings

from tests.factories import ResponseFactory

ROOT = Path(__file__).resolve().parent.parent.parent

PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "a-long-random-production-secret-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "studyhub.example.org",
    "EMAIL_HOST": "smtp.example.org",
}


def test_deploy_checks_report_nothing_with_production_settings():
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")} | PRODUCTION
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_pages_carry_the_security_headers(client, published_essay):
    response = client.get(published_essay.get_absolute_url())
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "script-src 'self'" in csp and "style-src 'self'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_https_requests_get_hsts_and_secure_httponly_cookies(student):
    client = Client()
    with override_settings(SESSION_COOKIE_SECURE=True, CSRF_COOKIE_SECURE=True):
        response = client.post(
            "/accounts/login/",
            {"username": "amira", "password": "correct horse battery staple"},
            secure=True,
        )
    assert response["Strict-Transport-Security"].startswith("max-age=31536000")
    session = response.cookies["sessionid"]
    assert session["secure"] and session["httponly"]
    assert response.cookies["csrftoken"]["secure"]


@pytest.mark.django_db
def test_error_pages_say_what_happened_and_leak_nothing(client):
    response = client.get("/essays/no-such-essay/")
    assert response.status_code == 404
    page = response.content.decode()
    assert "Page not found" in page
    assert "Traceback" not in page and "studyhub.urls" not in page


def test_the_server_error_page_stands_alone():
    page = (ROOT / "templates" / "500.html").read_text()
    assert "Something went wrong" in page
    assert "{%" not in page  # renders even when the template engine is what failed


PRIVATE_PAGES = [
    "/",
    "/essays/{slug}/respond/",
    "/responses/",
    "/responses/{pk}/",
    "/accounts/password_change/",
]


@pytest.mark.django_db
def test_signed_in_pages_are_private_and_never_stored(student_client, student):
    submitted = ResponseFactory(student=student, status="submitted")
    for path in PRIVATE_PAGES:
        url = path.format(slug=submitted.essay.slug, pk=submitted.pk)
        response = student_client.get(url)
        assert response.status_code == 200, url
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


@pytest.mark.django_db
def test_every_admin_page_is_private_and_never_stored(admin_client):
    for url in ("/admin/login/", "/admin/", "/admin/essays/response/"):
        response = (Client() if url == "/admin/login/" else admin_client).get(url)
        directives = {d.strip() for d in response["Cache-Control"].split(",")}
        assert {"private", "no-store"} <= directives, url


@pytest.mark.django_db
def test_visitors_public_pages_are_not_marked_private(client, published_essay):
    response = client.get(published_essay.get_absolute_url())
    assert "private" not in response.get("Cache-Control", "")
