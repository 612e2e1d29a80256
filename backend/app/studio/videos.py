"""The studio's one door into the media domain: which video a reference may point at.

Media owns videos; the studio reads them only through app.media.service
(`get_video_summary(session, video_id)` and `get_source_object_key(session, video_id)`).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

PUBLISHED = "published"


@dataclass(frozen=True)
class VideoInfo:
    id: uuid.UUID
    owner_id: uuid.UUID
    status: str
    duration_s: float | None  # None while media does not report it; the worker checks the file


async def get_video(session: AsyncSession, video_id: uuid.UUID) -> VideoInfo:
    """NotFound (video_not_found) when there is no such video."""
    from app.media import service as media_service

    summary = await media_service.get_video_summary(session, video_id)
    duration = getattr(summary, "duration_s", None)
    return VideoInfo(
        id=summary.id,
        owner_id=summary.owner_id,
        status=str(summary.status),
        duration_s=float(duration) if duration is not None else None,
    )


async def get_source_key(session: AsyncSession, video_id: uuid.UUID) -> str:
    """The object key of the video's original upload (NotFound while there is none)."""
    from app.media import service as media_service

    return await media_service.get_source_object_key(session, video_id)
