import pytest
from django.db import connection

from notices import roles
from tests import factories


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": tmp_path / "media"},
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
