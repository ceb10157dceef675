"""A kept PostgreSQL connection that has died is noticed: checked as a request starts when it
has been idle (core/connection_checks.py), and after an error closed by Django at the end of
that request. A connection used moments ago is not checked: no SELECT 1 before every request."""

import time
from concurrent.futures import ThreadPoolExecutor

import pytest
from django.core.signals import request_finished, request_started
from django.db import OperationalError, connection, connections
from django.db.utils import InterfaceError

pytestmark = [pytest.mark.postgres, pytest.mark.django_db]


@pytest.fixture
def app_thread():
    """One thread of an app server, with its own kept connection (connections are per thread),
    serving requests one after another as Django's handler does."""
    worker = ThreadPoolExecutor(max_workers=1)
    kept = connections.settings["default"]
    saved = kept["CONN_MAX_AGE"]
    kept["CONN_MAX_AGE"] = 60
    yield lambda job, *args: worker.submit(job, *args).result()
    worker.submit(connections.close_all).result()
    worker.shutdown()
    kept["CONN_MAX_AGE"] = saved


def request() -> int:
    """One request: the server process that answered its query."""
    request_started.send(sender=None)
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT pg_backend_pid()")
            return cursor.fetchone()[0]
    finally:
        request_finished.send(sender=None)


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


def test_the_settings_keep_connections_and_check_them_only_when_idle(settings):
    assert connection.settings_dict["CONN_MAX_AGE"] > 0 or connection.vendor != "postgresql"
    assert connections.settings["default"]["CONN_HEALTH_CHECKS"] is False
    assert settings.DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS == 0.5


def test_a_kept_connection_is_reused_between_requests(app_thread):
    assert app_thread(request) == app_thread(request)


def test_a_dead_connection_idle_for_longer_than_the_window_is_replaced_without_an_error(
    app_thread, settings
):
    settings.DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS = 0.05
    pid = app_thread(request)
    terminate(pid)
    time.sleep(0.1)

    assert app_thread(request) != pid  # checked, found dead, and a new one served


def test_with_a_window_of_zero_every_request_checks(app_thread, settings):
    settings.DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS = 0
    pid = app_thread(request)
    terminate(pid)

    assert app_thread(request) != pid


def test_within_the_window_no_check_is_made_and_a_dead_connection_fails_one_request(
    app_thread, settings
):
    settings.DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS = 60
    pid = app_thread(request)
    terminate(pid)

    with pytest.raises((OperationalError, InterfaceError)):
        app_thread(request)
    # Django closed it at the end of the failed request: the next one connects afresh.
    assert app_thread(request) != pid


def test_a_negative_window_never_checks(app_thread, settings):
    settings.DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS = -1
    pid = app_thread(request)
    terminate(pid)
    time.sleep(0.05)

    with pytest.raises((OperationalError, InterfaceError)):
        app_thread(request)
    assert app_thread(request) != pid


def test_a_connection_kept_after_a_failed_query_is_still_usable(app_thread):
    def failing_request():
        request_started.send(sender=None)
        try:
            with connections["default"].cursor() as cursor:
                cursor.execute("SELECT * FROM no_such_table")
        finally:
            request_finished.send(sender=None)

    pid = app_thread(request)
    with pytest.raises(Exception, match="no_such_table"):
        app_thread(failing_request)

    # Django checked the connection after the error, found it usable and kept it.
    assert app_thread(request) == pid
