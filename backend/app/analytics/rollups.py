"""Rollup tables, refreshed by beat (app/analytics/tasks.py): hourly the current and previous UTC
day (views, viewers, watch time, trailer conversion, revenue, attempts, signups, active users),
daily the retention curves. Each refresh replaces a day's rows in one transaction, so running it
twice is harmless.

Definitions (what the dashboards show):
- a view is a playback session (the client's session id) of the full video with any beacon;
- unique viewers: distinct signed-in users, anonymous sessions counted one each; over a range,
  the distinct count of the range's viewer rows (VideoViewerDaily), so a viewer of several days
  counts once;
- time by rendition: each step forward between two beacons of a session counts for the rendition
  the earlier one reported (VideoRenditionDaily; steps over RENDITION_STEP_MAX_S are seeks);
- watch time of a session: the furthest position minus the earliest one it reported;
- retention at p %: the share of sessions whose furthest position reached p % of the duration;
- trailer conversion: of the day's buyers of a video, those who had watched its trailer before
  paying, over the day's trailer viewers.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import case, delete, func, insert, select
from sqlalchemy.orm import Session

from app.analytics.models import (
    RENDITION_STEP_MAX_S,
    RETENTION_STEP_PCT,
    PlatformDaily,
    PlaybackBeacon,
    ReferenceDaily,
    RevenueDaily,
    VideoDaily,
    VideoRenditionDaily,
    VideoRetention,
    VideoViewerDaily,
)
from app.analytics.service import CLIENT_CLOCK_PAST
from app.auth.models import User
from app.commerce.models import LedgerEntry, LedgerEntryType, Purchase, PurchaseStatus
from app.core.clock import as_utc, utcnow
from app.learning import rules as learning_rules
from app.learning import service as learning
from app.learning.models import LearningProfile
from app.media.models import Video
from app.studio.models import StudioAttempt, StudioReference


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(), tzinfo=UTC)
    return start, start + timedelta(days=1)


def retention_curve(reached_shares: Iterable[float]) -> list[tuple[int, int]]:
    """(pct, sessions that reached at least pct % of the duration) for pct = 0, 5, ..., 100."""
    shares = list(reached_shares)
    return [
        (pct, sum(1 for s in shares if s * 100 >= pct - 1e-9)) for pct in range(0, 101, RETENTION_STEP_PCT)
    ]


def _sessions(
    session: Session, start: datetime, end: datetime
) -> list[tuple[uuid.UUID, uuid.UUID, str, uuid.UUID | None, float, float]]:
    b = PlaybackBeacon
    rows = session.execute(
        select(b.video_id, b.session_id, b.media, b.user_id, func.min(b.position_s), func.max(b.position_s))
        .where(b.occurred_at >= start, b.occurred_at < end)
        .group_by(b.video_id, b.session_id, b.media, b.user_id)
    ).tuples()
    return [(v, s, m, u, float(lo), float(hi)) for v, s, m, u, lo, hi in rows]


def _rendition_seconds(
    session: Session, start: datetime, end: datetime
) -> dict[tuple[uuid.UUID, str], float]:
    """(video, rendition) → seconds played at it in [start, end): each full-video beacon's step
    forward from its session's previous one, credited to the previous one's rendition."""
    b = PlaybackBeacon
    order = (b.occurred_at, b.id)
    steps = (
        select(
            b.video_id.label("video_id"),
            (b.position_s - func.lag(b.position_s).over(partition_by=b.session_id, order_by=order)).label(
                "step"
            ),
            func.lag(b.rendition).over(partition_by=b.session_id, order_by=order).label("rendition"),
        )
        .where(b.occurred_at >= start, b.occurred_at < end, b.media == "full")
        .subquery()
    )
    rows = session.execute(
        select(steps.c.video_id, steps.c.rendition, func.sum(steps.c.step))
        .where(steps.c.rendition.is_not(None), steps.c.step > 0, steps.c.step <= RENDITION_STEP_MAX_S)
        .group_by(steps.c.video_id, steps.c.rendition)
    ).tuples()
    return {(v, r): float(w) for v, r, w in rows}


def refresh_day(session: Session, day: date) -> None:
    start, end = day_bounds(day)
    now = utcnow()
    views: dict[uuid.UUID, int] = defaultdict(int)
    viewers: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    watch: dict[uuid.UUID, float] = defaultdict(float)
    trailer_viewers: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    active: set[uuid.UUID] = set()
    for video_id, session_id, media, user_id, lo, hi in _sessions(session, start, end):
        if media == "trailer":
            trailer_viewers[video_id].add(user_id or session_id)
            continue
        views[video_id] += 1
        viewers[video_id].add(user_id or session_id)
        watch[video_id] += max(0.0, hi - lo)
        if user_id is not None:
            active.add(user_id)

    # the day's buyers who watched the trailer before paying
    first_trailer = (
        select(
            PlaybackBeacon.user_id,
            PlaybackBeacon.video_id,
            func.min(PlaybackBeacon.occurred_at).label("first"),
        )
        .where(PlaybackBeacon.media == "trailer", PlaybackBeacon.user_id.is_not(None))
        .group_by(PlaybackBeacon.user_id, PlaybackBeacon.video_id)
        .subquery()
    )
    converted: dict[uuid.UUID, int] = defaultdict(int)
    for bought_id, n in session.execute(
        select(Purchase.video_id, func.count(func.distinct(Purchase.user_id)))
        .join(
            first_trailer,
            (first_trailer.c.user_id == Purchase.user_id) & (first_trailer.c.video_id == Purchase.video_id),
        )
        .where(Purchase.paid_at >= start, Purchase.paid_at < end, first_trailer.c.first <= Purchase.paid_at)
        .where(Purchase.status != PurchaseStatus.failed)
        .group_by(Purchase.video_id)
    ).tuples():
        if bought_id is not None:  # the join never matches a course bundle (no video of its own)
            converted[bought_id] = int(n)

    video_ids = set(views) | set(trailer_viewers) | set(converted)
    owners = (
        dict(session.execute(select(Video.id, Video.owner_id).where(Video.id.in_(video_ids))).tuples().all())
        if video_ids
        else {}
    )
    session.execute(delete(VideoDaily).where(VideoDaily.day == day))
    video_rows = [
        {
            "video_id": v,
            "day": day,
            "owner_id": owners[v],
            "views": views[v],
            "unique_viewers": len(viewers[v]),
            "watch_seconds": watch[v],
            "trailer_viewers": len(trailer_viewers[v]),
            "trailer_converted": converted[v],
            "refreshed_at": now,
        }
        for v in video_ids
        if v in owners
    ]
    if video_rows:
        session.execute(insert(VideoDaily), video_rows)
    session.execute(delete(VideoViewerDaily).where(VideoViewerDaily.day == day))
    viewer_rows = [
        {"video_id": v, "day": day, "viewer_id": viewer, "owner_id": owners[v]}
        for v, ids in viewers.items()
        if v in owners
        for viewer in ids
    ]
    if viewer_rows:
        session.execute(insert(VideoViewerDaily), viewer_rows)
    session.execute(delete(VideoRenditionDaily).where(VideoRenditionDaily.day == day))
    rendition_rows = [
        {"video_id": v, "day": day, "rendition": r, "owner_id": owners[v], "watch_seconds": w}
        for (v, r), w in _rendition_seconds(session, start, end).items()
        if v in owners
    ]
    if rendition_rows:
        session.execute(insert(VideoRenditionDaily), rendition_rows)

    # revenue from the commerce ledger (signed: refunds and lost disputes subtract)
    session.execute(delete(RevenueDaily).where(RevenueDaily.day == day))
    le = LedgerEntry
    revenue = session.execute(
        select(
            le.instructor_id,
            func.coalesce(Purchase.video_id, Purchase.course_id),  # a course bundle: its course
            le.currency,
            func.sum(case((le.entry_type == LedgerEntryType.sale, 1), else_=0)),
            func.sum(le.gross_cents),
            func.sum(le.net_cents),
        )
        .join(Purchase, Purchase.id == le.purchase_id)
        .where(le.occurred_at >= start, le.occurred_at < end)
        .group_by(le.instructor_id, func.coalesce(Purchase.video_id, Purchase.course_id), le.currency)
    ).tuples()
    revenue_rows = [
        {
            "day": day,
            "instructor_id": i,
            "video_id": v,
            "currency": c,
            "sales": int(s),
            "gross_cents": int(g),
            "net_cents": int(n),
            "refreshed_at": now,
        }
        for i, v, c, s, g, n in revenue
    ]
    if revenue_rows:
        session.execute(insert(RevenueDaily), revenue_rows)

    # studio attempts and scores per reference
    session.execute(delete(ReferenceDaily).where(ReferenceDaily.day == day))
    a = StudioAttempt
    attempts = session.execute(
        select(
            a.reference_id,
            StudioReference.instructor_id,
            func.count(),
            func.count(a.score),
            func.sum(a.score),
        )
        .join(StudioReference, StudioReference.id == a.reference_id)
        .where(a.created_at >= start, a.created_at < end)
        .group_by(a.reference_id, StudioReference.instructor_id)
    ).tuples()
    reference_rows = [
        {
            "reference_id": r,
            "day": day,
            "instructor_id": i,
            "attempts": int(n),
            "scored": int(k),
            "score_sum": float(total or 0.0),
            "refreshed_at": now,
        }
        for r, i, n, k, total in attempts
    ]
    if reference_rows:
        session.execute(insert(ReferenceDaily), reference_rows)

    signups = session.scalar(
        select(func.count()).select_from(User).where(User.created_at >= start, User.created_at < end)
    )
    session.execute(delete(PlatformDaily).where(PlatformDaily.day == day))
    session.add(
        PlatformDaily(
            day=day,
            signups=int(signups or 0),
            active_users=len(active),
            views=sum(views.values()),
            refreshed_at=now,
        )
    )
    session.flush()


def refresh_recent(session: Session, now: datetime | None = None) -> list[date]:
    """Beat, hourly: today and yesterday (late beacons land in yesterday)."""
    today = (now or utcnow()).date()
    days = [today - timedelta(days=1), today]
    for day in days:
        refresh_day(session, day)
    return days


def credit_watch_time(session: Session, now: datetime | None = None, *, lookback_hours: int = 3) -> int:
    """Beat, hourly (after the rollups): hand learning each signed-in viewer's watch time of a
    video on their local day (`learning.service.record_watch`, which only credits a larger total,
    so reruns add nothing). Only (viewer, video) pairs with full-video beacons received in the
    last `lookback_hours` are looked at (a late offline batch too: its beacons may be dated up to
    CLIENT_CLOCK_PAST back); their totals cover the last two days of beacons. A session's
    watch time is the rollups' (furthest minus earliest position) and it counts on the local day
    of its last beacon. Commits after each viewer (short profile locks). Returns the calls made."""
    now = now or utcnow()
    b = PlaybackBeacon
    since = now - timedelta(hours=lookback_hours)
    fresh = (
        select(b.user_id, b.video_id)
        .where(
            b.received_at >= since,
            b.occurred_at >= since - CLIENT_CLOCK_PAST,  # bounds the scan (indexed)
            b.media == "full",
            b.user_id.is_not(None),
        )
        .distinct()
        .subquery()
    )
    sessions = session.execute(
        select(b.user_id, b.video_id, func.min(b.position_s), func.max(b.position_s), func.max(b.occurred_at))
        .join(fresh, (fresh.c.user_id == b.user_id) & (fresh.c.video_id == b.video_id))
        .join(User, User.id == b.user_id)
        .where(b.occurred_at >= now - timedelta(days=2), b.media == "full")
        .group_by(b.user_id, b.video_id, b.session_id)
    ).tuples()
    by_user: dict[uuid.UUID, list[tuple[uuid.UUID, float, datetime]]] = defaultdict(list)
    for user_id, video_id, lo, hi, last in sessions:
        if user_id is not None:
            by_user[user_id].append((video_id, max(0.0, float(hi) - float(lo)), as_utc(last)))
    profiles = select(LearningProfile.user_id, LearningProfile.timezone)
    zones = dict(session.execute(profiles.where(LearningProfile.user_id.in_(by_user))).tuples().all())
    calls = 0
    for user_id, watched in by_user.items():
        days: dict[tuple[uuid.UUID, date], tuple[float, datetime]] = {}
        for video_id, seconds, last in watched:
            key = (video_id, learning_rules.local_day(last, zones.get(user_id, "UTC")))
            total, latest = days.get(key, (0.0, last))
            days[key] = (total + seconds, max(latest, last))
        for (video_id, _day), (total, latest) in sorted(days.items(), key=lambda kv: kv[1][1]):
            learning.record_watch(session, user_id, video_id, int(total), at=latest)
            calls += 1
        session.commit()
    return calls


def refresh_retention(session: Session, video_ids: Iterable[uuid.UUID] | None = None) -> int:
    """Beat, daily: the retention curve of every video with full-video beacons (or those given)."""
    b = PlaybackBeacon
    query = (
        select(b.video_id, func.max(b.position_s), func.max(b.duration_s))
        .where(b.media == "full")
        .group_by(b.video_id, b.session_id)
    )
    if video_ids is not None:
        query = query.where(b.video_id.in_(list(video_ids)))
    sessions = session.execute(query).tuples().all()
    ids = {video_id for video_id, _, _ in sessions}
    durations = dict(
        session.execute(select(Video.id, Video.duration_s).where(Video.id.in_(ids))).tuples().all()
    )
    reached: dict[uuid.UUID, list[float]] = defaultdict(list)
    for video_id, furthest, reported in sessions:
        duration = reported or durations.get(video_id)
        if duration:
            reached[video_id].append(min(1.0, float(furthest) / float(duration)))
    now = utcnow()
    for video_id, shares in reached.items():
        session.execute(delete(VideoRetention).where(VideoRetention.video_id == video_id))
        session.execute(
            insert(VideoRetention),
            [
                {
                    "video_id": video_id,
                    "pct": pct,
                    "sessions": n,
                    "total_sessions": len(shares),
                    "refreshed_at": now,
                }
                for pct, n in retention_curve(shares)
            ],
        )
    session.flush()
    return len(reached)


def purge_beacons(session: Session, older_than_days: int) -> int:
    cutoff = utcnow() - timedelta(days=older_than_days)
    result = session.execute(delete(PlaybackBeacon).where(PlaybackBeacon.occurred_at < cutoff))
    return int(getattr(result, "rowcount", 0) or 0)
