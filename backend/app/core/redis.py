"""Redis clients, only when REDIS_URL is set; every call bounded by socket timeouts.

- `async_redis()`: what the API uses (redis.asyncio): one client per event loop, its pool
  (up to REDIS_MAX_CONNECTIONS) shared by the cache and the rate limits, so no request ever
  blocks the loop on Redis.
- `get_redis()`: the synchronous client, for workers, the CLI and other code that is not
  `async def` (e.g. a Celery task invalidating a cache).
- `new_async_redis()`: a fresh client without a read timeout, for long pub/sub listens (SSE).

Both request clients give up after REDIS_SOCKET_TIMEOUT_SECONDS (connecting:
REDIS_CONNECT_TIMEOUT_SECONDS). A failed call is reported with `redis_failed()` (counted in
`redis_errors_total{operation}`; the caller takes its fallback for that request). After
REDIS_FAILURES_BEFORE_BYPASS failures in a row — Redis down or hanging, not one slow reply on a
busy loop — callers skip Redis for REDIS_RETRY_AFTER_SECONDS (`redis_usable()` is False) instead
of paying a timeout on every request: caches serve from the database, rate limits decide per
limit whether to refuse (login) or allow. That is logged once per period as `redis_unavailable`;
a successful call (`redis_succeeded()`) resets the count.
"""

from __future__ import annotations

import asyncio
import time
import weakref
from functools import lru_cache
from typing import Any

import redis
import redis.asyncio as aioredis
import structlog
from prometheus_client import Counter

from app.core.config import get_settings

log = structlog.get_logger(__name__)

REDIS_ERRORS = Counter("redis_errors_total", "Redis calls that failed or timed out.", ("operation",))
# What a failed Redis call raises: the client's own errors, plus socket errors it lets through.
REDIS_FAILURES: tuple[type[BaseException], ...] = (redis.RedisError, OSError, asyncio.TimeoutError)

_async_clients: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, aioredis.Redis[bytes]] = (
    weakref.WeakKeyDictionary()
)
_down_until = 0.0
_failures_in_a_row = 0


def _timeouts() -> dict[str, Any]:
    settings = get_settings()
    return {
        "socket_timeout": settings.redis_socket_timeout_seconds,
        "socket_connect_timeout": settings.redis_connect_timeout_seconds,
        "retry_on_timeout": False,
    }


@lru_cache
def get_redis() -> redis.Redis[bytes] | None:
    """The synchronous client (never call it inside `async def`)."""
    url = get_settings().redis_url
    return redis.Redis.from_url(url, decode_responses=False, **_timeouts()) if url else None


def async_redis() -> aioredis.Redis[bytes] | None:
    """This event loop's async client (None without REDIS_URL)."""
    url = get_settings().redis_url
    if not url:
        return None
    loop = asyncio.get_running_loop()
    client = _async_clients.get(loop)
    if client is None:
        # Sized for every request a busy worker has in flight (redis-py's default, 100, is
        # not: past it a call fails). Not the blocking pool: its condition variable costs
        # more per call than the rest of a cache hit.
        pool: aioredis.ConnectionPool[Any] = aioredis.ConnectionPool.from_url(
            url, max_connections=get_settings().redis_max_connections, decode_responses=False, **_timeouts()
        )
        client = aioredis.Redis(connection_pool=pool)
        _async_clients[loop] = client
    return client


def reset_redis() -> None:
    """Forget the clients and any outage (tests switch REDIS_URL between runs)."""
    global _down_until, _failures_in_a_row
    get_redis.cache_clear()
    _async_clients.clear()
    _down_until = 0.0
    _failures_in_a_row = 0


def new_async_redis() -> aioredis.Redis[bytes] | None:
    """A fresh async client for a long pub/sub listen: connect timeout only (one per stream)."""
    settings = get_settings()
    if not settings.redis_url:
        return None
    return aioredis.Redis.from_url(
        settings.redis_url,
        decode_responses=False,
        socket_connect_timeout=settings.redis_connect_timeout_seconds,
    )


def redis_usable() -> bool:
    """False for REDIS_RETRY_AFTER_SECONDS after a failure: callers take their fallback at once."""
    return time.monotonic() >= _down_until


def redis_succeeded() -> None:
    global _failures_in_a_row
    _failures_in_a_row = 0


def redis_failed(operation: str, exc: BaseException) -> None:
    """Record a failed call; enough of them in a row and Redis is skipped for a while."""
    global _down_until, _failures_in_a_row
    REDIS_ERRORS.labels(operation).inc()
    _failures_in_a_row += 1
    settings = get_settings()
    now = time.monotonic()
    if _failures_in_a_row >= settings.redis_failures_before_bypass and now >= _down_until:
        retry_after = settings.redis_retry_after_seconds
        log.warning(
            "redis_unavailable",
            operation=operation,
            error=type(exc).__name__,
            detail=str(exc)[:200],
            retry_after_seconds=retry_after,
        )
        _down_until = now + retry_after
