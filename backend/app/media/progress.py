"""Processing progress of videos: whoever changes a video's status or progress commits, then
publishes its whole state (app/core/sse.py: Redis pub/sub when configured); the SSE endpoint
streams it (and reads the row itself in embedded mode).

Every status change goes through service.transition, which calls `publish_after_commit`: the
state is published once the transaction commits (never a state that was rolled back), from a
worker thread when the commit happens on the API's event loop."""

from __future__ import annotations

import asyncio
import uuid
from typing import Any

from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.core import sse
from app.media.models import Video, VideoStatus

# The stream stays open while the video is in one of these; any other status ends it.
ACTIVE = frozenset({VideoStatus.uploading.value, VideoStatus.processing.value})


def channel(video_id: uuid.UUID | str) -> str:
    return f"mamc:media:progress:{video_id}"


def state_of(video: Video) -> dict[str, Any]:
    """What a `progress` event carries: {status, percent, stage, failure_reason}."""
    return {
        "status": video.status.value,
        "percent": video.progress_percent,
        "stage": video.progress_stage,
        "failure_reason": video.failure_reason,
    }


def publish(video_id: uuid.UUID | str, payload: dict[str, Any]) -> None:
    """`payload`: the whole committed state (state_of, or the same four keys)."""
    sse.publish(channel(video_id), payload)


def publish_state(video: Video) -> None:
    publish(video.id, state_of(video))


_PENDING = "media_progress_after_commit"


def publish_after_commit(session: Session | AsyncSession, video: Video) -> None:
    """Publish the video's state when `session` commits (its latest state at that moment)."""
    session.info.setdefault(_PENDING, {})[video.id] = video


@event.listens_for(Session, "after_commit")
def _publish_committed(session: Session) -> None:
    videos = session.info.pop(_PENDING, {})
    if not videos:
        return
    states = [(video.id, state_of(video)) for video in videos.values()]

    def send() -> None:
        for video_id, payload in states:
            publish(video_id, payload)

    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:  # a worker: no event loop to keep free
        send()
    else:
        loop.run_in_executor(None, send)


@event.listens_for(Session, "after_rollback")
def _forget_rolled_back(session: Session) -> None:
    session.info.pop(_PENDING, None)


async def state(session: AsyncSession, video_id: uuid.UUID) -> dict[str, Any] | None:
    video = await session.get(Video, video_id)
    return None if video is None else state_of(video)
