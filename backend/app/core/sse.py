"""Server-sent progress streams, shared by every domain with background jobs (media processing,
studio analyses).

Workers write progress to the job's row (the truth) and `publish` a nudge on a Redis channel; the
API's `progress_response` streams `progress` events whenever the row's state changes and one `end`
event once it leaves the active statuses. With Redis the stream wakes on the nudge; without it
(embedded mode) it polls the row every POLL_SECONDS, so both behave the same, one only slower.

    event: progress            data: {"status", "percent", "stage", "failure_reason"}
    event: end                 data: the final state (same shape)
    : keepalive                every KEEPALIVE_SECONDS of silence
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from typing import Any

import structlog
from fastapi import Request
from fastapi.responses import StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.redis import get_redis, new_async_redis
from app.db.session import async_session_scope

log = structlog.get_logger(__name__)

MAX_STREAM_SECONDS = 3600
KEEPALIVE_SECONDS = 15.0
POLL_SECONDS = 0.5  # embedded mode (no Redis): how often the row is read
WAKE_SECONDS = 1.0  # with Redis: the row is read on every nudge and at least this often

State = dict[str, Any]
StateLoader = Callable[[AsyncSession], Awaitable[State | None]]


def publish(channel: str, payload: State) -> None:
    """Nudge the streams listening on `channel` (best effort: the row stays the truth)."""
    client = get_redis()
    if client is None:
        return
    try:
        client.publish(channel, json.dumps(payload, default=str))
    except Exception as exc:
        log.warning("progress_publish_failed", channel=channel, error=str(exc))


def event(name: str, data: State) -> str:
    return f"event: {name}\ndata: {json.dumps(data, default=str)}\n\n"


async def progress_events(
    request: Request,
    *,
    channel: str,
    load_state: StateLoader,
    active: Collection[str],
    max_seconds: float = MAX_STREAM_SECONDS,
) -> AsyncIterator[str]:
    """`progress` on every change of the loaded state (each read in a short session of its own,
    so a long stream holds no connection), then `end` once `state["status"]` is not in `active`.
    Stops when the row disappears, the client goes away or after `max_seconds`."""
    redis = new_async_redis()
    pubsub = None
    if redis is not None:
        pubsub = redis.pubsub()
        await pubsub.subscribe(channel)
    started = last_sent = time.monotonic()
    last: State | None = None
    try:
        yield "retry: 2000\n\n"
        while time.monotonic() - started < max_seconds:
            async with async_session_scope() as session:
                state = await load_state(session)
            if state is None:
                break
            if state != last:
                yield event("progress", state)
                last, last_sent = state, time.monotonic()
            if state["status"] not in active:
                yield event("end", state)
                break
            if time.monotonic() - last_sent > KEEPALIVE_SECONDS:
                yield ": keepalive\n\n"
                last_sent = time.monotonic()
            if await request.is_disconnected():
                break
            if pubsub is not None:
                await pubsub.get_message(ignore_subscribe_messages=True, timeout=WAKE_SECONDS)
            else:
                await asyncio.sleep(POLL_SECONDS)
    finally:
        if pubsub is not None:
            await pubsub.aclose()  # type: ignore[attr-defined]
        if redis is not None:
            await redis.aclose()  # type: ignore[attr-defined]


def progress_response(
    request: Request, *, channel: str, load_state: StateLoader, active: Collection[str]
) -> StreamingResponse:
    """The `text/event-stream` response (unbuffered by nginx) of `progress_events`. Authorise
    before calling this and close the request's session: the stream outlives it."""
    return StreamingResponse(
        progress_events(request, channel=channel, load_state=load_state, active=active),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
