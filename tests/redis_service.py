"""The Redis that tests of Redis-backed code use (TEST_REDIS_URL); they are skipped without it.

Tests flush it, so each pytest-xdist worker has a database of its own: gw0 the one named
(15 by default), gw1 the one below it, and so on.
"""

import os
from urllib.parse import urlsplit

import pytest
import redis

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
_named = urlsplit(os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15"))
_database = (int(_named.path.strip("/") or 0) - WORKER) % 16
REDIS_URL = _named._replace(path=f"/{_database}").geturl()


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason="needs Redis (TEST_REDIS_URL)")
