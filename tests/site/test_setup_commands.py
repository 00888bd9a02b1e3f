"""Settings read from the environment, the demo accounts, and the project's own checks."""

import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.test import RequestFactory

from essays.roles import ROLE_PERMISSIONS

ROOT = Path(__file__).resolve().parent.parent.parent


def run_manage(*args: str, **env: str) -> subprocess.CompletedProcess:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    environment.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=environment,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_without_debug_a_secret_key_is_required():
    result = run_manage("check", DJANGO_DEBUG="0")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is not set" in result.stderr


def test_a_bad_boolean_is_named():
    result = run_manage("check", DJANGO_DEBUG="maybe")
    assert result.returncode != 0
    assert "DJANGO_DEBUG must be one of" in result.stderr


def test_production_settings_pass_the_system_checks():
    result = run_manage(
        "check",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="x" * 60,
        DJANGO_ALLOWED_HOSTS="studyhub.example.org",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.mark.django_db
def test_migrations_create_the_editor_and_teacher_groups():
    for name, codenames in ROLE_PERMISSIONS.items():
        group = Group.objects.get(name=name)
        assert set(group.permissions.values_list("codename", flat=True)) == set(codenames)
    teachers = Group.objects.get(name="Teachers").permissions
    assert teachers.filter(codename="change_response").exists()
    assert not teachers.filter(
        codename__in=["change_essay", "delete_response", "view_user"]
    ).exists()


@pytest.mark.django_db
def test_demo_users_are_created_with_printed_passwords(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("create_demo_users", stdout=out)

    passwords = {}
    for line in out.getvalue().splitlines():
        if not line.startswith("  "):
            continue  # headings and the demo class's line
        username, password, *_ = line.split()
        passwords[username] = password
    assert set(passwords) == {"student", "teacher", "editor"}
    for username, password in passwords.items():
        request = RequestFactory().post("/accounts/login/")
        assert authenticate(request, username=username, password=password) is not None
    User = get_user_model()
    assert not User.objects.get(username="student").is_staff
    assert User.objects.get(username="editor").groups.filter(name="Editors").exists()
    assert User.objects.get(username="teacher").groups.filter(name="Teachers").exists()

    call_command("create_demo_users", stdout=StringIO())
    assert User.objects.count() == 3


@pytest.mark.django_db
def test_demo_users_are_refused_without_debug(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="set DJANGO_DEBUG=1"):
        call_command("create_demo_users")
    assert not get_user_model().objects.exists()
