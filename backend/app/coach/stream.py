"""A conversation's live events over SSE. Every use of app.core.sse by the coach is here (the
publisher, the per-user stream slots, the Redis client), so moving that module means editing
only this file.

Events (JSON data):

    event: token       {message_id, text, offset}   text of the reply from character `offset`
    event: done        {message_id, status, sources, error}
    event: speech      {message_id, url}            the reply spoken (asked with `speak`)
    event: transcript  {transcription_id, status, text, language, confidence, error}
    event: end         {}                           only with close_when_idle

The rows are the truth. The worker writes the growing reply to its row every
COACH_STORE_EVERY_SECONDS and publishes batches of tokens on the conversation's channel. A
stream sends, on connect, what the rows hold for replies still being written or just finished,
then: with Redis, the published events (and a look at the rows every RECONCILE_SECONDS, in case
a message was lost); without Redis (embedded mode), what changed in the rows, read every
POLL_SECONDS. `offset` makes token events idempotent: a client appends only the part past what
it holds, so an event seen twice (pub/sub and a row read, or a reply restarted after a worker
crash, which starts again at offset 0) never doubles text.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

import anyio
import redis.asyncio as aioredis
import structlog
from sqlalchemy import or_, select
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as SQLAlchemyTimeoutError
from sqlalchemy.ext.asyncio import AsyncSession
from sse_starlette.event import ServerSentEvent
from sse_starlette.sse import EventSourceResponse

from app.coach.events import channel, done_event, speech_event, token_event, transcript_event
from app.coach.models import ACTIVE_STATUSES, CoachMessage, CoachTranscription, Role, TranscriptionStatus
from app.core.clock import utcnow
from app.db.session import async_session_scope
from app.progress import stream as sse

log = structlog.get_logger(__name__)

POLL_SECONDS = 0.2
RECONCILE_SECONDS = 10.0
RECENT = timedelta(seconds=30)  # finished this recently before a stream opened: still sent
MAX_STREAM_SECONDS = 3600.0

Event = tuple[str, dict[str, Any]]


@dataclass
class _Seen:
    """What this stream already sent: characters per reply, finished replies and transcripts."""

    chars: dict[str, int] = field(default_factory=dict)
    finished: set[str] = field(default_factory=set)
    transcripts: set[str] = field(default_factory=set)
    speeches: set[str] = field(default_factory=set)
    active: bool = True  # anything still being written (as of the last row read)

    def token(self, data: dict[str, Any]) -> Event | None:
        """The part of a token event past what was sent (None: nothing new)."""
        mid, text, offset = str(data["message_id"]), str(data["text"]), int(data.get("offset", 0))
        if mid in self.finished:
            return None
        held = self.chars.get(mid, 0)
        if offset > held:  # a gap (a lost batch): wait for the row read to fill it
            return None
        new = text[held - offset :]
        if not new:
            return None
        self.chars[mid] = held + len(new)
        return "token", {"message_id": mid, "text": new, "offset": held}

    def accept(self, name: str, data: dict[str, Any]) -> list[Event]:
        if name == "token":
            event = self.token(data)
            return [event] if event else []
        if name == "done":
            mid = str(data["message_id"])
            if mid in self.finished:
                return []
            self.finished.add(mid)
            return [("done", data)]
        if name == "speech":
            mid = str(data["message_id"])
            if mid in self.speeches:
                return []
            self.speeches.add(mid)
            return [("speech", data)]
        if name == "transcript":
            tid = str(data["transcription_id"])
            if tid in self.transcripts or data.get("status") == TranscriptionStatus.pending:
                return []
            self.transcripts.add(tid)
            return [("transcript", data)]
        return []


async def _rows(
    session: AsyncSession, conversation_id: uuid.UUID, since: datetime
) -> tuple[list[CoachMessage], list[CoachTranscription]]:
    messages = (
        await session.scalars(
            select(CoachMessage)
            .where(CoachMessage.conversation_id == conversation_id, CoachMessage.role == Role.assistant.value)
            .where(
                or_(
                    CoachMessage.status.in_([s.value for s in ACTIVE_STATUSES]),
                    CoachMessage.finished_at >= since,
                )
            )
            .order_by(CoachMessage.id)
        )
    ).all()
    transcripts = (
        await session.scalars(
            select(CoachTranscription)
            .where(CoachTranscription.conversation_id == conversation_id)
            .where(
                or_(
                    CoachTranscription.status == TranscriptionStatus.pending.value,
                    CoachTranscription.finished_at >= since,
                )
            )
        )
    ).all()
    return list(messages), list(transcripts)


async def _from_rows(conversation_id: uuid.UUID, since: datetime, seen: _Seen) -> list[Event]:
    """What the rows hold that this stream has not sent. A busy database (pool exhausted,
    timeout) costs this look only: the stream stays open and looks again later."""
    try:
        async with async_session_scope() as session:
            messages, transcripts = await _rows(session, conversation_id, since)
    except (SQLAlchemyTimeoutError, OperationalError) as exc:
        log.warning("coach_stream_read_failed", error=type(exc).__name__)
        return []
    events: list[Event] = []
    active = False
    for message in messages:
        if message.status in ACTIVE_STATUSES:
            active = True
        if message.text:
            events += seen.accept("token", token_event(message))
        if message.status not in ACTIVE_STATUSES:
            events += seen.accept("done", done_event(message))
        if message.speech_key and str(message.id) not in seen.speeches:
            events += seen.accept("speech", speech_event(message.id, message.speech_key))
    for row in transcripts:
        if row.status == TranscriptionStatus.pending.value:
            active = True
        events += seen.accept("transcript", transcript_event(row))
    seen.active = active
    return events


def _decode(message: dict[str, Any] | None) -> Event | None:
    if not message or message.get("type") != "message":
        return None
    try:
        payload = json.loads(message["data"])
        return str(payload["event"]), dict(payload["data"])
    except (TypeError, ValueError, KeyError):
        return None


def _sse(name: str, data: dict[str, Any]) -> ServerSentEvent:
    return ServerSentEvent(data=json.dumps(data, default=str), event=name, sep=sse.SEP)


async def _events(
    *,
    conversation_id: uuid.UUID,
    close_when_idle: bool,
    owner: str,
    stream_id: str,
    slots: sse.StreamSlots,
    client: aioredis.Redis[bytes] | None,
) -> AsyncIterator[ServerSentEvent]:
    pubsub = None
    since = utcnow() - RECENT
    seen = _Seen()
    try:
        if client is not None:
            pubsub = client.pubsub()
            await pubsub.subscribe(channel(conversation_id))  # before the first read
        yield ServerSentEvent(retry=2000, sep=sse.SEP)
        started = renewed = read_at = time.monotonic()
        for name, data in await _from_rows(conversation_id, since, seen):
            yield _sse(name, data)
        while time.monotonic() - started < MAX_STREAM_SECONDS:
            if close_when_idle and not seen.active:
                yield _sse("end", {})
                return
            now = time.monotonic()
            if now - renewed > sse.SLOT_LEASE_SECONDS / 3:
                await slots.renew(owner, stream_id)
                renewed = now
            events: list[Event] = []
            if pubsub is None or now - read_at > RECONCILE_SECONDS:
                if pubsub is None:
                    await anyio.sleep(POLL_SECONDS)
                events = await _from_rows(conversation_id, since, seen)
                read_at = time.monotonic()
            else:
                decoded = _decode(await pubsub.get_message(ignore_subscribe_messages=True, timeout=1.0))
                if decoded is not None:
                    events = seen.accept(*decoded)
                    if close_when_idle and decoded[0] in ("done", "transcript"):
                        read_at = 0.0  # is anything else still being written? the rows say

            for name, data in events:
                yield _sse(name, data)
    finally:
        with anyio.CancelScope(shield=True):  # the client left: still free the slot
            await slots.release(owner, stream_id)
            if pubsub is not None:
                await pubsub.aclose()  # type: ignore[attr-defined]
            if client is not None:
                await client.aclose()  # type: ignore[attr-defined]


async def conversation_stream(
    *, owner: uuid.UUID, conversation_id: uuid.UUID, close_when_idle: bool = False
) -> EventSourceResponse:
    """Authorise first. RateLimited (429 too_many_streams) past the per-user stream cap (shared
    with every other live stream of the user)."""
    slot = await sse.claim_stream_slot(owner)
    return sse.event_stream_response(
        _events(
            conversation_id=conversation_id,
            close_when_idle=close_when_idle,
            owner=str(owner),
            stream_id=slot.stream_id,
            slots=slot.slots,
            client=slot.client,
        )
    )
