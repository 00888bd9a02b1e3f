"""StudyHub settings, read from the environment.

Every variable is listed in `.env.example` and described in the README. Values that cannot be
understood stop start-up with a message naming the variable, rather than being guessed at.
"""

import ipaddress
import os
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.csp import CSP
from dotenv import load_dotenv

BASE_DIR = Path(__file__).resolve().parent.parent

# A `.env` file beside manage.py (or the file STUDYHUB_ENV_FILE names) fills in variables the
# environment does not set: `make run` writes one for development, so the README's commands
# work as written in a new shell.
load_dotenv(os.environ.get("STUDYHUB_ENV_FILE") or BASE_DIR / ".env", override=False)

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default).strip()


def env_bool(name: str, default: bool = False) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in TRUE_WORDS:
        return True
    if value in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name} must be one of 1/0, true/false, yes/no, on/off; got {raw!r}."
    )


def env_int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    if raw is None or not raw.strip():
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number; got {raw!r}.") from None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env_str(name, default).split(",") if item.strip()]


def env_proxies(name: str) -> int | list[str]:
    """A number of proxies ("1"), or their addresses or networks, comma-separated, farthest
    first ("203.0.113.9,10.0.0.0/24"); nothing (0 or []) trusts none."""
    raw = env_str(name)
    if raw.isdigit():
        return int(raw)
    addresses = env_list(name)
    for address in addresses:
        try:
            ipaddress.ip_network(address, strict=False)
        except ValueError:
            raise ImproperlyConfigured(
                f"{name} must be a number of proxies, or their IP addresses or networks "
                f"separated by commas; got {raw!r}."
            ) from None
    return addresses


def cache_from_url(url: str) -> dict:
    """Turn CACHE_URL / REDIS_URL into a CACHES entry: redis://, rediss://, locmem://, dummy://."""
    scheme = urlsplit(url).scheme
    if scheme in {"redis", "rediss", "unix"}:
        return {
            "BACKEND": "studyhub.cache.RedisCache",
            "LOCATION": url,
            # Pages are built without the cache when Redis does not answer (essays/caching.py):
            # waiting for it must cost a request a fraction of a second, not the OS's minutes.
            "OPTIONS": {"socket_connect_timeout": 0.25, "socket_timeout": 0.5},
        }
    if scheme == "locmem":
        return {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "studyhub"}
    if scheme == "dummy":
        return {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}
    raise ImproperlyConfigured(
        f"CACHE_URL must start with redis://, rediss://, locmem:// or dummy://; got {url!r}."
    )


DEBUG = env_bool("DJANGO_DEBUG", default=False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set. Set it to a long random string in production "
            "(python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DJANGO_DEBUG=1 for local development."
        )
    SECRET_KEY = "django-insecure-studyhub-development-only"

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # full-text search fields; harmless on SQLite
    "django.forms",
    "axes",
    "django_tasks_db",
    "crispy_forms",
    "crispy_bootstrap5",
    "studyhub",
    "essays",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "studyhub.middleware.SessionActivityMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "studyhub.middleware.PrivatePagesMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

# Repeated failed logins for one account are refused for a while: after
# STUDYHUB_LOGIN_FAILURE_LIMIT from one address, after STUDYHUB_LOGIN_ACCOUNT_FAILURE_LIMIT from
# anywhere; never for an address alone, which a whole school can share (studyhub/lockout.py).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "studyhub.lockout.LoginLockoutHandler"
AXES_FAILURE_LIMIT = env_int("STUDYHUB_LOGIN_FAILURE_LIMIT", 5)
STUDYHUB_LOGIN_ACCOUNT_FAILURE_LIMIT = env_int("STUDYHUB_LOGIN_ACCOUNT_FAILURE_LIMIT", 20)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("STUDYHUB_LOGIN_LOCKOUT_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
# The client's address: X-Forwarded-For is believed only from these proxies (studyhub/addresses.py).
STUDYHUB_TRUSTED_PROXIES = env_proxies("STUDYHUB_TRUSTED_PROXIES")
AXES_CLIENT_IP_CALLABLE = "studyhub.addresses.client_ip_address"
AXES_RESET_ON_SUCCESS = True
# Refused logins are not counted: one address (a classmate at school) can never add more than
# STUDYHUB_LOGIN_FAILURE_LIMIT towards locking an account everywhere.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_LOCKOUT_CALLABLE = "studyhub.views.locked_out"
AXES_USERNAME_CALLABLE = "studyhub.views.login_username"
AXES_VERBOSE = False

ROOT_URLCONF = "studyhub.urls"
# Form widgets render with the project's templates too (the marking page's level choices).
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"
WSGI_APPLICATION = "studyhub.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "essays.context_processors.nav_counts",
            ],
        },
    },
]

# SQLite by default, tuned for many writers at once: WAL lets readers and a writer work
# together, IMMEDIATE transactions take the write lock up front (no upgrade deadlocks), and
# the timeout makes a writer wait for the lock instead of failing with "database is locked".
SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "timeout": 20,
    "init_command": ("PRAGMA journal_mode=WAL;PRAGMA synchronous=NORMAL;PRAGMA foreign_keys=ON;"),
}

DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Kept open between requests too: opening a SQLite file and setting its pragmas costs a
    # signed-in page about as much as its own queries.
    DATABASES["default"].setdefault("OPTIONS", {}).update(SQLITE_OPTIONS)
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # No JIT: PostgreSQL compiles any plan it costs above jit_above_cost, which a catalogue
    # search over 100,000 essays reaches, and spent 60-80 ms compiling to save nothing.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c jit=off"

CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL") or "locmem://"
CACHES = {
    "default": cache_from_url(CACHE_URL),
    # Each process's copies of entries kept in Redis under versioned keys, which never change
    # (essays/caching.py, ResilientCache.get_versioned): read without a round trip to Redis.
    "local": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "studyhub-local",
        "OPTIONS": {"MAX_ENTRIES": 2000},
    },
}
# With a shared cache (Redis), sessions are read from it and kept in the database as the record
# (studyhub/sessions.py); a cache of each process's own memory would let one process read a
# session another has ended, so then they are read from the database alone.
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    SESSION_ENGINE = "studyhub.sessions"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env_str("DJANGO_TIME_ZONE", "Europe/London")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Where collectstatic gathers the static files whitenoise serves.
STATIC_ROOT = Path(env_str("DJANGO_STATIC_ROOT") or BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "studyhub.storage.HashedStaticFilesStorage"},
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "essays:catalogue"
LOGOUT_REDIRECT_URL = "essays:catalogue"
# Password reset emails (studyhub/ratelimits.py).
PASSWORD_RESETS_PER_ADDRESS_PER_HOUR = 5
PASSWORD_RESETS_PER_EMAIL_PER_HOUR = 3
# A form sent with an expired security token gets its text shown back, not a bare error.
CSRF_FAILURE_VIEW = "studyhub.views.csrf_failure"

# Email: the console in development; SMTP when EMAIL_HOST is set.
email_host = env_str("EMAIL_HOST")
if email_host:
    MAILERS = {
        "default": {
            "BACKEND": "django.core.mail.backends.smtp.EmailBackend",
            "OPTIONS": {
                "host": email_host,
                "port": env_int("EMAIL_PORT", 587),
                "username": env_str("EMAIL_HOST_USER"),
                "password": env_str("EMAIL_HOST_PASSWORD"),
                "use_tls": env_bool("EMAIL_USE_TLS", default=True),
                # A mail server that accepts connections and never answers fails the attempt
                # after this long; the worker tries again later (studyhub/mail.py).
                "timeout": env_int("EMAIL_TIMEOUT", 10),
            },
        }
    }
else:
    MAILERS = {"default": {"BACKEND": "django.core.mail.backends.console.EmailBackend"}}
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "StudyHub <studyhub@localhost>")

# Background tasks (emails) are queued in the project's own database and run by
# `manage.py db_worker`: no other server needed; PostgreSQL installs can run several workers.
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
# /healthz answers 503 when a task has waited longer than this for a worker (none is running).
STUDYHUB_TASK_QUEUE_STUCK_SECONDS = env_int("STUDYHUB_TASK_QUEUE_STUCK_SECONDS", 600)
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Production: behind a TLS-terminating proxy that sets X-Forwarded-Proto.
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_SECURE_HSTS_SECONDS", 60 * 60 * 24 * 365)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# School computers are shared: a session ends when the browser closes, unless "Keep me signed
# in" is ticked, and after 8 hours without a request either way (studyhub/middleware.py).
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_AGE = 8 * 60 * 60
# The editor's script reads the CSRF cookie so that saving resumes after the student logs in
# again in another tab; Django's documentation notes an HttpOnly CSRF cookie adds no protection.
CSRF_COOKIE_HTTPONLY = False

# Pages load scripts, styles, fonts and images from StudyHub itself only; no inline scripts or
# styles. Bootstrap draws a few icons as data: SVG images.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "form-action": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "object-src": [CSP.NONE],
    "frame-ancestors": [CSP.NONE],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}
