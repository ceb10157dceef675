"""The Redis cache backend: django-redis, with one client reused by every operation."""

import pytest
from redis.connection import DefaultParser
from redis.utils import HIREDIS_AVAILABLE

from core.redis_cache import ReusingRedisCache
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
    client = redis_cache.client.get_client(write=False)
    assert redis_cache.client.get_client(write=True) is client


def test_counters_are_stored_as_integers(redis_cache):
    redis_cache.set("generation", 3, 30)
    assert redis_cache.incr("generation") == 4
    raw = redis_cache.client.get_client().get(redis_cache.make_key("generation"))
    assert raw == b"4"


def test_a_slow_redis_counts_as_unreachable_within_a_second(redis_cache):
    pool = redis_cache.client.get_client().connection_pool
    assert pool.connection_kwargs["socket_connect_timeout"] == 0.5
    assert pool.connection_kwargs["socket_timeout"] == 1.0


def test_replies_are_parsed_by_hiredis(redis_cache):
    # redis-py's default parser is hiredis's whenever hiredis is installed.
    assert HIREDIS_AVAILABLE
    pool = redis_cache.client.get_client().connection_pool
    assert pool.connection_kwargs["parser_class"] is DefaultParser
