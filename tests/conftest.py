"""Test settings and shared fixtures. Every test-only override of the settings lives here."""

from pathlib import Path

import pytest
from asgiref.local import Local
from django.conf import settings
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.core.management import call_command
from django.tasks import task_backends

from essays.models import MarkScheme
from tests.factories import EssayFactory, UserFactory

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "documents"


@pytest.fixture(scope="session")
def django_db_modify_db_settings(django_db_modify_db_settings_parallel_suffix, tmp_path_factory):
    """SQLite tests use a database file, as production does, not a shared in-memory one: the
    browser tests' server thread and the tests then wait for each other's writes instead of
    failing with "database table is locked"."""
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("database") / "studyhub-tests.sqlite3"
        )


@pytest.fixture(autouse=True)
def test_settings(settings):
    # Tests talk plain HTTP (see DJANGO_SECURE_SSL_REDIRECT in pyproject.toml), so cookies
    # must not be limited to HTTPS.
    settings.SESSION_COOKIE_SECURE = False
    settings.CSRF_COOKIE_SECURE = False
    # Hashed static file names need collectstatic; tests use the plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    # Background tasks (emails) run at once, inside the request, unless a test asks for the
    # database queue (tests/site/test_email_queue.py).
    use_task_backend(settings, "django.tasks.backends.immediate.ImmediateBackend")
    # Each test starts with no cached pages (see essays/caching.py).
    cache.clear()
    return settings


def use_task_backend(settings, backend: str) -> None:
    """Switch the task backend: Django caches backends and does not follow TASKS changes."""
    settings.TASKS = {"default": {"BACKEND": backend}}
    task_backends.__dict__.pop("settings", None)
    task_backends._settings = None
    task_backends._connections = Local(task_backends.thread_critical)


@pytest.fixture
def superuser(db):
    return UserFactory(username="admin", is_staff=True, is_superuser=True)


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


@pytest.fixture
def published_essay(db):
    return EssayFactory(status="published", tags=["Soviet Union", "Interwar diplomacy"])


@pytest.fixture
def seed_document() -> Path:
    """The seed essay document: in ../shared/seeds beside the repository, or its copy here."""
    seeds = sorted(SEED_DIR.glob("*.txt"))
    return seeds[0] if seeds else DOCUMENTS_DIR / "stalin-foreign-policy.txt"


@pytest.fixture
def student(db):
    return UserFactory(username="amira")


@pytest.fixture
def student_client(client, student):
    client.force_login(student)
    return client


@pytest.fixture
def default_scheme(db):
    """The default 25-mark scheme, as the fixtures ship it."""
    call_command("loaddata", "fixtures/mark_schemes.json", verbosity=0)
    return MarkScheme.objects.default()


def user_in_group(group_name: str, username: str):
    """A staff member in one of the groups the migrations create."""
    user = UserFactory(username=username, is_staff=True)
    user.groups.add(Group.objects.get(name=group_name))
    return user


@pytest.fixture
def teacher(db):
    return user_in_group("Teachers", "teacher")


@pytest.fixture
def editor(db):
    return user_in_group("Editors", "editor")


def empties_the_database(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Tests that commit (the browser tests, backup and migration tests) run last: the database
    is emptied after each of them, and the rows data migrations made (the Editors and Teachers
    groups) would be missing for the other tests."""
    items.sort(key=empties_the_database)
