"""A kept PostgreSQL connection is checked only after it has been idle, not on every request.

Django's ``CONN_HEALTH_CHECKS`` sends ``SELECT 1`` before the first query of every request
that reuses a connection: on a portal page whose one query is prepared in advance
(notices/prepared.py) that is a second round trip and half the database's work, and the
benchmark suite measured home and the notice page a quarter to a third slower with it.
Connection pools skip the check for a connection used moments ago (HikariCP's
``aliveBypassWindowMs``, 500 ms by default); this does the same with Django's public signals:
as a request starts, a kept connection that last finished a request more than
``DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS`` ago is checked (``is_usable``) and closed if the
server has gone, so that the request connects afresh instead of failing.

The cost is the one a pool accepts: a connection that the server drops within that window
fails the next request's query (the 503 page, core/reliability.py); Django closes a connection
after an error at the end of its request, and the request after it connects afresh.
"""

import threading
import time

from django.conf import settings
from django.db import connections

# When each of this thread's connections last finished a request, by alias (connections are
# per thread, as Django keeps them).
_finished_at = threading.local()


def idle_limit() -> float | None:
    seconds = settings.DATABASE_HEALTH_CHECK_AFTER_IDLE_SECONDS
    return None if seconds is None or seconds < 0 else seconds


def check_idle_connections(**kwargs) -> None:
    """request_started: close each kept connection that was idle too long and is dead."""
    limit = idle_limit()
    if limit is None:
        return
    now = time.monotonic()
    finished = getattr(_finished_at, "by_alias", {})
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is None or wrapper.vendor != "postgresql":
            continue
        last = finished.get(wrapper.alias)
        idle = last is None or now - last >= limit
        if idle and not wrapper.is_usable():
            wrapper.close()


def note_finished_requests(**kwargs) -> None:
    """request_finished: remember when each connection still open last served a request."""
    now = time.monotonic()
    finished = getattr(_finished_at, "by_alias", None)
    if finished is None:
        finished = _finished_at.by_alias = {}
    for wrapper in connections.all(initialized_only=True):
        if wrapper.connection is not None:
            finished[wrapper.alias] = now
        else:
            finished.pop(wrapper.alias, None)
