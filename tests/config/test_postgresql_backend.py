"""The PostgreSQL backend skips Django's health check for a connection that has just worked,
and still notices a connection that has died."""

import time

import pytest
from django.db import OperationalError, connection
from django.db.utils import InterfaceError

from config.postgresql.base import DatabaseWrapper

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_connection():
    """A persistent, health-checked connection of its own, as an app server's thread has."""
    settings = {**connection.settings_dict, "CONN_MAX_AGE": 60, "CONN_HEALTH_CHECKS": True}
    wrapper = DatabaseWrapper(settings, alias="app")
    yield wrapper
    wrapper.close()


def serve(wrapper: DatabaseWrapper) -> int:
    """One request as Django's handler runs it: the server process that answered its query."""
    wrapper.close_if_unusable_or_obsolete()  # request_started
    try:
        with wrapper.cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        wrapper.close_if_unusable_or_obsolete()  # request_finished


def terminate(pid: int) -> None:
    """End a server process, as a restart or a failover does, and wait until it is gone."""
    with connection.cursor() as cursor:
        # The server process belongs to the session's user, not the application's role.
        cursor.execute("SET ROLE NONE")
        cursor.execute("SELECT pg_terminate_backend(%s)", [pid])
        cursor.execute("RESET ROLE")
        for _ in range(200):
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
            if cursor.fetchone() is None:
                return
            time.sleep(0.02)
    raise AssertionError(f"backend {pid} did not end")


def test_a_connection_that_just_worked_is_used_without_a_check(app_connection, settings):
    settings.DATABASE_HEALTH_CHECK_BYPASS_SECONDS = 60
    pid = serve(app_connection)
    assert serve(app_connection) == pid  # kept between requests
    terminate(pid)

    # No SELECT 1 went first, so the query itself meets the dead connection ...
    with pytest.raises((OperationalError, InterfaceError)):
        serve(app_connection)
    # ... which the end of that request closed: the next one connects afresh.
    assert app_connection.connection is None
    assert serve(app_connection) != pid


def test_a_connection_idle_longer_than_the_window_is_checked(app_connection, settings):
    settings.DATABASE_HEALTH_CHECK_BYPASS_SECONDS = 0.05
    pid = serve(app_connection)
    terminate(pid)
    time.sleep(0.1)

    assert serve(app_connection) != pid  # the check found it dead and a new one served


def test_with_no_window_every_request_checks(app_connection, settings):
    settings.DATABASE_HEALTH_CHECK_BYPASS_SECONDS = 0
    pid = serve(app_connection)
    terminate(pid)

    assert serve(app_connection) != pid


def test_a_request_whose_query_failed_does_not_count_as_the_connection_working(
    app_connection, settings
):
    settings.DATABASE_HEALTH_CHECK_BYPASS_SECONDS = 60
    pid = serve(app_connection)
    app_connection.close_if_unusable_or_obsolete()
    with pytest.raises(Exception, match="no_such_table"), app_connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    app_connection.close_if_unusable_or_obsolete()

    # Django checked the connection after the error, found it usable and kept it ...
    assert app_connection.connection is not None
    assert app_connection.worked_at is None  # ... but the failed request did not vouch for it
    assert serve(app_connection) == pid


def test_a_request_that_used_no_database_leaves_the_last_success_as_it_was(
    app_connection, settings
):
    settings.DATABASE_HEALTH_CHECK_BYPASS_SECONDS = 60
    pid = serve(app_connection)
    for _ in range(3):  # pages served from the cache
        app_connection.close_if_unusable_or_obsolete()
        app_connection.close_if_unusable_or_obsolete()
    assert app_connection.worked_at is not None
    assert serve(app_connection) == pid
