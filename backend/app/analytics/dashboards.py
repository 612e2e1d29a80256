"""The dashboards, read from the rollup tables only (app/analytics/rollups.py)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date, timedelta
from typing import Literal

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.analytics import forecast as fc
from app.analytics import schemas
from app.analytics.models import (
    PlatformDaily,
    ReferenceDaily,
    RevenueDaily,
    VideoDaily,
    VideoRenditionDaily,
    VideoRetention,
    VideoViewerDaily,
)
from app.auth.models import Role, User
from app.core.errors import NotFound
from app.media.models import Video, VideoStatus
from app.studio.models import StudioReference

HORIZON_DAYS = 30
PROCESSING_STATES = (VideoStatus.uploading, VideoStatus.processing, VideoStatus.failed, VideoStatus.ready)


def days_between(start: date, end: date) -> list[date]:
    return [start + timedelta(days=i) for i in range((end - start).days + 1)]


def _series(name: str, days: list[date], values: dict[date, float]) -> schemas.SeriesOut:
    return schemas.SeriesOut(
        name=name, points=[schemas.DayPoint(day=d, value=values.get(d, 0.0)) for d in days]
    )


def _forecast(series: schemas.SeriesOut) -> schemas.ForecastOut:
    result = fc.forecast([p.value for p in series.points], HORIZON_DAYS)
    last = series.points[-1].day
    return schemas.ForecastOut(
        name=series.name,
        method=result.method,
        horizon_days=HORIZON_DAYS,
        points=[
            schemas.DayPoint(day=last + timedelta(days=i + 1), value=v) for i, v in enumerate(result.values)
        ],
        backtest_mae=result.backtest_mae,
        backtest_mape_pct=result.backtest_mape_pct,
        backtest_days=result.backtest_days,
    )


async def _revenue(
    session: AsyncSession, days: list[date], column: Literal["gross", "net"], instructor_id: uuid.UUID | None
) -> tuple[list[schemas.SeriesOut], list[schemas.RevenueTotal]]:
    r = RevenueDaily
    query = (
        select(r.day, r.currency, func.sum(r.sales), func.sum(r.gross_cents), func.sum(r.net_cents))
        .where(r.day >= days[0], r.day <= days[-1])
        .group_by(r.day, r.currency)
    )
    if instructor_id is not None:
        query = query.where(r.instructor_id == instructor_id)
    per_currency: dict[str, dict[date, float]] = defaultdict(dict)
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
    for day, currency, sales, gross, net in (await session.execute(query)).tuples():
        per_currency[currency][day] = float(gross if column == "gross" else net)
        t = totals[currency]
        t[0], t[1], t[2] = t[0] + int(sales), t[1] + int(gross), t[2] + int(net)
    series = [_series(f"revenue_{c}", days, v) for c, v in sorted(per_currency.items())]
    out = [
        schemas.RevenueTotal(currency=c, sales=t[0], gross_cents=t[1], net_cents=t[2])
        for c, t in sorted(totals.items())
    ]
    return series, out


def _rendition_height(rendition: str) -> int:
    """720 for "720p"; 0 for what is not a height (sorted last)."""
    digits = rendition.rstrip("p")
    return int(digits) if digits.isdigit() else 0


async def instructor(
    session: AsyncSession, user: User, start: date, end: date
) -> schemas.InstructorDashboard:
    days = days_between(start, end)
    d = VideoDaily
    per_day = (
        await session.execute(
            select(d.day, func.sum(d.views), func.sum(d.watch_seconds))
            .where(d.owner_id == user.id, d.day >= start, d.day <= end)
            .group_by(d.day)
        )
    ).tuples()
    views: dict[date, float] = {}
    hours: dict[date, float] = {}
    for day, v, w in per_day:
        views[day], hours[day] = float(v), round(float(w) / 3600, 3)
    per_video = (
        await session.execute(
            select(
                d.video_id,
                Video.title,
                func.sum(d.views),
                func.sum(d.watch_seconds),
                func.sum(d.trailer_viewers),
                func.sum(d.trailer_converted),
            )
            .join(Video, Video.id == d.video_id)
            .where(d.owner_id == user.id, d.day >= start, d.day <= end)
            .group_by(d.video_id, Video.title)
            .order_by(func.sum(d.views).desc())
        )
    ).tuples()
    vd = VideoViewerDaily
    uniques = dict(
        (
            await session.execute(
                select(vd.video_id, func.count(func.distinct(vd.viewer_id)))
                .where(vd.owner_id == user.id, vd.day >= start, vd.day <= end)
                .group_by(vd.video_id)
            )
        )
        .tuples()
        .all()
    )
    videos = [
        schemas.VideoStats(
            video_id=v,
            title=t,
            views=int(n),
            unique_viewers=int(uniques.get(v, 0)),
            watch_seconds=float(w),
            trailer_viewers=int(tv),
            trailer_converted=int(tc),
            conversion_pct=round(100 * int(tc) / int(tv), 1) if tv else None,
        )
        for v, t, n, w, tv, tc in per_video
    ]
    rd = VideoRenditionDaily
    by_rendition = (
        await session.execute(
            select(rd.rendition, func.sum(rd.watch_seconds))
            .where(rd.owner_id == user.id, rd.day >= start, rd.day <= end)
            .group_by(rd.rendition)
        )
    ).tuples()
    renditions = sorted(
        (schemas.RenditionStats(rendition=r, watch_seconds=float(w)) for r, w in by_rendition),
        key=lambda r: _rendition_height(r.rendition),
        reverse=True,
    )
    r = ReferenceDaily
    per_reference = (
        await session.execute(
            select(
                r.reference_id,
                StudioReference.name,
                func.sum(r.attempts),
                func.sum(r.scored),
                func.sum(r.score_sum),
            )
            .join(StudioReference, StudioReference.id == r.reference_id)
            .where(r.instructor_id == user.id, r.day >= start, r.day <= end)
            .group_by(r.reference_id, StudioReference.name)
        )
    ).tuples()
    references = [
        schemas.ReferenceStats(
            reference_id=ref,
            name=name,
            attempts=int(n),
            average_score=round(float(total) / int(k), 1) if k else None,
        )
        for ref, name, n, k, total in per_reference
    ]
    revenue, totals = await _revenue(session, days, "net", user.id)
    views_series = _series("views", days, views)
    return schemas.InstructorDashboard(
        start=start,
        end=end,
        views=views_series,
        watch_hours=_series("watch_hours", days, hours),
        revenue=revenue,
        revenue_totals=totals,
        videos=videos,
        renditions=renditions,
        references=references,
        forecasts=[_forecast(views_series), *(_forecast(s) for s in revenue)],
    )


async def retention(session: AsyncSession, user: User, video_id: uuid.UUID) -> schemas.RetentionOut:
    video = await session.get(Video, video_id)
    if video is None or (video.owner_id != user.id and user.role != Role.admin):
        raise NotFound("No such video.", code="video_not_found")
    rows = (
        await session.scalars(
            select(VideoRetention).where(VideoRetention.video_id == video_id).order_by(VideoRetention.pct)
        )
    ).all()
    total = rows[0].total_sessions if rows else 0
    return schemas.RetentionOut(
        video_id=video_id,
        total_sessions=total,
        points=[schemas.RetentionPoint(pct=r.pct, share=r.sessions / total if total else 0.0) for r in rows],
    )


async def admin(session: AsyncSession, start: date, end: date) -> schemas.AdminDashboard:
    days = days_between(start, end)
    p = PlatformDaily
    rows = (await session.scalars(select(p).where(p.day >= start, p.day <= end))).all()
    signups = {r.day: float(r.signups) for r in rows}
    active = {r.day: float(r.active_users) for r in rows}
    views = {r.day: float(r.views) for r in rows}
    revenue, totals = await _revenue(session, days, "gross", None)
    counts = dict(
        (await session.execute(select(Video.status, func.count()).group_by(Video.status))).tuples().all()
    )
    views_series = _series("views", days, views)
    return schemas.AdminDashboard(
        start=start,
        end=end,
        signups=_series("signups", days, signups),
        active_users=_series("active_users", days, active),
        views=views_series,
        revenue=revenue,
        revenue_totals=totals,
        processing={s.value: int(counts.get(s, 0)) for s in PROCESSING_STATES},
        moderation_backlog=int(counts.get(VideoStatus.in_review, 0)),
        forecasts=[_forecast(views_series), *(_forecast(s) for s in revenue)],
    )
