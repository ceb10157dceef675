"""A kept PostgreSQL connection that has died is noticed: by Django's health check before a
request uses it (CONN_HEALTH_CHECKS, on in the settings), and after an error by Django closing
it at the end of that request."""

import time

import pytest
from django.db import OperationalError, connection, connections
from django.db.utils import InterfaceError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_connection():
    """A persistent connection of its own, as an app server's thread has, with the project's
    settings (CONN_MAX_AGE and CONN_HEALTH_CHECKS from config/settings/base.py)."""
    settings = {**connection.settings_dict, "CONN_MAX_AGE": 60}
    wrapper = type(connections["default"])(settings, alias="app")
    yield wrapper
    wrapper.close()


def serve(wrapper) -> int:
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


def test_the_settings_check_kept_connections():
    assert connection.settings_dict["CONN_HEALTH_CHECKS"] is True
    assert connection.settings_dict["CONN_MAX_AGE"] > 0


def test_a_kept_connection_is_reused_and_a_dead_one_replaced_without_an_error(app_connection):
    pid = serve(app_connection)
    assert serve(app_connection) == pid  # kept between requests
    terminate(pid)

    assert serve(app_connection) != pid  # the check found it dead and a new one served


def test_without_the_check_the_dead_connection_fails_one_request_then_is_replaced(
    app_connection,
):
    app_connection.settings_dict["CONN_HEALTH_CHECKS"] = False
    pid = serve(app_connection)
    terminate(pid)

    with pytest.raises((OperationalError, InterfaceError)):
        serve(app_connection)
    # Django closed it at the end of the failed request: the next one connects afresh.
    assert app_connection.connection is None
    assert serve(app_connection) != pid


def test_a_connection_kept_after_a_failed_query_is_still_usable(app_connection):
    pid = serve(app_connection)
    app_connection.close_if_unusable_or_obsolete()
    with pytest.raises(Exception, match="no_such_table"), app_connection.cursor() as cursor:
        cursor.execute("SELECT * FROM no_such_table")
    app_connection.close_if_unusable_or_obsolete()

    # Django checked the connection after the error, found it usable and kept it.
    assert app_connection.connection is not None
    assert serve(app_connection) == pid
