"""The one progress stream (`progress_response`), shared by every domain with background jobs
(media processing, studio analyses; next knowledge, dubs, the coach...). Its publisher is
app/progress/bus.py (`publish`, kept free of HTTP so workers and services import it).

A job's row is the truth. Whoever changes it (a worker, or the API for a status change it makes)
commits, then `publish`es the job's whole state on its channel. A stream sends the row's state
once, then:

- with Redis (REDIS_URL): the states published on the channel — no database reads while the job
  runs, except one every RECONCILE_SECONDS in case a message was lost (pub/sub is at most once),
  and one for the final state;
- without Redis (embedded mode, one process): the row, read every POLL_SECONDS.

It ends with an `end` event once the status leaves the active ones, when the row disappears or
after MAX_STREAM_SECONDS. sse-starlette writes the events, pings every KEEPALIVE_SECONDS and
stops the stream as soon as the client goes away. Each user holds at most
SSE_MAX_STREAMS_PER_USER streams at once (429 `too_many_streams` beyond: the web client falls
back to polling), counted in Redis across API processes when configured, in process otherwise.

    event: progress            data: {"status", "percent", "stage", "failure_reason"}
    event: end                 data: the final state (same shape)
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Collection
from dataclasses import dataclass
from typing import Any, Protocol

import anyio
import redis.asyncio as aioredis
import structlog
from sqlalchemy.ext.asyncio import AsyncSession
from sse_starlette.event import ServerSentEvent
from sse_starlette.sse import EventSourceResponse

from app.core.config import get_settings
from app.core.errors import RateLimited
from app.core.redis import new_async_redis
from app.db.session import async_session_scope
from app.progress.bus import State

log = structlog.get_logger(__name__)

MAX_STREAM_SECONDS = 3600
KEEPALIVE_SECONDS = 15.0
POLL_SECONDS = 0.5  # embedded mode (no Redis): how often the row is read
RECONCILE_SECONDS = 30.0  # with Redis: the row is read this rarely, in case a message was lost
SLOT_LEASE_SECONDS = 60.0  # a stream's slot expires unless renewed (a crashed API process frees it)

ProgressStream = EventSourceResponse  # what the routes return (and declare as response_class)
StateLoader = Callable[[AsyncSession], Awaitable[State | None]]


# --- per-user stream slots ---------------------------------------------------------------------


class StreamSlots(Protocol):
    async def acquire(self, owner: str, stream_id: str, limit: int) -> bool: ...
    async def renew(self, owner: str, stream_id: str) -> None: ...
    async def release(self, owner: str, stream_id: str) -> None: ...


class MemorySlots:
    """One API process (embedded mode): a dict of open streams per user."""

    def __init__(self) -> None:
        self._open: dict[str, dict[str, float]] = {}

    def _live(self, owner: str) -> dict[str, float]:
        now = time.monotonic()
        streams = {k: v for k, v in self._open.get(owner, {}).items() if v > now}
        self._open[owner] = streams
        return streams

    async def acquire(self, owner: str, stream_id: str, limit: int) -> bool:
        streams = self._live(owner)
        if len(streams) >= limit:
            return False
        streams[stream_id] = time.monotonic() + SLOT_LEASE_SECONDS
        return True

    async def renew(self, owner: str, stream_id: str) -> None:
        self._live(owner)[stream_id] = time.monotonic() + SLOT_LEASE_SECONDS

    async def release(self, owner: str, stream_id: str) -> None:
        self._live(owner).pop(stream_id, None)


class RedisSlots:
    """Every API process: a sorted set per user, stream id → lease expiry (unix seconds)."""

    def __init__(self, client: aioredis.Redis[bytes]) -> None:
        self._client = client

    @staticmethod
    def _key(owner: str) -> str:
        return f"mamc:sse:streams:{owner}"

    async def acquire(self, owner: str, stream_id: str, limit: int) -> bool:
        key, now = self._key(owner), time.time()
        pipe = self._client.pipeline()
        pipe.zremrangebyscore(key, "-inf", now)
        pipe.zadd(key, {stream_id: now + SLOT_LEASE_SECONDS})
        pipe.zcard(key)
        pipe.expire(key, int(SLOT_LEASE_SECONDS) * 2)
        _, _, count, _ = await pipe.execute()
        if int(count) > limit:  # add first, then count: two racing streams cannot both squeeze in
            await self._client.zrem(key, stream_id)
            return False
        return True

    async def renew(self, owner: str, stream_id: str) -> None:
        key = self._key(owner)
        await self._client.zadd(key, {stream_id: time.time() + SLOT_LEASE_SECONDS}, xx=True)
        await self._client.expire(key, int(SLOT_LEASE_SECONDS) * 2)

    async def release(self, owner: str, stream_id: str) -> None:
        await self._client.zrem(self._key(owner), stream_id)


_memory_slots = MemorySlots()


# --- the stream ---------------------------------------------------------------------------------


SEP = "\n"  # line ends as the web client and tests/support/sse.py expect


def _event(name: str, state: State) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(state, default=str), event=name, sep=SEP)


async def _read(load_state: StateLoader) -> State | None:
    async with async_session_scope() as session:  # a short session: a long stream holds none
        return await load_state(session)


def _decode(message: dict[str, Any] | None) -> State | None:
    if not message or message.get("type") != "message":
        return None
    try:
        state = json.loads(message["data"])
    except (TypeError, ValueError):
        return None
    return state if isinstance(state, dict) and "status" in state else None


async def _events(
    *,
    channel: str,
    load_state: StateLoader,
    active: Collection[str],
    owner: str,
    stream_id: str,
    slots: StreamSlots,
    client: aioredis.Redis[bytes] | None,
    max_seconds: float,
) -> AsyncIterator[ServerSentEvent]:
    pubsub = None
    try:
        if client is not None:
            pubsub = client.pubsub()
            await pubsub.subscribe(channel)  # before the first read: no change falls in between
        yield ServerSentEvent(retry=2000, sep=SEP)
        state = await _read(load_state)
        started = renewed = reconciled = time.monotonic()
        while state is not None:
            yield _event("progress", state)
            if state["status"] not in active:
                yield _event("end", state)
                return
            current = state
            while state == current:
                now = time.monotonic()
                if now - started > max_seconds:
                    return
                if now - renewed > SLOT_LEASE_SECONDS / 3:
                    await slots.renew(owner, stream_id)
                    renewed = now
                if pubsub is None:
                    await anyio.sleep(POLL_SECONDS)
                    state = await _read(load_state)
                elif now - reconciled > RECONCILE_SECONDS:
                    state, reconciled = await _read(load_state), now
                else:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0)
                    state = _decode(message) or current
                    if state["status"] not in active:  # the last event: the row's own words
                        state = await _read(load_state)
    finally:
        with anyio.CancelScope(shield=True):  # the client left: still free the slot
            await slots.release(owner, stream_id)
            if pubsub is not None:
                await pubsub.aclose()  # type: ignore[attr-defined]
            if client is not None:
                await client.aclose()  # type: ignore[attr-defined]


@dataclass(frozen=True)
class StreamSlot:
    """One live stream's place in its owner's quota, and the Redis client it listens with."""

    slots: StreamSlots
    stream_id: str
    client: Any  # redis.asyncio.Redis, or None in embedded mode


async def claim_stream_slot(owner: uuid.UUID | str) -> StreamSlot:
    """A slot for one more live stream of `owner` (every kind of stream counts: job progress, the
    coach's conversations). Raises RateLimited (429 `too_many_streams`) past the per-user cap."""
    settings = get_settings()
    client = new_async_redis()
    slots: StreamSlots = RedisSlots(client) if client is not None else _memory_slots
    stream_id = uuid.uuid4().hex
    if not await slots.acquire(str(owner), stream_id, settings.sse_max_streams_per_user):
        if client is not None:
            await client.aclose()  # type: ignore[attr-defined]
        raise RateLimited(
            f"You already follow {settings.sse_max_streams_per_user} live streams; close one first.",
            code="too_many_streams",
            headers={"Retry-After": str(int(KEEPALIVE_SECONDS))},
        )
    return StreamSlot(slots, stream_id, client)


def event_stream_response(events: AsyncIterator[ServerSentEvent]) -> ProgressStream:
    """The `text/event-stream` response, unbuffered by nginx, pinged every KEEPALIVE_SECONDS."""
    return EventSourceResponse(
        events,
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
        ping=int(KEEPALIVE_SECONDS),
        sep=SEP,
    )


async def progress_response(
    *,
    owner: uuid.UUID | str,
    channel: str,
    load_state: StateLoader,
    active: Collection[str],
    max_seconds: float = MAX_STREAM_SECONDS,
) -> ProgressStream:
    """The `text/event-stream` response (unbuffered by nginx) following one job for `owner` (the
    user). Authorise before calling this and close the request's session: the stream outlives
    it. Raises RateLimited (429 `too_many_streams`) when `owner` already holds the most streams."""
    slot = await claim_stream_slot(owner)
    return event_stream_response(
        _events(
            channel=channel,
            load_state=load_state,
            active=active,
            owner=str(owner),
            stream_id=slot.stream_id,
            slots=slot.slots,
            client=slot.client,
            max_seconds=max_seconds,
        )
    )
