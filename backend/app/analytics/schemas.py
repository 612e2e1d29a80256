"""Analytics request and response bodies."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

MAX_BATCH = 500


class BeaconIn(BaseModel):
    video_id: uuid.UUID
    session_id: uuid.UUID
    kind: Literal["start", "heartbeat", "quality", "end"]  # quality: a rendition switch
    media: Literal["full", "trailer"] = "full"
    position_s: float = Field(ge=0, le=24 * 3600)
    duration_s: float | None = Field(default=None, gt=0, le=24 * 3600)
    rendition: str | None = Field(default=None, max_length=20)
    bitrate_kbps: int | None = Field(default=None, ge=0, le=1_000_000)
    occurred_at: datetime | None = None  # the client's clock; the server's when absent or absurd


class BeaconBatch(BaseModel):
    token: str | None = Field(default=None, max_length=2048)  # the playback's media token
    beacons: list[BeaconIn] = Field(min_length=1, max_length=MAX_BATCH)


class BeaconResult(BaseModel):
    accepted: int
    rejected: int


class ProgressIn(BaseModel):
    position_s: float = Field(ge=0, le=24 * 3600)
    duration_s: float | None = Field(default=None, gt=0, le=24 * 3600)


class ProgressOut(BaseModel):
    video_id: uuid.UUID
    position_s: float
    duration_s: float | None
    updated_at: datetime
    resume: bool  # position > 5 s and < 95 % of the duration


class ContinueItem(BaseModel):
    video_id: uuid.UUID
    title: str
    poster_url: str | None
    position_s: float
    duration_s: float | None
    percent: int
    updated_at: datetime


class ContinueWatching(BaseModel):
    items: list[ContinueItem]


class DayPoint(BaseModel):
    day: date
    value: float


class SeriesOut(BaseModel):
    name: str
    points: list[DayPoint]


class ForecastOut(BaseModel):
    name: str
    method: str
    horizon_days: int
    points: list[DayPoint]
    backtest_mae: float | None
    backtest_mape_pct: float | None
    backtest_days: int


class VideoStats(BaseModel):
    video_id: uuid.UUID
    title: str
    views: int
    unique_viewers: int
    watch_seconds: float
    trailer_viewers: int
    trailer_converted: int
    conversion_pct: float | None


class RenditionStats(BaseModel):
    rendition: str  # e.g. "720p", as the player reported it
    watch_seconds: float


class RetentionPoint(BaseModel):
    pct: int
    share: float


class RetentionOut(BaseModel):
    video_id: uuid.UUID
    total_sessions: int
    points: list[RetentionPoint]


class RevenueTotal(BaseModel):
    currency: str
    sales: int
    gross_cents: int
    net_cents: int


class ReferenceStats(BaseModel):
    reference_id: uuid.UUID
    name: str
    attempts: int
    average_score: float | None


class InstructorDashboard(BaseModel):
    start: date
    end: date
    views: SeriesOut
    watch_hours: SeriesOut
    revenue: list[SeriesOut]  # one per currency (net, minor units)
    revenue_totals: list[RevenueTotal]
    videos: list[VideoStats]
    renditions: list[RenditionStats]  # watch time per rendition, highest first
    references: list[ReferenceStats]
    forecasts: list[ForecastOut]


class AdminDashboard(BaseModel):
    start: date
    end: date
    signups: SeriesOut
    active_users: SeriesOut
    views: SeriesOut
    revenue: list[SeriesOut]  # gross, minor units, one per currency
    revenue_totals: list[RevenueTotal]
    processing: dict[str, int]  # videos per processing state
    moderation_backlog: int  # videos waiting for review
    forecasts: list[ForecastOut]


class LiveViewers(BaseModel):
    window_seconds: int
    viewers: int
    by_video: dict[str, int]
