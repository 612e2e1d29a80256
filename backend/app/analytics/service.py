"""Ingest of playback beacons and server-side watch progress (no HTTP here).

Ingest is cheap by construction: one SELECT of the batch's videos, one COPY of the accepted
beacons on PostgreSQL (elsewhere one multi-row INSERT: Core `insert(table).returning(id)` with a
list of rows, which SQLAlchemy's "insertmanyvalues" sends as one INSERT ... VALUES (...), (...)
statement per batch of up to 1000 rows) and one
multi-row upsert of watch progress for the signed-in viewers' full-video beacons (one row per
viewer and video: a statement may not update the same row twice).

Who a beacon is from: the playback's media token, when the batch carries one, is the proof (a
paid playback's token names its viewer and video, media/signing.py); else the signed-in user.
A full video's beacons need the token unless the video is free; trailers are public.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.analytics import schemas
from app.analytics.models import PlaybackBeacon, VideoViewerDaily, WatchProgress
from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import NotFound, PermissionDenied
from app.media.models import Video, VideoStatus
from app.media.service import is_free, poster_path
from app.media.signing import media_tokens

RESUME_MIN_S = 5.0  # resume only past the first 5 seconds ...
RESUME_MAX_SHARE = 0.95  # ... and before the last 5 %
CLIENT_CLOCK_PAST = timedelta(days=1)
CLIENT_CLOCK_FUTURE = timedelta(minutes=5)
LIVE_WINDOW_S = 30


def should_resume(position_s: float, duration_s: float | None) -> bool:
    if position_s <= RESUME_MIN_S:
        return False
    return duration_s is None or position_s < RESUME_MAX_SHARE * duration_s


@dataclass(frozen=True)
class _Target:
    video_id: uuid.UUID
    prefix: str | None
    free: bool
    published: bool


def _token_covers(settings: Settings, token: str, target: _Target, media: str) -> uuid.UUID | bool | None:
    """The viewer a valid token names for this video (None: a token without a viewer, e.g. a
    free or trailer playback), or False when it does not cover it. Beacons may arrive after the
    token expired (the end of a long film): an authentic token stays proof for a grace period."""
    if not target.prefix:
        return False
    key = target.prefix + ("trailer/master.m3u8" if media == "trailer" else "hls/master.m3u8")
    try:
        grant = media_tokens(settings).verify(
            token, key, now=time.time() - settings.analytics_token_grace_seconds
        )
    except PermissionDenied:
        return False
    if grant.video_id is not None and grant.video_id != target.video_id:
        return False
    return grant.user_id


def _when(sent: datetime | None, now: datetime) -> datetime:
    if sent is None or sent.tzinfo is None:
        return now
    if not now - CLIENT_CLOCK_PAST <= sent <= now + CLIENT_CLOCK_FUTURE:
        return now
    return sent


async def ingest(
    session: AsyncSession, settings: Settings, user: User | None, batch: schemas.BeaconBatch
) -> schemas.BeaconResult:
    now = utcnow()
    ids = {b.video_id for b in batch.beacons}
    found = (await session.scalars(select(Video).where(Video.id.in_(ids)))).all()
    targets = {
        v.id: _Target(v.id, v.media_prefix, is_free(v), v.status == VideoStatus.published) for v in found
    }
    proofs: dict[tuple[uuid.UUID, str], uuid.UUID | bool | None] = {}
    rows: list[dict[str, Any]] = []
    for beacon in batch.beacons:
        target = targets.get(beacon.video_id)
        if target is None or not target.published:
            continue
        viewer = user.id if user is not None else None
        proof: uuid.UUID | bool | None = False
        if batch.token:
            proof_key = (target.video_id, beacon.media)
            if proof_key not in proofs:
                proofs[proof_key] = _token_covers(settings, batch.token, target, beacon.media)
            proof = proofs[proof_key]
        if isinstance(proof, uuid.UUID):
            viewer = proof
        elif proof is False and beacon.media == "full" and not target.free:
            continue  # a paid video's playback without its token
        position = (
            beacon.position_s if beacon.duration_s is None else min(beacon.position_s, beacon.duration_s)
        )
        rows.append(
            {
                "received_at": now,
                "occurred_at": _when(beacon.occurred_at, now),
                "video_id": beacon.video_id,
                "user_id": viewer,
                "session_id": beacon.session_id,
                "kind": beacon.kind,
                "media": beacon.media,
                "position_s": position,
                "duration_s": beacon.duration_s,
                "rendition": beacon.rendition,
                "bitrate_kbps": beacon.bitrate_kbps,
            }
        )
    if batch.token and batch.beacons and not rows and any(p is False for p in proofs.values()):
        raise PermissionDenied(
            "This playback token is not valid for these videos.", code="bad_playback_token"
        )
    if rows:
        await _store_beacons(session, rows)
        latest: dict[tuple[uuid.UUID, uuid.UUID], dict[str, Any]] = {}
        for row in rows:
            if row["user_id"] is None or row["media"] != "full":
                continue
            key = (row["user_id"], row["video_id"])
            if key not in latest or latest[key]["updated_at"] <= row["occurred_at"]:
                latest[key] = {
                    "user_id": row["user_id"],
                    "video_id": row["video_id"],
                    "position_s": row["position_s"],
                    "duration_s": row["duration_s"],
                    "updated_at": row["occurred_at"],
                }
        if latest:
            await session.execute(_progress_upsert(session, list(latest.values())))
        await session.commit()
    return schemas.BeaconResult(accepted=len(rows), rejected=len(batch.beacons) - len(rows))


_COPY_COLUMNS = (
    "received_at",
    "occurred_at",
    "video_id",
    "user_id",
    "session_id",
    "kind",
    "media",
    "position_s",
    "duration_s",
    "rendition",
    "bitrate_kbps",
)
_COPY_SQL = f"COPY {PlaybackBeacon.__tablename__} ({', '.join(_COPY_COLUMNS)}) FROM STDIN"


async def _store_beacons(session: AsyncSession, rows: list[dict[str, Any]]) -> None:
    """PostgreSQL: COPY ... FROM STDIN on the session's own connection (inside its transaction),
    about twice a multi-row INSERT's rate: no statement of 1,100 parameters to parse and plan, no
    per-value bind processing in SQLAlchemy. Elsewhere (SQLite): one multi-row INSERT."""
    connection = await session.connection()
    if connection.dialect.name != "postgresql":
        await session.execute(insert(PlaybackBeacon.__table__).returning(PlaybackBeacon.id), rows)  # type: ignore[arg-type]
        return
    raw = await connection.get_raw_connection()
    driver: Any = raw.driver_connection  # psycopg.AsyncConnection
    async with driver.cursor() as cursor, cursor.copy(_COPY_SQL) as copy:
        for row in rows:
            await copy.write_row(tuple(row[c] for c in _COPY_COLUMNS))


def _progress_upsert(session: AsyncSession | Session, rows: list[dict[str, Any]]) -> Any:
    """INSERT ... ON CONFLICT (user, video) DO UPDATE, keeping the newest position: a late batch
    from another device does not move the position back."""
    dialect = session.get_bind().dialect.name
    stmt = (postgresql.insert if dialect == "postgresql" else sqlite.insert)(WatchProgress).values(rows)
    table = WatchProgress.__table__
    return stmt.on_conflict_do_update(
        index_elements=["user_id", "video_id"],
        set_={
            "position_s": stmt.excluded.position_s,
            "duration_s": func.coalesce(stmt.excluded.duration_s, table.c.duration_s),
            "updated_at": stmt.excluded.updated_at,
        },
        where=table.c.updated_at <= stmt.excluded.updated_at,
    )


def _progress_out(row: WatchProgress) -> schemas.ProgressOut:
    return schemas.ProgressOut(
        video_id=row.video_id,
        position_s=row.position_s,
        duration_s=row.duration_s,
        updated_at=row.updated_at,
        resume=should_resume(row.position_s, row.duration_s),
    )


async def _visible_video(session: AsyncSession, video_id: uuid.UUID) -> Video:
    video = await session.get(Video, video_id)
    if video is None or video.status != VideoStatus.published:
        raise NotFound("No such video.", code="video_not_found")
    return video


async def save_progress(
    session: AsyncSession, user: User, video_id: uuid.UUID, body: schemas.ProgressIn
) -> schemas.ProgressOut:
    video = await _visible_video(session, video_id)
    duration = body.duration_s or video.duration_s
    position = body.position_s if duration is None else min(body.position_s, duration)
    row = {
        "user_id": user.id,
        "video_id": video_id,
        "position_s": position,
        "duration_s": duration,
        "updated_at": utcnow(),
    }
    await session.execute(_progress_upsert(session, [row]))
    await session.commit()
    return await get_progress(session, user, video_id)


async def get_progress(session: AsyncSession, user: User, video_id: uuid.UUID) -> schemas.ProgressOut:
    row = await session.get(WatchProgress, (user.id, video_id), populate_existing=True)
    if row is None:
        raise NotFound("No saved position for this video.", code="no_progress")
    return _progress_out(row)


async def continue_watching(session: AsyncSession, user: User, limit: int = 12) -> schemas.ContinueWatching:
    """Videos started and not finished (the resume rule), newest first."""
    query = (
        select(WatchProgress, Video)
        .join(Video, Video.id == WatchProgress.video_id)
        .where(
            WatchProgress.user_id == user.id,
            Video.status == VideoStatus.published,
            WatchProgress.position_s > RESUME_MIN_S,
        )
        .order_by(WatchProgress.updated_at.desc())
        .limit(limit * 3)  # a few finished ones may be filtered out below
    )
    items: list[schemas.ContinueItem] = []
    for progress, video in (await session.execute(query)).tuples():
        duration = progress.duration_s or video.duration_s
        if not should_resume(progress.position_s, duration):
            continue
        items.append(
            schemas.ContinueItem(
                video_id=video.id,
                title=video.title,
                poster_url=poster_path(video),
                position_s=progress.position_s,
                duration_s=duration,
                percent=int(100 * progress.position_s / duration) if duration else 0,
                updated_at=progress.updated_at,
            )
        )
        if len(items) == limit:
            break
    return schemas.ContinueWatching(items=items)


async def live_viewers(session: AsyncSession, owner_id: uuid.UUID | None) -> schemas.LiveViewers:
    """Playback sessions with a beacon in the last LIVE_WINDOW_S seconds (per video); `owner_id`
    limits it to one instructor's videos."""
    since = utcnow() - timedelta(seconds=LIVE_WINDOW_S)
    query = (
        select(PlaybackBeacon.video_id, func.count(func.distinct(PlaybackBeacon.session_id)))
        .where(PlaybackBeacon.occurred_at >= since)
        .group_by(PlaybackBeacon.video_id)
    )
    if owner_id is not None:
        query = query.where(PlaybackBeacon.video_id.in_(select(Video.id).where(Video.owner_id == owner_id)))
    by_video = {str(video_id): int(n) for video_id, n in (await session.execute(query)).tuples()}
    return schemas.LiveViewers(
        window_seconds=LIVE_WINDOW_S, viewers=sum(by_video.values()), by_video=by_video
    )


# --- user data rights (#17 "Your data"; wired into app/privacy at merge) -----------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    progress = session.scalars(select(WatchProgress).where(WatchProgress.user_id == user_id)).all()
    beacons = session.scalar(
        select(func.count()).select_from(PlaybackBeacon).where(PlaybackBeacon.user_id == user_id)
    )
    return {
        "watch_progress": [
            {
                "video_id": str(p.video_id),
                "position_s": p.position_s,
                "duration_s": p.duration_s,
                "updated_at": p.updated_at.isoformat(),
            }
            for p in progress
        ],
        "playback_events": int(beacons or 0),
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Progress is deleted; beacons lose their user (the view counts stay, anonymous); the daily
    viewer rows get one fresh random id instead of the user's (unique counts stay exact)."""
    session.execute(delete(WatchProgress).where(WatchProgress.user_id == user_id))
    session.execute(update(PlaybackBeacon).where(PlaybackBeacon.user_id == user_id).values(user_id=None))
    session.execute(
        update(VideoViewerDaily).where(VideoViewerDaily.viewer_id == user_id).values(viewer_id=uuid.uuid4())
    )
