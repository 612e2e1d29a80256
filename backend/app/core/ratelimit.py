"""Fixed-window rate limits: Redis when REDIS_URL is set (shared by every API process),
in-process otherwise. Exceeding a limit raises RateLimited with Retry-After. If Redis cannot be
asked, the limit fails closed: ServiceUnavailable (503), never an unlimited login."""

from __future__ import annotations

import math
import threading
import time
from functools import lru_cache
from typing import Protocol

import structlog
from redis.exceptions import RedisError

from app.core.config import get_settings
from app.core.errors import RateLimited, ServiceUnavailable
from app.core.redis import get_redis

log = structlog.get_logger(__name__)


class Counter(Protocol):
    def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        """Count one hit; return (hits in the current window, seconds until it resets)."""
        ...


class MemoryCounter:
    def __init__(self) -> None:
        self._windows: dict[str, tuple[float, int]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        now = time.monotonic()
        with self._lock:
            started, count = self._windows.get(key, (now, 0))
            if now - started >= window_seconds:
                started, count = now, 0
            count += 1
            self._windows[key] = (started, count)
            return count, window_seconds - (now - started)

    def reset(self) -> None:
        with self._lock:
            self._windows.clear()


class RedisCounter:
    def __init__(self, client: object) -> None:
        self._client = client

    def hit(self, key: str, window_seconds: int) -> tuple[int, float]:
        redis_key = f"mamc:rl:{key}"
        pipe = self._client.pipeline()  # type: ignore[attr-defined]
        pipe.incr(redis_key)
        pipe.expire(redis_key, window_seconds, nx=True)
        pipe.pttl(redis_key)
        count, _, ttl_ms = pipe.execute()
        return int(count), max(int(ttl_ms), 0) / 1000


@lru_cache
def get_counter() -> Counter:
    client = get_redis()
    return RedisCounter(client) if client is not None else MemoryCounter()


def enforce(scope: str, identity: str, limit: int, window_seconds: int | None = None) -> None:
    settings = get_settings()
    if not settings.rate_limit_enabled:
        return
    window = window_seconds or settings.rate_limit_window_seconds
    try:
        count, reset_in = get_counter().hit(f"{scope}:{identity}", window)
    except RedisError as exc:
        from app.core.i18n import t

        log.warning("rate_limit_store_unavailable", scope=scope, error=type(exc).__name__)
        raise ServiceUnavailable(
            t("errors.rate_limit_unavailable"), code="rate_limit_unavailable", headers={"Retry-After": "30"}
        ) from exc
    if count > limit:
        retry_after = max(1, math.ceil(reset_in))
        raise RateLimited(
            f"Too many attempts. Try again in {retry_after} seconds.",
            headers={"Retry-After": str(retry_after)},
        )
