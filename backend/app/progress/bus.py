"""The one progress publisher: a domain publishes a job's whole committed state on the job's
channel; the streams following it (app/progress/stream.py) pass it on. Free of HTTP: workers
and services import it.

A state is `{"status", "percent", "stage", "failure_reason"}`, the same shape for every domain,
so the web client reads every stream alike. Publishing is best effort (Redis pub/sub is at most
once; without Redis there is nobody to tell): the row stays the truth and the stream reads it.

Two ways to publish:
- `publish(channel(...), state)` after the commit that changed the row (workers do this);
- `publish_after_commit(session, channel, state_of)` inside a transaction: the state is computed
  and sent once the session commits (never a state that was rolled back), from a worker thread
  when the commit happens on the API's event loop (a Redis call must not block it).
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.core.redis import get_redis

log = structlog.get_logger(__name__)

State = dict[str, Any]

CHANNEL_PREFIX = "mamc"


def state(status: str, percent: int, stage: str | None, failure_reason: str | None) -> State:
    """The one shape of a progress event, for every domain."""
    return {"status": status, "percent": percent, "stage": stage, "failure_reason": failure_reason}


def channel(domain: str, *parts: uuid.UUID | str) -> str:
    """The channel of one job's progress: `mamc:<domain>:progress:<part>:...`, e.g.
    channel("media", video_id) or channel("studio", "attempt", attempt_id)."""
    return ":".join([CHANNEL_PREFIX, domain, "progress", *(str(p) for p in parts)])


def publish(channel: str, payload: State) -> None:
    """Send the job's whole committed state to the streams listening on `channel` (best effort:
    the row stays the truth). Synchronous: async callers run it in a thread."""
    client = get_redis()
    if client is None:
        return
    try:
        client.publish(channel, json.dumps(payload, default=str))
    except Exception as exc:
        log.warning("progress_publish_failed", channel=channel, error=str(exc))


_PENDING = "progress_after_commit"


def publish_after_commit(
    session: Session | AsyncSession, channel: str, state_of: Callable[[], State]
) -> None:
    """Publish `state_of()` on `channel` when `session` commits. `state_of` is called at that
    moment, so several changes in one transaction publish the latest state once."""
    session.info.setdefault(_PENDING, {})[channel] = state_of


@event.listens_for(Session, "after_commit")
def _publish_committed(session: Session) -> None:
    pending: dict[str, Callable[[], State]] = session.info.pop(_PENDING, {})
    if not pending:
        return
    states = [(name, state_of()) for name, state_of in pending.items()]

    def send() -> None:
        for name, payload in states:
            publish(name, payload)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a worker: no event loop to keep free
        send()
    else:
        loop.run_in_executor(None, send)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)
