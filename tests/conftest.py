import pytest
from django.core.cache import cache
from django.db import connection

from audit.database_roles import grant_app_role
from audit.models import AuditEvent, ChainHead
from notices import roles
from tests import factories
from tests.postgresql.base import keep_initial_rows

# The two roles of docs/audit.md, as the test database has them.
OWNER_ROLE, APP_ROLE = "disclosure_owner_test", "disclosure_app_test"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """On PostgreSQL every test runs as the application's role of the two-role deployment: the
    audit history belongs to the migration role, and the application may only read it and append
    to it. (Here the application's role owns the other tables, so that tests may rebuild the
    search index in-process; in production the migration role owns them too.)"""
    if connection.vendor != "postgresql":
        yield
        return
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        for role in (OWNER_ROLE, APP_ROLE):
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {role} NOLOGIN; "
                "EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$"
            )
        history = {AuditEvent._meta.db_table, ChainHead._meta.db_table}
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
        for (table,) in cursor.fetchall():
            owner = OWNER_ROLE if table in history else APP_ROLE
            cursor.execute(f'ALTER TABLE "{table}" OWNER TO {owner}')
        grant_app_role(APP_ROLE)
        cursor.execute(f"GRANT CREATE ON SCHEMA public TO {APP_ROLE}")  # the index's builds
        # The rows migrating made, which the flushes between transactional tests put back.
        keep_initial_rows(connection)
        connection.settings_dict.setdefault("OPTIONS", {})["options"] = f"-c role={APP_ROLE}"
    connection.close()
    yield
    # pytest-django drops the test database afterwards, which only its creator may do.
    connection.settings_dict["OPTIONS"].pop("options")
    connection.close()


@pytest.fixture(autouse=True)
def _empty_cache():
    """Each test starts with an empty cache: a value an earlier test kept (the shared lists,
    the site identity) would be served to it, since a test's transaction never commits the
    change that drops it."""
    cache.clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
        },
        "audit_checkpoints": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "audit-checkpoints"},
        },
    }


@pytest.fixture
def organ(db):
    return factories.make_organ(name="甘肃省人民政府办公厅", code="000014349")


@pytest.fixture
def other_organ(db):
    return factories.make_organ(name="甘肃省民政厅", code="000014350")


@pytest.fixture
def editor(organ):
    return factories.make_editor(organ)


@pytest.fixture
def second_editor(organ):
    return factories.make_editor(organ)


@pytest.fixture
def other_editor(other_organ):
    return factories.make_editor(other_organ)


@pytest.fixture
def reviewer(organ):
    return factories.make_reviewer(organ)


@pytest.fixture
def other_reviewer(other_organ):
    return factories.make_reviewer(other_organ)


@pytest.fixture
def auditor(db):
    return factories.make_user(roles.AUDITOR)


@pytest.fixture
def site_admin(db):
    return factories.make_user(roles.SITE_ADMIN)


@pytest.fixture
def notice_in(organ, editor, reviewer):
    """make a notice of ``organ`` in a state: notice_in("published")."""

    def make(state: str = "published", **fields):
        return factories.make_notice(organ, editor, reviewer, state, **fields)

    return make


def pytest_collection_modifyitems(config, items):
    skip = pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)")
    for item in items:
        if "postgres" in item.keywords and connection.vendor != "postgresql":
            item.add_marker(skip)
        if is_slow(item):
            item.add_marker(pytest.mark.slow)
    # The browser tests first, the longest of all (up to minutes each on a busy machine): with
    # pytest-xdist's worksteal (pyproject.toml) a worker that runs out takes the other's last
    # tests, so that the run ends with short ones on both workers instead of a browser test
    # still running on one.
    items.sort(key=lambda item: "browser" not in item.keywords)


def is_slow(item) -> bool:
    """Left out by `dev.py test --quick`: browser tests, and tests that commit (each empties
    every table afterwards), besides the tests marked slow themselves (the search oracles, the
    backup and restore)."""
    committing = any(mark.kwargs.get("transaction") for mark in item.iter_markers("django_db"))
    return committing or "browser" in item.keywords
