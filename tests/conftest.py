"""Test settings and shared fixtures. Every test-only override of the settings lives here."""

from pathlib import Path

import pytest

from tests.factories import EssayFactory, UserFactory

SEED_DIR = Path(__file__).resolve().parent.parent.parent / "shared" / "seeds"
DOCUMENTS_DIR = Path(__file__).resolve().parent.parent / "fixtures" / "documents"


@pytest.fixture(autouse=True)
def test_settings(settings):
    # Tests talk plain HTTP to the test client; production redirects to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    # Hashed static file names need collectstatic; tests use the plain storage.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    return settings


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
