"""Helpers shared by the media tests (plain functions; fixtures live in conftest.py)."""

from __future__ import annotations

import subprocess
import uuid
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.auth.models import User
from app.core.clock import utcnow
from app.db.session import sync_session
from app.media.models import Video, VideoJob


def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


VIDEO_BODY: dict[str, Any] = {
    "title": "Heian Shodan step by step",
    "description": "The first kata of Shotokan karate, slowly.",
    "discipline": "karate",
    "style": "shotokan",
    "level": "beginner",
    "tags": ["Kata", "basics"],
    "language": "en",
}


async def create_video(
    client: httpx.AsyncClient, headers: dict[str, str], **overrides: Any
) -> dict[str, Any]:
    resp = await client.post("/api/v1/videos", json={**VIDEO_BODY, **overrides}, headers=headers)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


async def put_part(client: httpx.AsyncClient, url: str, data: bytes) -> httpx.Response:
    """PUT to a presigned part URL: the embedded store's (through the ASGI app) or S3's."""
    parts = urlsplit(url)
    if parts.netloc == "testserver":
        return await client.put(f"{parts.path}?{parts.query}", content=data)
    async with httpx.AsyncClient() as direct:
        return await direct.put(url, content=data)


async def upload_file(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    video_id: str,
    data: bytes,
    *,
    declared_size: int | None = None,
    complete: bool = True,
) -> httpx.Response | None:
    """The whole client flow: open, PUT every part, complete with the ETags."""
    start = await client.post(
        f"/api/v1/videos/{video_id}/upload",
        json={"filename": "kata.mp4", "content_type": "video/mp4", "size_bytes": declared_size or len(data)},
        headers=headers,
    )
    assert start.status_code == 201, start.text
    session = start.json()
    part_size = session["part_size"]
    etags = []
    for part in session["parts"]:
        n = part["part_number"]
        chunk = data[(n - 1) * part_size : n * part_size]
        resp = await put_part(client, part["url"], chunk)
        assert resp.status_code == 200, resp.text
        etags.append({"part_number": n, "etag": resp.headers["ETag"]})
    if not complete:
        return None
    return await client.post(
        f"/api/v1/videos/{video_id}/upload/complete", json={"parts": etags}, headers=headers
    )


def settled(user: User, days: int = 30) -> User:
    """An account created `days` ago (make_user's are brand new)."""
    with sync_session() as session:
        row = session.get(User, user.id)
        assert row is not None
        row.created_at = utcnow() - timedelta(days=days)
    user.created_at = utcnow() - timedelta(days=days)
    return user


def video_row(video_id: str | uuid.UUID) -> Video:
    with sync_session() as session:
        video = session.get(Video, uuid.UUID(str(video_id)))
        assert video is not None
        session.expunge(video)
        return video


def jobs_of(video_id: str | uuid.UUID) -> list[VideoJob]:
    from sqlalchemy import select

    with sync_session() as session:
        rows = list(session.scalars(select(VideoJob).where(VideoJob.video_id == uuid.UUID(str(video_id)))))
        for row in rows:
            session.expunge(row)
        return rows


def ffmpeg_read(url: str, out: Path) -> subprocess.CompletedProcess[bytes]:
    """ffmpeg plays the HLS at `url` end to end (remuxing to a local file)."""
    return subprocess.run(
        [ffmpeg(), "-v", "error", "-y", "-i", url, "-c", "copy", str(out)],
        capture_output=True,
        timeout=120,
        check=False,
    )
