"""The search backend interface: which backend answers, and what add and delete do."""

import pytest
from django.db import connection

from search import backends
from search.backends.base import BaseSearchBackend
from search.models import SearchEntry


def test_the_default_backend_suits_the_database(settings):
    settings.SEARCH_BACKEND = ""
    expected = "PostgresSearchBackend" if connection.vendor == "postgresql" else "ScanSearchBackend"
    assert type(backends.get_backend()).__name__ == expected


def test_the_setting_names_the_backend(settings):
    settings.SEARCH_BACKEND = backends.SCAN
    assert type(backends.get_backend()).__name__ == "ScanSearchBackend"


def test_a_backend_must_implement_the_interface():
    with pytest.raises(NotImplementedError):
        BaseSearchBackend().search(None, backends.Filters(), "date", 0, 20)


@pytest.mark.parametrize("path", backends.available_backends())
def test_add_follows_the_notice_and_delete_removes_it(path, settings, notice_in):
    settings.SEARCH_BACKEND = path
    backend = backends.get_backend()
    notice = notice_in("published", title="接口独角兽")
    SearchEntry.objects.all().delete()
    backend.add(notice.pk)
    assert SearchEntry.objects.filter(pk=notice.pk).exists()
    backend.delete(notice.pk)
    assert not SearchEntry.objects.exists()
