"""Rate limits: fixed windows counted by the `limits` library — its asyncio Redis storage over
app.core.redis's pool (redis-py's asyncio client, REDIS_*_TIMEOUT_SECONDS socket timeouts) when
REDIS_URL is set, shared by every API process; its in-process storage otherwise.

    await ratelimit.limit("login:account", email, settings.rate_limit_login_per_account,
                          fail_closed=True)

`limit` counts one hit of `identity` in `scope` and raises RateLimited (429, Retry-After) past
`limit` hits per window (default RATE_LIMIT_WINDOW_SECONDS).

Redis down (an error, a timeout, or while app.core.redis skips a failing Redis): a limit with
`fail_closed=True` (login: guessing passwords must never become unlimited) refuses with 503
`rate_limit_unavailable` and Retry-After; every other limit lets the request through and the
outage is logged once per period (`redis_unavailable`) and counted (`redis_errors_total`).
"""

from __future__ import annotations

import asyncio
import math
import time
import weakref

from limits import RateLimitItem, RateLimitItemPerSecond
from limits.aio.storage import MemoryStorage, RedisStorage, Storage
from limits.aio.strategies import FixedWindowRateLimiter

from app.core.config import get_settings
from app.core.errors import RateLimited, ServiceUnavailable
from app.core.i18n import t
from app.core.redis import REDIS_FAILURES, async_redis, redis_failed, redis_succeeded, redis_usable

NAMESPACE = "mamc"

_redis_limiters: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, FixedWindowRateLimiter] = (
    weakref.WeakKeyDictionary()
)
_memory_limiter: FixedWindowRateLimiter | None = None


def _redis_storage(url: str) -> Storage:
    """The limits storage over this loop's pool (app.core.redis: timeouts, bounded size)."""
    client = async_redis()
    assert client is not None
    return RedisStorage(
        f"async+{url}", implementation="redispy", key_prefix="mamc:rl", connection_pool=client.connection_pool
    )


def limiter() -> FixedWindowRateLimiter:
    """This event loop's limiter (Redis) or the process's (in-process storage)."""
    global _memory_limiter
    url = get_settings().redis_url
    if not url:
        if _memory_limiter is None:
            _memory_limiter = FixedWindowRateLimiter(MemoryStorage())
        return _memory_limiter
    loop = asyncio.get_running_loop()
    found = _redis_limiters.get(loop)
    if found is None:
        found = FixedWindowRateLimiter(_redis_storage(url))
        _redis_limiters[loop] = found
    return found


def uses_redis() -> bool:
    return bool(get_settings().redis_url)


def reset() -> None:
    """Forget every in-process count and every client (tests)."""
    global _memory_limiter
    _memory_limiter = None
    _redis_limiters.clear()


def _unavailable(fail_closed: bool) -> None:
    if fail_closed:
        retry_after = max(1, math.ceil(get_settings().redis_retry_after_seconds))
        raise ServiceUnavailable(
            t("errors.rate_limit_unavailable"),
            code="rate_limit_unavailable",
            headers={"Retry-After": str(retry_after)},
        )


async def limit(
    scope: str,
    identity: str,
    limit: int,
    window_seconds: int | None = None,
    *,
    fail_closed: bool = False,
) -> None:
    """Count one hit; RateLimited (429) past `limit` hits in the window (see the module doc)."""
    settings = get_settings()
    if not settings.rate_limit_enabled:
        return
    window = window_seconds or settings.rate_limit_window_seconds
    item: RateLimitItem = RateLimitItemPerSecond(limit, window, namespace=NAMESPACE)
    shared = uses_redis()
    if shared and not redis_usable():
        _unavailable(fail_closed)
        return
    current = limiter()
    try:
        allowed = await current.hit(item, scope, identity)
        reset_at = 0.0 if allowed else (await current.get_window_stats(item, scope, identity)).reset_time
    except REDIS_FAILURES as exc:
        redis_failed("rate_limit", exc)
        _unavailable(fail_closed)
        return
    if shared:
        redis_succeeded()
    if not allowed:
        retry_after = max(1, math.ceil(reset_at - time.time()))
        raise RateLimited(
            f"Too many attempts. Try again in {retry_after} seconds.",
            params={"count": retry_after},
            headers={"Retry-After": str(retry_after)},
        )
