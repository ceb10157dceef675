"""The Redis that tests of Redis-backed code use (TEST_REDIS_URL); they are skipped without it."""

import os

import pytest
import redis

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def redis_available() -> bool:
    try:
        return redis.Redis.from_url(REDIS_URL, socket_connect_timeout=0.5).ping()
    except redis.RedisError:
        return False


needs_redis = pytest.mark.skipif(not redis_available(), reason="needs Redis (TEST_REDIS_URL)")
