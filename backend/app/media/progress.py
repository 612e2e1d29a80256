"""Processing progress: workers publish, the SSE endpoint listens (app/core/sse.py: Redis pub/sub
when configured; the endpoint also polls the row, so embedded mode without Redis works the same,
only slower)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import sse
from app.media.models import Video, VideoStatus

# The stream stays open while the video is in one of these; any other status ends it.
ACTIVE = frozenset({VideoStatus.uploading.value, VideoStatus.processing.value})


def channel(video_id: uuid.UUID | str) -> str:
    return f"mamc:media:progress:{video_id}"


def publish(video_id: uuid.UUID | str, payload: dict[str, Any]) -> None:
    sse.publish(channel(video_id), payload)


async def state(session: AsyncSession, video_id: uuid.UUID) -> dict[str, Any] | None:
    """What a `progress` event carries: {status, percent, stage, failure_reason}."""
    video = await session.get(Video, video_id)
    if video is None:
        return None
    return {
        "status": video.status.value,
        "percent": video.progress_percent,
        "stage": video.progress_stage,
        "failure_reason": video.failure_reason,
    }
