"""Redis that cannot be reached: the portal serves uncached pages, logins work, views are not
counted (with a warning), and /healthz says the server is degraded, not dead."""

import json
import logging

import pytest
from django.db import InterfaceError, connection
from django.urls import reverse

from core import redis_cache, reliability
from notices import counters
from tests.reliability.test_database_down import database_down

CLOSED_PORT = "redis://127.0.0.1:1/0"
PASSWORD = "a-long-enough-password"


@pytest.fixture(autouse=True)
def fresh_backoffs():
    """Each test starts with every service reachable and the health check not yet run."""

    def reset():
        for state in redis_cache.backoffs.values():
            state.failed_at = None
        reliability._HealthCheck.checked_at = None

    reset()
    yield
    reset()


@pytest.fixture
def redis_down(settings):
    """The app as in production (page cache, lists and view counts in Redis), with Redis on a
    port where nothing listens."""
    settings.REDIS_URL = CLOSED_PORT
    settings.CACHES = {
        "default": {"BACKEND": "core.redis_cache.ReusingRedisCache", "LOCATION": CLOSED_PORT}
    }
    settings.PORTAL_PAGE_CACHE_SECONDS = 300
    settings.PORTAL_LISTS_CACHE_SECONDS = 300


def health(client) -> tuple[int, dict]:
    response = client.get("/healthz")
    assert response["Cache-Control"] == "no-store"
    return response.status_code, json.loads(response.content)


def test_every_anonymous_page_is_served_without_redis(client, redis_down, notice_in, caplog):
    notice = notice_in("published", title="没有缓存也能看到")
    with caplog.at_level(logging.WARNING):
        for url in ["/", "/notices/", notice.get_absolute_url(), "/organs/", "/feed/"]:
            response = client.get(url)
            assert response.status_code == 200, url
        assert "没有缓存也能看到" in client.get(notice.get_absolute_url()).content.decode()
    assert "cache cannot be reached" in caplog.text


def test_views_are_dropped_with_a_warning_while_the_counter_is_unreachable(
    client, redis_down, notice_in, caplog
):
    notice = notice_in("published")
    with caplog.at_level(logging.WARNING, logger="core.redis_cache"):
        for _ in range(3):
            assert client.get(notice.get_absolute_url()).status_code == 200
    assert counters.pending_views(notice.pk) == 0
    notice.refresh_from_db()
    assert notice.view_count == 0
    # One warning for the outage, not one per view.
    warnings = [r for r in caplog.records if counters.VIEW_COUNTS in r.getMessage()]
    assert len(warnings) == 1


def test_the_admin_login_works_without_redis(client, redis_down, settings, editor):
    settings.AXES_ENABLED = True
    editor.set_password(PASSWORD)
    editor.save()
    assert client.get("/admin/login/").status_code == 200
    response = client.post(
        "/admin/login/?next=/admin/", {"username": editor.username, "password": PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200


def test_a_failed_login_is_still_refused_without_redis(client, redis_down, settings, editor):
    settings.AXES_ENABLED = True
    response = client.post("/admin/login/", {"username": editor.username, "password": "wrong"})
    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_healthz_says_ok_when_everything_answers(client, db):
    assert health(client) == (200, {"status": "ok"})


def test_healthz_names_redis_as_degraded_yet_answers_200(client, redis_down, notice_in):
    notice = notice_in("published")
    client.get(notice.get_absolute_url())  # counts a view: the counters' Redis fails too
    status, body = health(client)
    assert status == 200
    assert body == {"status": "degraded", "degraded": ["cache", counters.VIEW_COUNTS]}


def test_healthz_answers_503_when_the_database_is_down(client, db):
    with database_down():
        status, body = health(client)
    assert (status, body) == (503, {"status": "unavailable", "unavailable": ["database"]})


def test_healthz_answers_503_in_json_when_its_connection_was_closed(client, db):
    """A connection that failed earlier in the request (its server session ended) fails the
    check with InterfaceError, which is not a DatabaseError."""

    def closed(execute, sql, params, many, context):
        raise InterfaceError("connection already closed")

    with connection.execute_wrapper(closed):
        status, body = health(client)
    assert (status, body) == (503, {"status": "unavailable", "unavailable": ["database"]})


def test_healthz_checks_its_dependencies_at_most_every_few_seconds(
    client, db, django_assert_num_queries
):
    health(client)
    with django_assert_num_queries(0):
        assert health(client)[0] == 200
