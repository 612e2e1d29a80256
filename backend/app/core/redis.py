"""Shared Redis clients, only when REDIS_URL is set."""

from __future__ import annotations

from functools import lru_cache

import redis
import redis.asyncio as aioredis

from app.core.config import get_settings

REDIS_TIMEOUT_SECONDS = 2.0


@lru_cache
def get_redis() -> redis.Redis[bytes] | None:
    url = get_settings().redis_url
    if not url:
        return None
    # bounded waits: with Redis down, callers fail fast (cache miss, rate limit closed)
    return redis.Redis.from_url(
        url,
        decode_responses=False,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        health_check_interval=30,
    )


def reset_redis() -> None:
    get_redis.cache_clear()


def new_async_redis() -> aioredis.Redis[bytes] | None:
    """A fresh async client (one per event loop; cheap, pooled inside)."""
    url = get_settings().redis_url
    return aioredis.Redis.from_url(url, decode_responses=False) if url else None
