"""Request and response bodies of the media API."""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field, field_validator, model_validator

from app.media.models import Level, ReportReason, TrailerMode
from app.uploads.schemas import UploadedPartOut as UploadedPartOut

PriceType = Literal["free", "ppv", "rental", "subscription"]


def _clean_tags(tags: list[str]) -> list[str]:
    seen: list[str] = []
    for tag in tags:
        norm = re.sub(r"\s+", " ", tag.strip().lower())
        if norm and norm not in seen:
            seen.append(norm[:40])
    return seen[:20]


class PricingIn(BaseModel):
    price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    rental_price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    rental_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    currency: str = Field(default="EUR", pattern=r"^[A-Z]{3}$")
    subscription_included: bool = False

    @model_validator(mode="after")
    def _rental_needs_hours(self) -> PricingIn:
        if (self.rental_price_cents is None) != (self.rental_hours is None):
            raise ValueError("rental_price_cents and rental_hours go together")
        return self


class TrailerIn(BaseModel):
    """The public trailer: "auto" (the first seconds, if the video is long enough), "range" (from
    trailer_start_s to trailer_end_s) or "off". Never more than MEDIA_TRAILER_MAX_SHARE of it."""

    trailer_mode: TrailerMode = TrailerMode.auto
    trailer_start_s: float | None = Field(default=None, ge=0, le=24 * 3600)
    trailer_end_s: float | None = Field(default=None, ge=0, le=24 * 3600)


class VideoCreate(PricingIn, TrailerIn):
    """The upload form: details, price (free when no price is set) and trailer choice."""

    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    discipline: str = Field(min_length=1, max_length=60)
    style: str | None = Field(default=None, max_length=60)
    level: Level = Level.all_levels
    tags: list[str] = Field(default_factory=list, max_length=50)
    language: str = Field(default="en", pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")

    _tags = field_validator("tags")(_clean_tags)


class VideoUpdate(BaseModel):
    """Only the fields sent change (pricing rules are re-checked on the result)."""

    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=10_000)
    discipline: str | None = Field(default=None, min_length=1, max_length=60)
    style: str | None = Field(default=None, max_length=60)
    level: Level | None = None
    tags: list[str] | None = Field(default=None, max_length=50)
    language: str | None = Field(default=None, pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})?$")
    price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    rental_price_cents: int | None = Field(default=None, ge=0, le=10_000_000)
    rental_hours: int | None = Field(default=None, ge=1, le=24 * 365)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    subscription_included: bool | None = None
    trailer_mode: TrailerMode | None = None
    trailer_start_s: float | None = Field(default=None, ge=0, le=24 * 3600)
    trailer_end_s: float | None = Field(default=None, ge=0, le=24 * 3600)

    @field_validator("tags")
    @classmethod
    def _tags(cls, tags: list[str] | None) -> list[str] | None:
        return None if tags is None else _clean_tags(tags)


class ProgressOut(BaseModel):
    percent: int
    stage: str | None


class VideoOut(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    instructor_name: str | None = None
    title: str
    description: str
    discipline: str
    style: str | None
    level: Level
    tags: list[str]
    language: str
    price_cents: int | None
    rental_price_cents: int | None
    rental_hours: int | None
    currency: str
    subscription_included: bool
    is_free: bool
    status: str
    duration_s: float | None
    width: int | None
    height: int | None
    renditions: list[str]
    has_trailer: bool
    poster_url: str | None
    published_at: datetime | None
    created_at: datetime
    updated_at: datetime


class PendingEditOut(BaseModel):
    """A public-facing edit of a published video waiting for review (only the fields changed;
    the published version stays live until a moderator approves)."""

    title: str | None = None
    description: str | None = None
    price_cents: int | None = None
    rental_price_cents: int | None = None
    rental_hours: int | None = None
    currency: str | None = None
    subscription_included: bool | None = None
    poster_url: str | None = None  # the proposed poster (owner and admins may view it)
    changed: list[str]  # names of the fields the edit changes (a price may change to "none")
    submitted_at: datetime


class VideoOwnerOut(VideoOut):
    """What the owner (and admins) see in addition: upload/processing/review state."""

    progress: ProgressOut
    failure_reason: str | None
    rejection_reason: str | None
    review_note: str | None  # why it is in the review queue, in the reader's language
    source_size_bytes: int | None
    open_report_count: int
    trusted_report_count: int
    trailer_mode: TrailerMode
    trailer_start_s: float | None
    trailer_end_s: float | None
    pending_edit: PendingEditOut | None
    edit_rejection_reason: str | None


class VideoPage(BaseModel):
    items: list[VideoOut]
    next_cursor: str | None


class OwnerVideoPage(BaseModel):
    items: list[VideoOwnerOut]
    next_cursor: str | None


class UploadStart(BaseModel):
    filename: str = Field(min_length=1, max_length=255)
    content_type: str = Field(default="video/mp4", max_length=100)
    size_bytes: int = Field(ge=0)


class PartUrl(BaseModel):
    part_number: int
    url: str


class UploadSessionOut(BaseModel):
    video_id: uuid.UUID
    upload_id: str
    part_size: int
    part_count: int
    size_bytes: int
    parts: list[PartUrl]  # presigned PUT URLs for the parts not uploaded yet
    uploaded_parts: list[UploadedPartOut]
    expires_in: int


class PartsRequest(BaseModel):
    part_numbers: list[int] = Field(min_length=1, max_length=1000)


class PartsOut(BaseModel):
    parts: list[PartUrl]
    expires_in: int


class CompletedPart(BaseModel):
    part_number: int = Field(ge=1, le=10_000)
    etag: str = Field(min_length=1, max_length=200)


class UploadComplete(BaseModel):
    """Omit `parts` to complete with every part the store holds (a resumed upload)."""

    parts: list[CompletedPart] | None = None


class PlaybackCookie(BaseModel):
    name: str
    value: str
    path: str
    domain: str | None
    expires: int


class PlaybackOut(BaseModel):
    video_id: uuid.UUID
    kind: Literal["full", "trailer"]
    signer: str
    url: str  # the master playlist
    expires_at: datetime  # the segments' access ends here: ask again before it
    token: str | None  # path-scoped media token (embedded/nginx); already inside `url`
    cookies: list[PlaybackCookie]  # CloudFront signed cookies (also sent as Set-Cookie)
    thumbnails_url: str | None  # WebVTT sprite track
    poster_url: str | None
    duration_s: float | None
    access: str  # why access was granted: owner/admin/free/ppv/rental/subscription/trailer
    access_expires_at: datetime | None


class ReportIn(BaseModel):
    reason: ReportReason
    details: str = Field(default="", max_length=2000)


class ReportOut(BaseModel):
    id: uuid.UUID
    video_id: uuid.UUID
    reporter_id: uuid.UUID
    reason: ReportReason
    details: str
    trusted: bool  # counts toward auto-hide (a verified account old enough)
    created_at: datetime
    resolved_at: datetime | None
    resolution: str | None
    resolution_note: str | None = None


class ReportDecisionIn(BaseModel):
    outcome: Literal["dismissed", "resolved"]
    reason: str = Field(min_length=3, max_length=2000)


class DecisionIn(BaseModel):
    reason: str | None = Field(default=None, max_length=2000)


class RejectIn(BaseModel):
    reason: str = Field(min_length=3, max_length=2000)


class VideoEventOut(BaseModel):
    from_status: str | None
    to_status: str
    actor_id: uuid.UUID | None
    reason: str | None
    created_at: datetime


class ReviewItemOut(BaseModel):
    video: VideoOwnerOut
    open_reports: int
    trusted_reports: int
    review_note: str | None
    has_pending_edit: bool


class ReviewQueuePage(BaseModel):
    items: list[ReviewItemOut]
    next_cursor: str | None


class AdminVideoOut(BaseModel):
    video: VideoOwnerOut
    reports: list[ReportOut]
    history: list[VideoEventOut]
    probe: dict[str, object]


class InstructorPageOut(BaseModel):
    id: uuid.UUID
    display_name: str
    published_videos: int
    videos: VideoPage
