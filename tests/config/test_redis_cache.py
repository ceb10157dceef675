"""The Redis cache backend: Django's, with one client per connection pool."""

import pytest

from config.redis_cache import ReusingRedisCache
from tests.redis_service import REDIS_URL, needs_redis

pytestmark = needs_redis


@pytest.fixture
def redis_cache():
    backend = ReusingRedisCache(REDIS_URL, {"KEY_PREFIX": "test-redis-cache"})
    yield backend
    backend.delete_many(["page", "generation"])


def test_values_round_trip_through_one_client(redis_cache):
    redis_cache.set("page", (3, [("Content-Type", "text/html")], "页面".encode()), 30)
    redis_cache.set("generation", 3, 30)
    found = redis_cache.get_many(["generation", "page", "missing"])
    assert found == {"generation": 3, "page": (3, [("Content-Type", "text/html")], "页面".encode())}
    client = redis_cache._cache.get_client()
    assert redis_cache._cache.get_client(write=True) is client


def test_replies_are_parsed_by_hiredis(redis_cache):
    from redis._parsers import _HiredisParser

    connection = redis_cache._cache.get_client().connection_pool.get_connection()
    try:
        assert isinstance(connection._parser, _HiredisParser)
    finally:
        redis_cache._cache.get_client().connection_pool.release(connection)
