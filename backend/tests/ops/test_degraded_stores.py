"""What the app does when a store fails under it: the cache fails open (a miss, then the
database), rate limits fail closed (503, never an unlimited login), a full local disk is a 507
that leaves every stored object and part as it was. The drills in tests/faults do the same
against the running topology."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import redis

from app.core import ratelimit
from app.core.cache import Cache, RedisBackend
from app.core.config import Settings
from app.core.errors import InsufficientStorage, ServiceUnavailable
from app.core.redis import get_redis
from app.core.storage import LocalObjectStore
from tests.support.tmpfs import tmpfs

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


def test_the_cache_fails_open_when_redis_is_unreachable() -> None:
    cache = Cache(RedisBackend(redis.Redis.from_url(DEAD_REDIS, socket_connect_timeout=1)))
    assert cache.get_json("catalog", "page-1") is None
    cache.set_json("catalog", "page-1", {"items": []})
    cache.invalidate("catalog")


@pytest.fixture
def dead_redis(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr(settings, "redis_url", DEAD_REDIS)
    monkeypatch.setattr(settings, "rate_limit_enabled", True)
    get_redis.cache_clear()
    ratelimit.get_counter.cache_clear()
    yield
    get_redis.cache_clear()
    ratelimit.get_counter.cache_clear()


@pytest.mark.usefixtures("dead_redis")
def test_rate_limits_fail_closed_when_redis_is_unreachable() -> None:
    with pytest.raises(ServiceUnavailable) as refused:
        ratelimit.enforce("login", "203.0.113.9", 10)
    assert refused.value.code == "rate_limit_unavailable"
    assert refused.value.headers == {"Retry-After": "30"}


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs: a real filesystem that fills up."""
    with tmpfs(tmp_path / "store", "3m") as mount:
        yield mount


def test_a_full_disk_is_a_507_and_nothing_stored_before_is_lost(tiny_disk: Path) -> None:
    store = LocalObjectStore(tiny_disk, base_url="http://x", secret=b"k" * 32)
    store.put_bytes("videos/a/poster.jpg", b"\xff\xd8" + b"p" * 1000)
    upload = store.create_multipart("videos/b/source/original", "video/mp4")
    first = store.write_part("videos/b/source/original", upload, 1, iter([b"1" * 1024 * 1024]))
    with pytest.raises(InsufficientStorage) as full:
        store.write_part("videos/b/source/original", upload, 2, iter([b"2" * 1024 * 1024] * 4))
    assert full.value.status_code == 507 and full.value.code == "storage_full"
    with pytest.raises(InsufficientStorage):
        store.put_bytes("videos/c/poster.jpg", b"x" * 4 * 1024 * 1024)
    assert store.get_bytes("videos/a/poster.jpg").endswith(b"p" * 1000)
    parts = store.list_parts("videos/b/source/original", upload)
    assert [(p.part_number, p.etag) for p in parts] == [(1, first)]
    leftovers = [p.name for p in tiny_disk.rglob("*") if p.name.endswith(("tmp", "etag-tmp"))]
    assert leftovers == [], "a failed write left temporary files behind"
    assert store.head("videos/c/poster.jpg") is None
