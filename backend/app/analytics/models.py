"""Analytics tables: raw playback beacons (append-only, inserted in bulk), watch progress (one row
per user and video) and the rollups the dashboards read (refreshed by beat, app/analytics/rollups.py).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import BigInteger, Date, Float, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base

BEACON_KINDS = ("start", "heartbeat", "quality", "end")  # quality: the player switched rendition
MEDIA_KINDS = ("full", "trailer")
RENDITION_STEP_MAX_S = 60.0  # a longer step between two beacons of a session is a seek
RETENTION_STEP_PCT = 5  # the retention curve: share still watching at each 5% of the duration


class PlaybackBeacon(Base):
    """One player event. No foreign keys and an integer key: ingest is one multi-row INSERT per
    batch; rows of deleted videos are simply never joined."""

    __tablename__ = "analytics_beacons"
    __table_args__ = (
        Index("ix_analytics_beacons_occurred_at", "occurred_at"),
        Index("ix_analytics_beacons_video_occurred", "video_id", "occurred_at"),
        Index("ix_analytics_beacons_user_id", "user_id"),
    )

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer(), "sqlite"), primary_key=True)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    occurred_at: Mapped[datetime]
    video_id: Mapped[uuid.UUID]
    user_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    session_id: Mapped[uuid.UUID]  # one playback in one player (the client makes it)
    kind: Mapped[str] = mapped_column(String(10))  # BEACON_KINDS
    media: Mapped[str] = mapped_column(String(8))  # MEDIA_KINDS
    position_s: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    rendition: Mapped[str | None] = mapped_column(String(20), default=None)
    bitrate_kbps: Mapped[int | None] = mapped_column(Integer, default=None)


class WatchProgress(Base):
    """The latest position of a user in a video, from any device."""

    __tablename__ = "watch_progress"
    __table_args__ = (Index("ix_watch_progress_user_updated", "user_id", "updated_at"),)

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), primary_key=True)
    position_s: Mapped[float] = mapped_column(Float)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)


class VideoDaily(Base):
    """Per video and UTC day: full-video views (playback sessions), unique viewers, watch time,
    trailer views and trailer viewers who bought the video that day."""

    __tablename__ = "analytics_video_daily"
    __table_args__ = (Index("ix_analytics_video_daily_day", "day"),)

    video_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    owner_id: Mapped[uuid.UUID] = mapped_column(index=True)
    views: Mapped[int] = mapped_column(Integer, default=0)
    unique_viewers: Mapped[int] = mapped_column(Integer, default=0)
    watch_seconds: Mapped[float] = mapped_column(Float, default=0.0)
    trailer_viewers: Mapped[int] = mapped_column(Integer, default=0)
    trailer_converted: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class VideoViewerDaily(Base):
    """Who watched a video on a UTC day (full video; a signed-in user's id, an anonymous session's
    id): the unique viewers of any range are COUNT(DISTINCT viewer_id) over its days, exact (a
    viewer on three days counts once). One row per viewer, video and day, so the table is at most
    the size of the day's sessions; HyperLogLog sketches per day (mergeable, ~1 % error) are the
    path when it outgrows that (docs/DEPLOYMENT_GUIDE.md)."""

    __tablename__ = "analytics_video_viewer_daily"
    __table_args__ = (Index("ix_analytics_video_viewer_daily_owner_day", "owner_id", "day"),)

    video_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    viewer_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    owner_id: Mapped[uuid.UUID]


class VideoRenditionDaily(Base):
    """Per video, UTC day and rendition (e.g. "720p"): seconds of the video played at it. Each
    full-video beacon's step forward from the session's previous beacon counts for the rendition
    that previous beacon reported (a "quality" beacon marks a switch); steps over
    RENDITION_STEP_MAX_S (seeks) and beacons without a rendition are not counted."""

    __tablename__ = "analytics_video_rendition_daily"
    __table_args__ = (Index("ix_analytics_video_rendition_daily_owner_day", "owner_id", "day"),)

    video_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    rendition: Mapped[str] = mapped_column(String(20), primary_key=True)
    owner_id: Mapped[uuid.UUID]
    watch_seconds: Mapped[float] = mapped_column(Float, default=0.0)


class VideoRetention(Base):
    """The retention curve of a video over all its full-video sessions: at each RETENTION_STEP_PCT
    of the duration, how many sessions got at least that far."""

    __tablename__ = "analytics_video_retention"

    video_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    pct: Mapped[int] = mapped_column(Integer, primary_key=True)
    sessions: Mapped[int] = mapped_column(Integer)
    total_sessions: Mapped[int] = mapped_column(Integer)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class RevenueDaily(Base):
    """Per instructor, video, currency and UTC day, from the commerce ledger (minor units)."""

    __tablename__ = "analytics_revenue_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    instructor_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    video_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    sales: Mapped[int] = mapped_column(Integer, default=0)
    gross_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    net_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class ReferenceDaily(Base):
    """Per studio reference and UTC day: attempts made and the scores of those scored."""

    __tablename__ = "analytics_reference_daily"

    reference_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    instructor_id: Mapped[uuid.UUID] = mapped_column(index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    scored: Mapped[int] = mapped_column(Integer, default=0)
    score_sum: Mapped[float] = mapped_column(Float, default=0.0)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PlatformDaily(Base):
    """Per UTC day, for admins: signups, active users (anyone who played something), views."""

    __tablename__ = "analytics_platform_daily"

    day: Mapped[date] = mapped_column(Date, primary_key=True)
    signups: Mapped[int] = mapped_column(Integer, default=0)
    active_users: Mapped[int] = mapped_column(Integer, default=0)
    views: Mapped[int] = mapped_column(Integer, default=0)
    refreshed_at: Mapped[datetime] = mapped_column(default=utcnow)
