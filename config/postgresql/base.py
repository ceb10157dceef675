"""Django's PostgreSQL backend, without a health check on a connection that has just worked.

With CONN_HEALTH_CHECKS, Django sends ``SELECT 1`` before the first query of every request
that reuses a connection. That is one more round trip to the server on every page that is not
served from the cache; on an uncached notice page, whose one query is prepared in advance
(notices/prepared.py), it is a quarter of the database's work. Connection pools skip the check
for a connection used moments ago (HikariCP's ``aliveBypassWindowMs``, 500 ms by default); this
does the same: when the previous request on this connection ran its queries without error less
than DATABASE_HEALTH_CHECK_BYPASS_SECONDS ago, the check is taken as passed.

The cost is the one a pool accepts: if the server drops the connection inside that window, the
next request's query fails instead of being sent on a new connection. Django then closes the
connection at the end of that request (after an error it always checks), and the request after
it connects afresh. A connection left idle for longer is checked as before. 0 turns the bypass
off.
"""

import time

from django.conf import settings
from django.db.backends.postgresql import base


def bypass_seconds() -> float:
    return getattr(settings, "DATABASE_HEALTH_CHECK_BYPASS_SECONDS", 0.5)


class DatabaseWrapper(base.DatabaseWrapper):
    # When this connection last served a request without an error (time.monotonic()).
    worked_at: float | None = None

    def close_if_health_check_failed(self):
        if (
            self.worked_at is not None
            and self.connection is not None
            and not self.health_check_done
            and time.monotonic() - self.worked_at < bypass_seconds()
        ):
            self.health_check_done = True
            return
        super().close_if_health_check_failed()

    def close_if_unusable_or_obsolete(self):
        # Called as each request starts and ends. health_check_done is set once a request has
        # taken a cursor (and is reset here), so it says whether the span now ending used the
        # connection; errors_occurred says whether that went wrong. A span that did not use it
        # (the one between two requests) leaves the last time it worked as it is.
        used, failed = self.health_check_done, self.errors_occurred
        super().close_if_unusable_or_obsolete()
        if self.connection is None or failed:
            self.worked_at = None
        elif used:
            self.worked_at = time.monotonic()
