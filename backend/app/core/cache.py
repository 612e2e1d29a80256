"""A cache of encoded response bytes with explicit invalidation: Redis when REDIS_URL is set,
in-process otherwise.

Hits: ONE round trip (MGET of the namespace's generation and the entry) returns the bytes and
their ETag exactly as stored — no JSON decoding, no model re-validation; the caller sends them.

Invalidation: `invalidate(namespace)` bumps the namespace's generation (INCR), after the commit
that changed the rows. Every entry carries the generation it was computed under and one from an
older generation is a miss. A writer stores the generation it read BEFORE computing, so a
computation that raced an invalidation (read the old rows, finished after the bump) can never
pass for current. (Reading the generation again at write time, as this module once did, filed
such stale results under the new generation.)

Stampedes: an entry is fresh for `ttl` seconds, then kept as long again as stale. A stale entry
is served while exactly one caller (holder of a SET NX lock) recomputes it. On a miss, callers
in one process share one computation, and across processes the lock holder computes while the
others poll for its entry (up to LOCK_WAIT_SECONDS), then compute themselves.

Redis down: every call is bounded by REDIS_SOCKET_TIMEOUT_SECONDS; after a failure the cache
passes through (computes, stores nothing) for REDIS_RETRY_AFTER_SECONDS: reads are still served.
An invalidation that fails is logged as `cache_invalidation_lost`; entries then age out by TTL.
"""

from __future__ import annotations

import asyncio
import hashlib
import secrets
import threading
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Protocol

import redis.asyncio as aioredis
import structlog
from prometheus_client import Counter
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.core.redis import (
    REDIS_FAILURES,
    async_redis,
    get_redis,
    redis_failed,
    redis_succeeded,
    redis_usable,
)

log = structlog.get_logger(__name__)

CACHE_REQUESTS = Counter(
    "cache_requests_total", "Cache look-ups by namespace and outcome.", ("namespace", "result")
)
_counted: dict[tuple[str, str], Any] = {}


def _count(namespace: str, result: str) -> None:
    """`CACHE_REQUESTS.labels(...).inc()`, with the labelled child kept (labels() is the cost).
    Namespaces of two parts are labels as they are; deeper ones (per user) share their family's
    series: `entitlements:user:<id>` counts as `entitlements:user`."""
    family = namespace.rsplit(":", 1)[0] if namespace.count(":") >= 2 else namespace
    child = _counted.get((family, result))
    if child is None:
        child = _counted[(family, result)] = CACHE_REQUESTS.labels(family, result)
    child.inc()


LOCK_SECONDS = 10.0  # a recomputation holds its lock at most this long
LOCK_WAIT_SECONDS = 3.0  # on a miss, wait this long for another process's result
POLL_SECONDS = 0.02


class CacheBackend(Protocol):
    shared: bool  # True when other processes see the same entries (Redis)

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]: ...
    async def set(self, key: str, value: bytes, ttl_ms: int) -> None: ...
    async def set_nx(self, key: str, value: bytes, ttl_ms: int) -> bool: ...
    async def delete(self, key: str) -> None: ...
    async def incr(self, key: str) -> int: ...
    def incr_sync(self, key: str) -> int: ...


class MemoryBackend:
    """One process's cache (embedded mode). Thread-safe: eager Celery tasks may invalidate."""

    shared = False

    def __init__(self) -> None:
        self._data: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def _get(self, key: str, now: float) -> bytes | None:
        item = self._data.get(key)
        if item is None:
            return None
        if item[0] <= now:
            del self._data[key]
            return None
        return item[1]

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        now = time.monotonic()
        with self._lock:
            return [self._get(key, now) for key in keys]

    async def set(self, key: str, value: bytes, ttl_ms: int) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + ttl_ms / 1000, value)

    async def set_nx(self, key: str, value: bytes, ttl_ms: int) -> bool:
        now = time.monotonic()
        with self._lock:
            if self._get(key, now) is not None:
                return False
            self._data[key] = (now + ttl_ms / 1000, value)
            return True

    async def delete(self, key: str) -> None:
        with self._lock:
            self._data.pop(key, None)

    async def incr(self, key: str) -> int:
        return self.incr_sync(key)

    def incr_sync(self, key: str) -> int:
        with self._lock:
            current = self._get(key, time.monotonic())
            value = int(current or b"0") + 1
            self._data[key] = (float("inf"), str(value).encode())
            return value


class _MgetBatch:
    """Look-ups of one event loop that share one MGET.

    Every look-up that starts while this loop is busy (one turn of the loop: uvicorn reads all
    the requests that arrived together, each reaches its cache look-up) joins the batch, sent on
    the loop's next turn. A hot path's cost is mostly redis-py's per-command work, so a busy
    worker pays it once per turn instead of once per request. Each request's keys are still read
    after the request arrived, so an invalidation that committed before it is always seen.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        self.loop = loop
        self.pending: list[tuple[Sequence[str], asyncio.Future[list[bytes | None]]]] = []

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        if not self.pending:
            self.loop.call_soon(self._send)
        future: asyncio.Future[list[bytes | None]] = self.loop.create_future()
        self.pending.append((keys, future))
        return await future

    def _send(self) -> None:
        batch, self.pending = self.pending, []
        task = self.loop.create_task(self._fetch(batch))
        _flights.add(task)
        task.add_done_callback(_flights.discard)

    @staticmethod
    async def _fetch(batch: list[tuple[Sequence[str], asyncio.Future[list[bytes | None]]]]) -> None:
        try:
            values = list(await _client().mget([key for keys, _ in batch for key in keys]))
        except BaseException as exc:  # every waiter gets the failure (REDIS_FAILURES are handled there)
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise
            return
        start = 0
        for keys, future in batch:
            if not future.done():  # a waiter cancelled meanwhile (client gone) needs nothing
                future.set_result(values[start : start + len(keys)])
            start += len(keys)


_batches: dict[asyncio.AbstractEventLoop, _MgetBatch] = {}
_flights: set[asyncio.Task[None]] = set()  # strong references to batches in flight


class RedisBackend:
    """Shared by every API process; async client in the API, the sync one for workers."""

    shared = True

    async def mget(self, keys: Sequence[str]) -> list[bytes | None]:
        loop = asyncio.get_running_loop()
        batch = _batches.get(loop)
        if batch is None:
            if len(_batches) > 8:  # loops of finished test runs
                _batches.clear()
            batch = _batches[loop] = _MgetBatch(loop)
        return await batch.mget(keys)

    async def set(self, key: str, value: bytes, ttl_ms: int) -> None:
        await _client().set(key, value, px=ttl_ms)

    async def set_nx(self, key: str, value: bytes, ttl_ms: int) -> bool:
        return bool(await _client().set(key, value, px=ttl_ms, nx=True))

    async def delete(self, key: str) -> None:
        await _client().delete(key)

    async def incr(self, key: str) -> int:
        return int(await _client().incr(key))

    def incr_sync(self, key: str) -> int:
        client = get_redis()
        assert client is not None
        return int(client.incr(key))


def _client() -> aioredis.Redis[bytes]:
    client = async_redis()
    assert client is not None, "RedisBackend needs REDIS_URL"
    return client


@dataclass(frozen=True)
class CachedBody:
    body: bytes
    etag: str  # strong validator, quoted: '"<hash>"'
    generation: int = 0
    fresh_until_ms: int = 0


def etag_of(body: bytes) -> str:
    return '"' + hashlib.blake2b(body, digest_size=12).hexdigest() + '"'


def etag_matches(if_none_match: str | None, etag: str) -> bool:
    """RFC 9110 weak comparison of an If-None-Match header against our (strong) ETag."""
    if not if_none_match:
        return False
    if if_none_match.strip() == "*":
        return True
    return any(tag.strip().removeprefix("W/") == etag for tag in if_none_match.split(","))


def _encode(entry: CachedBody) -> bytes:
    return b"%d %d %s\n" % (entry.generation, entry.fresh_until_ms, entry.etag.encode()) + entry.body


def _decode(raw: bytes | None) -> CachedBody | None:
    if raw is None:
        return None
    header, sep, body = raw.partition(b"\n")
    parts = header.split(b" ")
    if not sep or len(parts) != 3:
        return None
    try:
        return CachedBody(body, parts[2].decode(), int(parts[0]), int(parts[1]))
    except ValueError:
        return None


def _now_ms() -> int:
    return int(time.time() * 1000)


Compute = Callable[[], Awaitable[bytes]]


class Cache:
    def __init__(self, backend: CacheBackend, prefix: str = "mamc:cache") -> None:
        self._backend = backend
        self._prefix = prefix
        self._inflight: dict[tuple[int, str, int], asyncio.Future[CachedBody]] = {}

    @property
    def shared(self) -> bool:
        """True when every process sees the same entries and invalidations (Redis)."""
        return self._backend.shared

    def _generation_key(self, namespace: str) -> str:
        return f"{self._prefix}:gen:{namespace}"

    def _entry_key(self, namespace: str, key: str) -> str:
        return f"{self._prefix}:{namespace}:{key}"

    async def fetch(self, namespace: str, key: str, compute: Compute, *, ttl_seconds: float) -> CachedBody:
        """The cached bytes for (namespace, key), computing and storing them when missing."""
        if self._backend.shared and not redis_usable():
            return await self._bypass(namespace, compute)
        entry_key = self._entry_key(namespace, key)
        try:
            raw_generation, raw_entry = await self._backend.mget([self._generation_key(namespace), entry_key])
        except REDIS_FAILURES as exc:
            redis_failed("cache_get", exc)
            return await self._bypass(namespace, compute)
        redis_succeeded()
        generation = int(raw_generation or 0)
        entry = _decode(raw_entry)
        if entry is not None and entry.generation == generation:
            if _now_ms() < entry.fresh_until_ms:
                _count(namespace, "hit")
                return entry
            _count(namespace, "stale")
            lock = await self._lock(entry_key, generation)
            if lock is None:
                return entry  # someone else refreshes it; this one is still consistent
            try:
                return await self._compute_and_store(entry_key, generation, compute, ttl_seconds)
            finally:
                await self._unlock(lock)
        _count(namespace, "miss")
        return await self._single_flight(
            entry_key, generation, lambda: self._fill(namespace, entry_key, generation, compute, ttl_seconds)
        )

    async def invalidate(self, namespace: str) -> None:
        """Make every entry of the namespace a miss (call after the commit that changed the rows)."""
        try:
            await self._backend.incr(self._generation_key(namespace))
        except REDIS_FAILURES as exc:
            redis_failed("cache_invalidate", exc)
            log.error("cache_invalidation_lost", namespace=namespace, error=type(exc).__name__)

    def invalidate_sync(self, namespace: str) -> None:
        """`invalidate` for synchronous callers (workers, CLI); never inside `async def`."""
        try:
            self._backend.incr_sync(self._generation_key(namespace))
        except REDIS_FAILURES as exc:
            redis_failed("cache_invalidate", exc)
            log.error("cache_invalidation_lost", namespace=namespace, error=type(exc).__name__)

    # --- internals ----------------------------------------------------------------------------

    async def _bypass(self, namespace: str, compute: Compute) -> CachedBody:
        _count(namespace, "bypass")
        body = await compute()
        return CachedBody(body, etag_of(body))

    async def _compute_and_store(
        self, entry_key: str, generation: int, compute: Compute, ttl_seconds: float
    ) -> CachedBody:
        body = await compute()
        ttl_ms = max(1, int(ttl_seconds * 1000))
        entry = CachedBody(body, etag_of(body), generation, _now_ms() + ttl_ms)
        try:
            # Stored under the generation read before computing: if an invalidation came in
            # meanwhile, this entry is already outdated and every reader treats it as a miss.
            await self._backend.set(entry_key, _encode(entry), 2 * ttl_ms)
        except REDIS_FAILURES as exc:
            redis_failed("cache_set", exc)
        return entry

    async def _fill(
        self, namespace: str, entry_key: str, generation: int, compute: Compute, ttl_seconds: float
    ) -> CachedBody:
        lock = await self._lock(entry_key, generation)
        if lock is not None:
            try:
                return await self._compute_and_store(entry_key, generation, compute, ttl_seconds)
            finally:
                await self._unlock(lock)
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while time.monotonic() < deadline:
            await asyncio.sleep(POLL_SECONDS)
            try:
                raw_generation, raw_entry = await self._backend.mget(
                    [self._generation_key(namespace), entry_key]
                )
            except REDIS_FAILURES as exc:
                redis_failed("cache_get", exc)
                break
            entry = _decode(raw_entry)
            if entry is not None and entry.generation == int(raw_generation or 0) >= generation:
                return entry
        return await self._compute_and_store(entry_key, generation, compute, ttl_seconds)

    async def _lock(self, entry_key: str, generation: int) -> str | None:
        """The lock's key when this caller may recompute the entry; None when another holds it."""
        lock_key = f"{entry_key}:lock:{generation}"
        try:
            won = await self._backend.set_nx(lock_key, secrets.token_bytes(8), int(LOCK_SECONDS * 1000))
        except REDIS_FAILURES as exc:
            redis_failed("cache_lock", exc)
            return lock_key  # cannot coordinate: compute
        return lock_key if won else None

    async def _unlock(self, lock_key: str) -> None:
        try:
            await self._backend.delete(lock_key)
        except REDIS_FAILURES as exc:
            redis_failed("cache_unlock", exc)  # the lock expires by itself

    async def _single_flight(
        self, entry_key: str, generation: int, work: Callable[[], Awaitable[CachedBody]]
    ) -> CachedBody:
        """Concurrent misses of one entry in this process share one `work()`."""
        loop = asyncio.get_running_loop()
        flight = (id(loop), entry_key, generation)
        running = self._inflight.get(flight)
        if running is not None:
            return await asyncio.shield(running)
        future: asyncio.Future[CachedBody] = loop.create_future()
        self._inflight[flight] = future
        try:
            result = await work()
        except BaseException as exc:
            if isinstance(exc, asyncio.CancelledError):
                future.cancel()
            else:
                future.set_exception(exc)
                future.exception()  # retrieved: waiters re-raise it, nobody else must
            raise
        finally:
            del self._inflight[flight]
        future.set_result(result)
        return result


# --- invalidation that follows a commit ---------------------------------------------------------

_PENDING = "mamc_cache_invalidate_after_commit"
_background: set[asyncio.Task[None]] = set()


def invalidate_after_commit(session: Session, namespace: str) -> None:
    """Invalidate `namespace` once `session` commits (nothing happens if it never does).

    For changes made in sync code (workers, `run_sync`): inside a running event loop the
    invalidation is scheduled on it (never a blocking call on the loop), elsewhere it is done
    synchronously."""
    session.info.setdefault(_PENDING, set()).add(namespace)


async def _invalidate_all(namespaces: set[str]) -> None:
    cache = get_cache()
    for namespace in sorted(namespaces):
        await cache.invalidate(namespace)


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    namespaces: set[str] | None = session.info.pop(_PENDING, None)
    if not namespaces:
        return
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        for namespace in sorted(namespaces):
            get_cache().invalidate_sync(namespace)
        return
    task = loop.create_task(_invalidate_all(namespaces))
    _background.add(task)
    task.add_done_callback(_background.discard)


@lru_cache
def get_cache() -> Cache:
    return Cache(RedisBackend() if get_redis() is not None else MemoryBackend())
