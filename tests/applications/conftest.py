import importlib

import pytest
from django.apps import apps

from applications.models import CalendarDay
from tests.applications.factories import make_handler

SEED = importlib.import_module("applications.migrations.0002_holidays_2025_2026")


@pytest.fixture(autouse=True)
def _holidays(request):
    """The seeded holidays, again after a transactional test's flush emptied the table."""
    uses_db = {"db", "transactional_db"} & set(request.fixturenames)
    if not uses_db and not request.node.get_closest_marker("django_db"):
        return
    request.getfixturevalue("transactional_db" if _transactional(request) else "db")
    if not CalendarDay.objects.exists():
        SEED.seed(apps, None)


def _transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction"))


@pytest.fixture
def handler(organ):
    return make_handler(organ)


@pytest.fixture
def other_handler(other_organ):
    return make_handler(other_organ)
