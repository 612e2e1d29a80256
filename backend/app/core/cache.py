"""Cache with explicit invalidation: Redis when REDIS_URL is set, in-process otherwise.

Keys live in namespaces. `invalidate(namespace)` bumps the namespace's generation so every key
written before it is unreachable at once (no key scans); old entries simply expire.
The cache fails open: with Redis unreachable a read is a miss and a write is skipped, so reads
are served from the database meanwhile.
"""

from __future__ import annotations

import json
import threading
import time
from functools import lru_cache
from typing import Any, Protocol

import structlog
from redis.exceptions import RedisError

from app.core.redis import get_redis

log = structlog.get_logger(__name__)


class CacheBackend(Protocol):
    def get(self, key: str) -> bytes | None: ...
    def set(self, key: str, value: bytes, ttl_seconds: int) -> None: ...
    def incr(self, key: str) -> int: ...


class MemoryBackend:
    def __init__(self) -> None:
        self._data: dict[str, tuple[float, bytes]] = {}
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        with self._lock:
            item = self._data.get(key)
            if item is None:
                return None
            expires, value = item
            if expires < time.monotonic():
                del self._data[key]
                return None
            return value

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        with self._lock:
            self._data[key] = (time.monotonic() + ttl_seconds, value)

    def incr(self, key: str) -> int:
        with self._lock:
            _, current = self._data.get(key, (0.0, b"0"))
            value = int(current) + 1
            self._data[key] = (float("inf"), str(value).encode())
            return value


class RedisBackend:
    def __init__(self, client: Any) -> None:
        self._client = client

    def get(self, key: str) -> bytes | None:
        try:
            value = self._client.get(key)
        except RedisError as exc:
            log.warning("cache_unavailable", op="get", error=type(exc).__name__)
            return None
        return bytes(value) if value is not None else None

    def set(self, key: str, value: bytes, ttl_seconds: int) -> None:
        try:
            self._client.set(key, value, ex=ttl_seconds)
        except RedisError as exc:
            log.warning("cache_unavailable", op="set", error=type(exc).__name__)

    def incr(self, key: str) -> int:
        try:
            return int(self._client.incr(key))
        except RedisError as exc:  # entries of the old generation expire within their TTL
            log.warning("cache_unavailable", op="incr", error=type(exc).__name__)
            return 0


class Cache:
    def __init__(self, backend: CacheBackend, prefix: str = "mamc:cache") -> None:
        self._backend = backend
        self._prefix = prefix

    def _generation(self, namespace: str) -> int:
        raw = self._backend.get(f"{self._prefix}:gen:{namespace}")
        return int(raw) if raw else 0

    def _key(self, namespace: str, key: str) -> str:
        return f"{self._prefix}:{namespace}:{self._generation(namespace)}:{key}"

    def get_json(self, namespace: str, key: str) -> Any | None:
        raw = self._backend.get(self._key(namespace, key))
        return None if raw is None else json.loads(raw)

    def set_json(self, namespace: str, key: str, value: Any, ttl_seconds: int = 300) -> None:
        self._backend.set(self._key(namespace, key), json.dumps(value, default=str).encode(), ttl_seconds)

    def invalidate(self, namespace: str) -> None:
        self._backend.incr(f"{self._prefix}:gen:{namespace}")


@lru_cache
def get_cache() -> Cache:
    client = get_redis()
    return Cache(RedisBackend(client) if client is not None else MemoryBackend())
