"""Fast settings for the test suite: the database still comes from DATABASE_URL."""

import os

os.environ.setdefault("SECRET_KEY", "test-only-secret-key")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")

from config.settings.base import *  # noqa: F403
from config.settings.base import DATABASES, INSTALLED_APPS, VAR_DIR

# PostgreSQL through the tests' own backend: Django's, flushing between transactional tests
# around the audit history's guards (tests/postgresql/base.py).
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    DATABASES["default"]["ENGINE"] = "tests.postgresql"
# Its `flush` command, which the transactional tests call after each test (first, so that no
# app's receivers or order change).
INSTALLED_APPS = ["tests.postgresql", *INSTALLED_APPS]

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
STORAGES = {
    "default": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-media"},
    },
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    "audit_checkpoints": {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": VAR_DIR / "test-audit-checkpoints"},
    },
}
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False
SECURE_SSL_REDIRECT = False
# The test client's login() authenticates without a request, which django-axes refuses; the
# lockout tests (tests/security) turn it on.
AXES_ENABLED = False
# Static files come from the app folders in tests; there is no collectstatic output to scan.
WHITENOISE_AUTOREFRESH = True
# Tests see every change at once; the page cache has tests of its own that turn it on.
PORTAL_PAGE_CACHE_SECONDS = 0
PORTAL_LISTS_CACHE_SECONDS = 0
# A test counting a cached page's queries must not depend on how slowly the machine rendered
# it first: the database's generation is read again only when a test shortens this itself.
PORTAL_GENERATION_CHECK_SECONDS = 600
# Views go to the database unless a test points the counter at Redis.
REDIS_URL = ""
# Tasks run at once, in the request that enqueues them; tests/importer/test_tasks.py also runs
# the database backend's worker.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
