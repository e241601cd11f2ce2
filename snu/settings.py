"""SNU settings: one file, driven by environment variables, safe to run with nothing set."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent
PROJECT_DIR = BASE_DIR.parent


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(int(default))).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str) -> list[str]:
    return [part.strip() for part in os.environ.get(name, default).split(",") if part.strip()]


DATA_DIR = Path(os.environ.get("SNU_DATA_DIR", PROJECT_DIR / "var")).resolve()
DATA_DIR.mkdir(parents=True, exist_ok=True)


def _secret_key() -> str:
    """Take the key from the environment; otherwise keep a generated one in the data folder.

    In production (SNU_HTTPS=1) the key must come from the environment, so it is never left on disk by accident.
    """
    if key := os.environ.get("SNU_SECRET_KEY"):
        return key
    if env_bool("SNU_HTTPS"):
        from django.core.exceptions import ImproperlyConfigured

        raise ImproperlyConfigured("SNU_SECRET_KEY must be set in the environment when SNU_HTTPS=1")
    path = DATA_DIR / "secret_key"
    if not path.exists():
        path.write_text(secrets.token_urlsafe(50))
        path.chmod(0o600)
    return path.read_text().strip()


SECRET_KEY = _secret_key()
DEBUG = env_bool("SNU_DEBUG")
ALLOWED_HOSTS = env_list("SNU_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("SNU_CSRF_TRUSTED_ORIGINS", "")

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_tasks",
    "django_tasks_db",
    "rest_framework",
    "drf_spectacular",
    "snu.core",
    "snu.strategy",
    "snu.grants",
    "snu.imports",
    "snu.classify",
    "snu.analytics",
    "snu.plans",
    "snu.partners",
    "snu.signals",
    "snu.reports",
    "snu.api",
    "snu.public",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "snu.core.middleware.AuthorityMiddleware",
    "snu.core.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "snu.urls"
WSGI_APPLICATION = "snu.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "snu.core.context_processors.snu",
            ],
            "builtins": ["django.templatetags.i18n", "snu.core.templatetags.snu"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{DATA_DIR / 'snu.sqlite3'}"),
        conn_max_age=int(os.environ.get("SNU_DB_CONN_MAX_AGE", "60")),
    )
}
# Kept results (totals, panels, counts: snu.core.dataversion) are shared by every web process on the machine
# through files; their keys carry the data version, so an entry is never used once the data has changed.
# SNU_CACHE=locmem keeps them per process instead.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
        if os.environ.get("SNU_CACHE") == "locmem"
        else {
            # Django's file cache, culling at most once a minute instead of listing the folder on every write.
            "BACKEND": "snu.core.cache.FileCache",
            "LOCATION": str(DATA_DIR / "cache"),
            "OPTIONS": {"MAX_ENTRIES": 20_000, "CULL_FREQUENCY": 4},
        }
    )
}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers go on while an import writes; a busy timeout instead of "database is locked".
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 30,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
DATABASES["default"]["TEST"] = (
    {"NAME": os.environ.get("SNU_TEST_DB_NAME")} if os.environ.get("SNU_TEST_DB_NAME") else {}
)

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]
try:  # argon2 is optional; PBKDF2 (Django's default) is used without it
    import argon2  # noqa: F401
except ImportError:
    PASSWORD_HASHERS = PASSWORD_HASHERS[1:]

# Login rate limit (snu.core.ratelimit): this many failures per username and address within the window.
SNU_LOGIN_MAX_FAILURES = int(os.environ.get("SNU_LOGIN_MAX_FAILURES", "5"))
SNU_LOGIN_WINDOW_SECONDS = int(os.environ.get("SNU_LOGIN_WINDOW_SECONDS", "900"))
# Only behind a reverse proxy that sets X-Forwarded-For itself; otherwise clients could pick their own address.
SNU_TRUST_X_FORWARDED_FOR = env_bool("SNU_TRUST_X_FORWARDED_FOR")

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "home"

LANGUAGE_CODE = "nb"
LANGUAGES = [("nb", "Norsk bokmål"), ("nn", "Norsk nynorsk"), ("en", "English")]
LOCALE_PATHS: list = []  # each app keeps its own locale/ folder
TIME_ZONE = "Europe/Oslo"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG
MEDIA_ROOT = DATA_DIR / "media"

DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
SNU_MAX_UPLOAD_BYTES = int(os.environ.get("SNU_MAX_UPLOAD_BYTES", str(200 * 1024 * 1024)))

SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 12 * 60 * 60
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
if env_bool("SNU_HTTPS"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SNU_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SNU_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # __Host- cookies are only accepted over HTTPS, for this exact host and path: no subdomain can set them.
    SESSION_COOKIE_NAME = "__Host-snu-session"
    CSRF_COOKIE_NAME = "__Host-snu-csrftoken"

TASKS = {
    "default": {
        "BACKEND": os.environ.get("SNU_TASK_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "snu.api.pagination.Pagination",
    "PAGE_SIZE": 50,
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "snu.api.auth.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["snu.api.permissions.AuthorityRole"],
    "EXCEPTION_HANDLER": "snu.api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {"TITLE": "SNU API", "VERSION": "1.0.0", "COMPONENT_SPLIT_REQUEST": True}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("SNU_LOG_LEVEL", "WARNING")},
}

# While the data keeps changing (a review session), a new analytics snapshot at most this often (seconds); the
# dashboard says how old its figures are meanwhile. `snu analytics snapshot` makes one at once.
SNU_SNAPSHOT_REFRESH_SECONDS = int(os.environ.get("SNU_SNAPSHOT_REFRESH_SECONDS", "120"))

# A large import (a file from 4 MB) checks the file in a forked child process while the parent writes (ADR 0003).
# Off: everything in one process, slower; the outcome is the same.
SNU_IMPORT_FORK = env_bool("SNU_IMPORT_FORK", True)

# The name of the demo authority and other product facts.
SNU_DEFAULT_AUTHORITY = os.environ.get("SNU_DEFAULT_AUTHORITY", "troms")
SNU_BRREG_ENABLED = env_bool("SNU_BRREG_ENABLED")
