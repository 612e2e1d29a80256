"""The response-bytes cache (generations, races, stampedes, ETags, Redis down) and the rate
limits (limits library; fail closed for login when Redis is down), on both backends."""

from __future__ import annotations

import asyncio
import os
import socket
import uuid
from collections.abc import Iterator

import pytest
import redis

from app.core import ratelimit
from app.core.cache import Cache, CacheBackend, MemoryBackend, RedisBackend, etag_matches, etag_of
from app.core.config import get_settings
from app.core.errors import RateLimited, ServiceUnavailable
from app.core.redis import redis_usable, reset_redis

USES_REDIS = bool(os.environ.get("REDIS_URL"))
needs_redis = pytest.mark.skipif(not USES_REDIS, reason="the services profile (REDIS_URL) only")


def _backend(kind: str) -> CacheBackend:
    if kind == "redis":
        if not USES_REDIS:
            pytest.skip("the services profile (REDIS_URL) only")
        return RedisBackend()
    return MemoryBackend()


def _cache(kind: str) -> Cache:
    return Cache(_backend(kind), prefix=f"test:{uuid.uuid4().hex}")


def _body(text: str) -> bytes:
    return f'{{"v":"{text}"}}'.encode()


@pytest.fixture
def unreachable_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """REDIS_URL pointing at a closed port: every call fails fast, as when Redis is down."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    monkeypatch.setattr(get_settings(), "redis_url", f"redis://127.0.0.1:{port}/0")
    reset_redis()
    ratelimit.reset()
    yield
    monkeypatch.undo()
    reset_redis()
    ratelimit.reset()


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_hit_returns_the_stored_bytes_and_etag_without_computing(kind: str) -> None:
    cache = _cache(kind)
    calls: list[str] = []

    async def compute() -> bytes:
        calls.append("x")
        return _body("page 1")

    first = await cache.fetch("catalog", "p1", compute, ttl_seconds=60)
    second = await cache.fetch("catalog", "p1", compute, ttl_seconds=60)
    assert calls == ["x"]
    assert second.body == first.body == _body("page 1")
    assert second.etag == first.etag == etag_of(_body("page 1"))


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_invalidation_reaches_only_its_namespace(kind: str) -> None:
    cache = _cache(kind)
    version = {"catalog": "old", "users": "old"}

    def compute_for(ns: str):  # type: ignore[no-untyped-def]
        async def compute() -> bytes:
            return _body(version[ns])

        return compute

    for ns in version:
        await cache.fetch(ns, "k", compute_for(ns), ttl_seconds=60)
    version.update(catalog="new", users="new")
    await cache.invalidate("catalog")
    assert (await cache.fetch("catalog", "k", compute_for("catalog"), ttl_seconds=60)).body == _body("new")
    assert (await cache.fetch("users", "k", compute_for("users"), ttl_seconds=60)).body == _body("old")
    cache.invalidate_sync("users")  # what a worker calls
    assert (await cache.fetch("users", "k", compute_for("users"), ttl_seconds=60)).body == _body("new")


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_computation_that_raced_an_invalidation_is_never_served(kind: str) -> None:
    """Reader reads the rows (old), the writer commits and invalidates, the reader stores its
    result: the next reader must not get the old rows (it used to, until the TTL ran out)."""
    cache = _cache(kind)
    rows = {"title": "old"}
    read_done, invalidated = asyncio.Event(), asyncio.Event()

    async def slow_reader() -> bytes:
        body = _body(rows["title"])  # the rows as they were when read
        read_done.set()
        await invalidated.wait()  # the write commits and invalidates meanwhile
        return body

    async def writer() -> None:
        await read_done.wait()
        rows["title"] = "new"
        await cache.invalidate("catalog")
        invalidated.set()

    raced, _ = await asyncio.gather(cache.fetch("catalog", "k", slow_reader, ttl_seconds=60), writer())
    assert raced.body == _body("old")  # that request saw the old rows; fine

    async def fresh_read() -> bytes:
        return _body(rows["title"])

    after = await cache.fetch("catalog", "k", fresh_read, ttl_seconds=60)
    assert after.body == _body("new")


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_concurrent_misses_compute_once(kind: str) -> None:
    cache = _cache(kind)
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        await asyncio.sleep(0.05)
        return _body("once")

    results = await asyncio.gather(*(cache.fetch("catalog", "k", compute, ttl_seconds=60) for _ in range(20)))
    assert calls == 1
    assert {r.body for r in results} == {_body("once")}


@needs_redis
async def test_another_process_waits_for_the_lock_holder_instead_of_computing() -> None:
    """Two Cache objects over one Redis stand for two API processes."""
    prefix = f"test:{uuid.uuid4().hex}"
    one, two = Cache(RedisBackend(), prefix=prefix), Cache(RedisBackend(), prefix=prefix)
    calls: list[str] = []

    async def compute_as(name: str):  # type: ignore[no-untyped-def]
        async def compute() -> bytes:
            calls.append(name)
            await asyncio.sleep(0.2)
            return _body(name)

        return compute

    first, second = await asyncio.gather(
        one.fetch("catalog", "k", await compute_as("one"), ttl_seconds=60),
        two.fetch("catalog", "k", await compute_as("two"), ttl_seconds=60),
    )
    assert len(calls) == 1
    assert first.body == second.body


@pytest.mark.parametrize("kind", ["memory", "redis"])
async def test_a_stale_entry_is_served_while_one_caller_refreshes_it(kind: str) -> None:
    cache = _cache(kind)
    version = "v1"
    refreshing = asyncio.Event()
    release = asyncio.Event()
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        if calls > 1:
            refreshing.set()
            await release.wait()
        return _body(version)

    ttl = 0.3
    await cache.fetch("catalog", "k", compute, ttl_seconds=ttl)
    await asyncio.sleep(0.35)  # fresh for 300 ms, then stale (kept as long again)
    version = "v2"
    refresher = asyncio.create_task(cache.fetch("catalog", "k", compute, ttl_seconds=ttl))
    await asyncio.wait_for(refreshing.wait(), 2)
    others = await asyncio.wait_for(
        asyncio.gather(*(cache.fetch("catalog", "k", compute, ttl_seconds=ttl) for _ in range(5))), 2
    )
    assert {o.body for o in others} == {_body("v1")}, "served stale, without computing again"
    release.set()
    assert (await refresher).body == _body("v2")
    assert calls == 2


async def test_cache_passes_through_when_redis_is_down(unreachable_redis: None) -> None:
    cache = Cache(RedisBackend(), prefix=f"test:{uuid.uuid4().hex}")
    calls = 0

    async def compute() -> bytes:
        nonlocal calls
        calls += 1
        return _body("from the database")

    first = await cache.fetch("catalog", "k", compute, ttl_seconds=60)
    assert first.body == _body("from the database") and first.etag == etag_of(first.body)
    assert redis_usable(), "one failure may be a slow reply: not yet skipped"
    for _ in range(get_settings().redis_failures_before_bypass - 1):
        await cache.fetch("catalog", "k", compute, ttl_seconds=60)
    assert not redis_usable(), "failures in a row: the next calls skip Redis"
    await cache.fetch("catalog", "k", compute, ttl_seconds=60)
    assert calls == get_settings().redis_failures_before_bypass + 1
    await cache.invalidate("catalog")  # logged, not raised


def test_if_none_match_comparison() -> None:
    tag = etag_of(b"x")
    assert etag_matches(tag, tag)
    assert etag_matches(f'"other", W/{tag}', tag)
    assert etag_matches("*", tag)
    assert not etag_matches('"other"', tag)
    assert not etag_matches(None, tag)


# --- rate limits -------------------------------------------------------------------------------


async def test_limit_raises_429_with_retry_after_once_the_limit_is_passed() -> None:
    identity = uuid.uuid4().hex
    await ratelimit.limit("test", identity, 2)
    await ratelimit.limit("test", identity, 2)
    with pytest.raises(RateLimited) as excinfo:
        await ratelimit.limit("test", identity, 2)
    assert excinfo.value.status_code == 429
    assert excinfo.value.headers is not None and 1 <= int(excinfo.value.headers["Retry-After"]) <= 60
    await ratelimit.limit("test", uuid.uuid4().hex, 2)  # another identity has its own count


def test_the_configured_storage_matches_the_profile() -> None:
    async def storage_kind() -> str:
        return type(ratelimit.limiter().storage).__name__

    assert asyncio.run(storage_kind()) == ("RedisStorage" if USES_REDIS else "MemoryStorage")


@needs_redis
async def test_redis_counts_are_shared_by_every_process() -> None:
    """Another process's client (a fresh sync client here) sees the counts in Redis."""
    identity = uuid.uuid4().hex
    await ratelimit.limit("shared", identity, 5)
    await ratelimit.limit("shared", identity, 5)
    client = redis.Redis.from_url(os.environ["REDIS_URL"])
    keys = [k for k in client.scan_iter(match=f"mamc:rl*{identity}*")]
    assert len(keys) == 1 and int(client.get(keys[0]) or 0) == 2


async def test_login_limit_fails_closed_when_redis_is_down(unreachable_redis: None) -> None:
    with pytest.raises(ServiceUnavailable) as excinfo:
        await ratelimit.limit("login:ip", "203.0.113.9", 20, fail_closed=True)
    assert excinfo.value.code == "rate_limit_unavailable" and excinfo.value.headers
    # while Redis stays down: refused at once, without waiting on a timeout again
    with pytest.raises(ServiceUnavailable):
        await ratelimit.limit("login:account", "a@example.com", 10, fail_closed=True)


async def test_other_limits_fail_open_when_redis_is_down(unreachable_redis: None) -> None:
    for _ in range(5):
        await ratelimit.limit("media_report", uuid.uuid4().hex, 1)


@needs_redis
async def test_concurrent_hits_share_one_mget_and_each_gets_its_own_entry(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from app.core import cache as cache_module

    cache = _cache("redis")
    for n in range(20):
        await cache.fetch("catalog", f"k{n}", lambda n=n: _async_body(f"v{n}"), ttl_seconds=60)
    client = cache_module._client()
    sent: list[int] = []
    real_mget = client.mget

    async def counting_mget(keys: list[str]) -> list[bytes | None]:
        sent.append(len(keys))
        return await real_mget(keys)

    monkeypatch.setattr(client, "mget", counting_mget)

    async def never() -> bytes:
        raise AssertionError("a hit computed")

    hits = await asyncio.gather(*(cache.fetch("catalog", f"k{n}", never, ttl_seconds=60) for n in range(20)))
    assert [h.body for h in hits] == [_body(f"v{n}") for n in range(20)]
    assert sent == [40], "one MGET of 20 (generation, entry) pairs"


@needs_redis
async def test_a_lookup_started_after_an_invalidation_never_sees_the_old_entry() -> None:
    """Batched reads still happen after the request arrived: an invalidation that completed
    before a look-up began is always seen, even when the look-up joins a batch."""
    cache = _cache("redis")
    await cache.fetch("entitlements:user:1", "play", lambda: _async_body("allowed"), ttl_seconds=60)
    await cache.invalidate("entitlements:user:1")
    seen = await asyncio.gather(
        cache.fetch("entitlements:user:1", "play", lambda: _async_body("refused"), ttl_seconds=60),
        cache.fetch("catalog", "other", lambda: _async_body("x"), ttl_seconds=60),
    )
    assert seen[0].body == _body("refused")


async def test_a_failed_batch_reaches_every_waiter_and_each_passes_through(unreachable_redis: None) -> None:
    cache = Cache(RedisBackend(), prefix=f"test:{uuid.uuid4().hex}")
    results = await asyncio.gather(
        *(
            cache.fetch("catalog", f"k{n}", lambda n=n: _async_body(f"db{n}"), ttl_seconds=60)
            for n in range(5)
        )
    )
    assert [r.body for r in results] == [_body(f"db{n}") for n in range(5)]


async def _async_body(text: str) -> bytes:
    return _body(text)
