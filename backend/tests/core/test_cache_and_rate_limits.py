from __future__ import annotations

import uuid

import pytest
import redis

from app.core.cache import Cache, MemoryBackend, RedisBackend
from app.core.errors import RateLimited
from app.core.ratelimit import MemoryCounter, RedisCounter, enforce, get_counter

REDIS_URL = "redis://127.0.0.1:6379/0"


def _redis_or_skip() -> redis.Redis:  # type: ignore[type-arg]
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.ping()
    except redis.ConnectionError:
        pytest.skip("Redis is not reachable")
    return client


@pytest.mark.parametrize("backend_kind", ["memory", "redis"])
def test_cache_round_trip_and_namespace_invalidation(backend_kind: str) -> None:
    backend = MemoryBackend() if backend_kind == "memory" else RedisBackend(_redis_or_skip())
    cache = Cache(backend, prefix=f"test:{uuid.uuid4().hex}")
    cache.set_json("catalog", "page:1", {"items": [1, 2]})
    cache.set_json("users", "u1", {"name": "Aiko"})
    assert cache.get_json("catalog", "page:1") == {"items": [1, 2]}

    cache.invalidate("catalog")
    assert cache.get_json("catalog", "page:1") is None
    assert cache.get_json("users", "u1") == {"name": "Aiko"}, "other namespaces are untouched"
    cache.set_json("catalog", "page:1", {"items": [3]})
    assert cache.get_json("catalog", "page:1") == {"items": [3]}


def test_memory_cache_entries_expire() -> None:
    backend = MemoryBackend()
    backend.set("k", b"v", ttl_seconds=-1)
    assert backend.get("k") is None


@pytest.mark.parametrize("counter_kind", ["memory", "redis"])
def test_fixed_window_counter_counts_and_reports_reset(counter_kind: str) -> None:
    counter = MemoryCounter() if counter_kind == "memory" else RedisCounter(_redis_or_skip())
    key = f"test:{uuid.uuid4().hex}"
    counts = [counter.hit(key, 60)[0] for _ in range(3)]
    assert counts == [1, 2, 3]
    _, reset_in = counter.hit(key, 60)
    assert 0 < reset_in <= 60


def test_enforce_raises_429_with_retry_after_once_the_limit_is_passed() -> None:
    identity = uuid.uuid4().hex
    enforce("test", identity, limit=2)
    enforce("test", identity, limit=2)
    with pytest.raises(RateLimited) as excinfo:
        enforce("test", identity, limit=2)
    assert excinfo.value.status_code == 429
    assert int(excinfo.value.headers["Retry-After"]) >= 1  # type: ignore[index]


def test_the_configured_counter_matches_the_profile() -> None:
    import os

    expected = RedisCounter if os.environ.get("REDIS_URL") else MemoryCounter
    assert isinstance(get_counter(), expected)
