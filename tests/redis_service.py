"""The Redis that tests of Redis-backed code use (TEST_REDIS_URL); they are skipped without it.

Tests flush it, so each pytest-xdist worker has a database of its own: gw0 uses 15, gw1 14…
"""

import os

import pytest
import redis

WORKER = int(os.environ.get("PYTEST_XDIST_WORKER", "gw0").removeprefix("gw") or 0)
REDIS_URL = os.environ.get("TEST_REDIS_URL", f"redis://127.0.0.1:6379/{15 - WORKER % 16}")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason="needs Redis (TEST_REDIS_URL)")
