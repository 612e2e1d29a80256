"""Leaderboards: per reference (each student's best score) and per ISO week (XP earned, UTC weeks
so everyone shares one board).

SQL is the truth and the embedded mode's only source. With Redis configured the boards are
mirrored in sorted sets (`mamc:learning:lb:ref:<id>`, `mamc:learning:lb:week:<2026-W48>`): the
API reads the top from Redis and, when a board is missing (never built, expired, Redis flushed),
rebuilds it from SQL; the worker writes a student's absolute value (never an increment, so a
repeated write is harmless) after the transaction that changed it commits, and only into boards
that exist. Privacy: readers drop students who opted out and show display names only.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Final

import redis.asyncio as aioredis
import structlog
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.core.errors import ValidationFailed
from app.core.redis import REDIS_FAILURES, async_redis, get_redis, redis_failed, redis_succeeded, redis_usable
from app.db.session import sync_session
from app.learning.models import LearningAward, LearningEvent, LearningProfile

log = structlog.get_logger(__name__)

PREFIX: Final = "mamc:learning:lb:"
WEEK_TTL_SECONDS: Final = 6 * 7 * 86400
REFERENCE_TTL_SECONDS: Final = 30 * 86400
MAX_ROWS: Final = 100


def reference_key(reference_id: uuid.UUID) -> str:
    return f"{PREFIX}ref:{reference_id}"


def week_key(week: str) -> str:
    return f"{PREFIX}week:{week}"


def iso_week(day: date) -> str:
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def current_week(now: datetime) -> str:
    return iso_week(now.astimezone(UTC).date())


def week_bounds(week: str) -> tuple[datetime, datetime]:
    """UTC bounds of an ISO week such as "2026-W48"."""
    try:
        monday = datetime.strptime(f"{week}-1", "%G-W%V-%u").replace(tzinfo=UTC)
    except ValueError as exc:
        raise ValidationFailed("A week looks like 2026-W48.", code="learning_bad_week") from exc
    return monday, monday + timedelta(days=7)


@dataclass(frozen=True)
class Standing:
    user_id: uuid.UUID
    value: float


StandingsQuery = Callable[[Session], list[Standing]]


def is_opted_out(session: Session, user_id: uuid.UUID) -> bool:
    return user_id in _opted_out(session, [user_id])


def reference_standings(session: Session, reference_id: uuid.UUID) -> list[Standing]:
    """Every student's best score on a reference, best first (opted-out students included: the
    reader filters them, as it does for Redis)."""
    best = func.max(LearningEvent.score)
    rows = session.execute(
        select(LearningEvent.user_id, best)
        .where(LearningEvent.reference_id == reference_id, LearningEvent.score.is_not(None))
        .group_by(LearningEvent.user_id)
        .order_by(best.desc(), LearningEvent.user_id)
    ).all()
    return [Standing(u, float(v)) for u, v in rows if v is not None]


def week_standings(session: Session, week: str) -> list[Standing]:
    start, end = week_bounds(week)
    total = func.sum(LearningAward.xp)
    rows = session.execute(
        select(LearningAward.user_id, total)
        .where(LearningAward.created_at >= start, LearningAward.created_at < end)
        .group_by(LearningAward.user_id)
        .order_by(total.desc(), LearningAward.user_id)
    ).all()
    return [Standing(u, float(v)) for u, v in rows]


def _best_on(session: Session, user_id: uuid.UUID, reference_id: uuid.UUID) -> float | None:
    value = session.scalar(
        select(func.max(LearningEvent.score)).where(
            LearningEvent.user_id == user_id, LearningEvent.reference_id == reference_id
        )
    )
    return None if value is None else float(value)


def _week_xp(session: Session, user_id: uuid.UUID, week: str) -> int:
    start, end = week_bounds(week)
    value = session.scalar(
        select(func.coalesce(func.sum(LearningAward.xp), 0)).where(
            LearningAward.user_id == user_id,
            LearningAward.created_at >= start,
            LearningAward.created_at < end,
        )
    )
    return int(value or 0)


# --- the worker side: mirror a student's values after the commit


def mirror_after_commit(
    session: Session,
    user_id: uuid.UUID,
    reference_id: uuid.UUID | None,
    *,
    at: datetime,
    erased: bool = False,
) -> None:
    """Once `session` commits, copy the student's current values into the Redis boards (no-op
    without Redis). A failure is logged and left: the award is committed, the board catches up
    on the student's next event or when it is rebuilt."""
    if get_redis() is None:
        return

    def run(_: Session) -> None:
        try:
            mirror(user_id, reference_id, at=at, erased=erased)
        except Exception:
            log.exception("learning_leaderboard_mirror_failed")

    event.listen(session, "after_commit", run, once=True)


def mirror(user_id: uuid.UUID, reference_id: uuid.UUID | None, *, at: datetime, erased: bool = False) -> None:
    client = get_redis()
    if client is None or not redis_usable():
        return
    member = str(user_id)
    week = current_week(at)
    try:
        if erased:
            for found in client.scan_iter(match=f"{PREFIX}*", count=1000):
                client.zrem(found, member)
            redis_succeeded()
            return
        with sync_session() as session:
            week_xp = _week_xp(session, user_id, week)
            best = None if reference_id is None else _best_on(session, user_id, reference_id)
        pipe = client.pipeline()
        keys = [week_key(week)] + ([] if reference_id is None else [reference_key(reference_id)])
        for key in keys:
            pipe.exists(key)
        exists = pipe.execute()
        pipe = client.pipeline()
        if exists[0]:
            pipe.zadd(week_key(week), {member: week_xp})
        if reference_id is not None and exists[1] and best is not None:
            pipe.zadd(reference_key(reference_id), {member: best})
        pipe.execute()
        redis_succeeded()
    except REDIS_FAILURES as exc:
        redis_failed("learning_leaderboard_mirror", exc)


# --- the API side: read a board


@dataclass(frozen=True)
class BoardRow:
    rank: int
    display_name: str
    value: float
    is_me: bool


def _opted_out(session: Session, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    if not ids:
        return set()
    return set(
        session.scalars(
            select(LearningProfile.user_id).where(
                LearningProfile.user_id.in_(ids), LearningProfile.leaderboard_opt_out.is_(True)
            )
        )
    )


def public_rows(
    session: Session, standings: list[Standing], viewer_id: uuid.UUID, limit: int
) -> list[BoardRow]:
    """The board as others may see it: opted-out students left out, display names only."""
    hidden = _opted_out(session, [s.user_id for s in standings])
    visible = [s for s in standings if s.user_id not in hidden][:limit]
    users = auth_service.get_users(session, [s.user_id for s in visible])
    return [
        BoardRow(
            rank,
            users[s.user_id].display_name if s.user_id in users else "—",
            s.value,
            s.user_id == viewer_id,
        )
        for rank, s in enumerate(visible, start=1)
        if s.user_id in users
    ]


async def read_board(
    session: AsyncSession,
    *,
    key: str,
    ttl_seconds: int,
    standings_sql: StandingsQuery,
    viewer_id: uuid.UUID,
    limit: int,
) -> list[BoardRow]:
    """Top `limit` visible rows of a board: from Redis when configured (rebuilt from SQL when the
    set is missing), else from SQL."""
    standings: list[Standing] | None = None
    client = async_redis()
    if client is not None and redis_usable():
        try:
            if await client.exists(key):
                standings = await _top_from_redis(session, client, key, limit)
            else:
                standings = await session.run_sync(standings_sql)
                if standings:
                    await client.zadd(key, {str(s.user_id): s.value for s in standings})
                    await client.expire(key, ttl_seconds)
            redis_succeeded()
        except REDIS_FAILURES as exc:
            redis_failed("learning_leaderboard_read", exc)
            standings = None
    if standings is None:
        standings = await session.run_sync(standings_sql)
    return await session.run_sync(public_rows, standings, viewer_id, limit)


async def _top_from_redis(
    session: AsyncSession, client: aioredis.Redis[bytes], key: str, limit: int
) -> list[Standing]:
    """Enough of the top of the set to fill `limit` rows once opted-out students are dropped."""
    chunk = limit + 20
    start = 0
    standings: list[Standing] = []
    while True:
        pairs = await client.zrevrange(key, start, start + chunk - 1, withscores=True)
        page = [
            Standing(uuid.UUID(m.decode() if isinstance(m, bytes) else str(m)), float(v)) for m, v in pairs
        ]
        standings.extend(page)
        hidden = await session.run_sync(_opted_out, [s.user_id for s in standings])
        if len(pairs) < chunk or sum(1 for s in standings if s.user_id not in hidden) >= limit:
            return standings
        start += chunk
