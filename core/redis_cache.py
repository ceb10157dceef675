"""The cache in Redis through django-redis, served without Redis while it cannot be reached.

django-redis keeps one Redis client per server for the process (docs/performance.md gives the
cost of an operation).

Redis is a cache here, never the only copy of anything: when it cannot be reached, reads miss
and writes are dropped, with a warning in the log, and the portal serves uncached pages. After a
failure, Redis is left alone for ``Backoff.seconds`` (no request waits for a connection that is
known to fail), then tried again by the next operation. django-redis's own IGNORE_EXCEPTIONS is
left off: it would also swallow a command Redis refused, and it knows no backoff.
"""

import logging
import time
from functools import wraps

import redis
from django_redis.cache import RedisCache

logger = logging.getLogger(__name__)

# What says Redis cannot be reached (a refused or timed-out connection, a server still loading
# its data), as opposed to a command that Redis refused.
UNREACHABLE = (redis.ConnectionError, redis.TimeoutError)
# A Redis that does not answer within this long counts as unreachable.
CONNECT_TIMEOUT_SECONDS = 0.5
COMMAND_TIMEOUT_SECONDS = 1.0


class Backoff:
    """Whether a service that failed is being left alone for a while, and whether it is degraded
    (its last use failed). Logs a warning when it fails and when it is reachable again."""

    seconds = 5.0

    def __init__(self, name: str):
        self.name = name
        self.failed_at: float | None = None

    @property
    def degraded(self) -> bool:
        return self.failed_at is not None

    @property
    def waiting(self) -> bool:
        """True while the service failed less than ``seconds`` ago: not worth trying yet."""
        return self.failed_at is not None and time.monotonic() - self.failed_at < self.seconds

    def failed(self, error: Exception) -> None:
        if self.failed_at is None:
            logger.warning(
                "%s cannot be reached (%s); serving without it, trying again every %s s.",
                self.name,
                error,
                self.seconds,
            )
        self.failed_at = time.monotonic()

    def succeeded(self) -> None:
        if self.failed_at is not None:
            self.failed_at = None
            logger.warning("%s can be reached again.", self.name)


# Every Backoff of this process by name, for the health check (core/reliability.py).
backoffs: dict[str, Backoff] = {}


def backoff(name: str) -> Backoff:
    if name not in backoffs:
        backoffs[name] = Backoff(name)
    return backoffs[name]


def degraded() -> list[str]:
    """The names of the services that failed at their last use, in this process."""
    return sorted(name for name, state in backoffs.items() if state.degraded)


def _without_redis(default):
    """Run the cache operation, or answer ``default()`` when Redis cannot be reached."""

    def decorate(operation):
        @wraps(operation)
        def guarded(self, *args, **kwargs):
            state = self.backoff
            if state.waiting:
                return default(*args, **kwargs)
            try:
                result = operation(self, *args, **kwargs)
            except UNREACHABLE as error:
                state.failed(error)
                return default(*args, **kwargs)
            if state.failed_at is not None:
                state.succeeded()
            return result

        return guarded

    return decorate


def _none(*args, **kwargs):
    return None


def _false(*args, **kwargs):
    return False


def _empty_dict(*args, **kwargs):
    return {}


def _empty_list(*args, **kwargs):
    return []


def _default(key, default=None, *args, **kwargs):
    return default


class ReusingRedisCache(RedisCache):
    """django-redis's cache (one client per server, reused by every operation) with timeouts
    short enough that an unreachable Redis costs a request little, and the backoff above."""

    def __init__(self, server, params):
        options = {
            "SOCKET_CONNECT_TIMEOUT": CONNECT_TIMEOUT_SECONDS,
            "SOCKET_TIMEOUT": COMMAND_TIMEOUT_SECONDS,
            **params.get("OPTIONS", {}),
        }
        super().__init__(server, {**params, "OPTIONS": options})
        self.backoff = backoff("cache")

    @property
    def reachable(self) -> bool:
        """False when the last operation could not reach Redis (or was not tried for that)."""
        return not self.backoff.degraded

    add = _without_redis(_false)(RedisCache.add)
    get = _without_redis(_default)(RedisCache.get)
    set = _without_redis(_none)(RedisCache.set)
    touch = _without_redis(_false)(RedisCache.touch)
    delete = _without_redis(_false)(RedisCache.delete)
    get_many = _without_redis(_empty_dict)(RedisCache.get_many)
    has_key = _without_redis(_false)(RedisCache.has_key)
    # Not reached: no new value (None), which callers that count on Redis check with reachable.
    incr = _without_redis(_none)(RedisCache.incr)
    set_many = _without_redis(_empty_list)(RedisCache.set_many)
    delete_many = _without_redis(_none)(RedisCache.delete_many)
    clear = _without_redis(_false)(RedisCache.clear)
