"""Request and response bodies of the social API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field

from app.media.schemas import VideoOut
from app.social.models import CommentReportReason


class VideoCommentCreate(BaseModel):
    body: str = Field(min_length=1, max_length=10_000)  # the configured limit is checked by the service
    # Replying to a reply attaches to the same top-level comment (threads are two levels deep).
    parent_id: uuid.UUID | None = None


class VideoCommentOut(BaseModel):
    id: uuid.UUID
    video_id: uuid.UUID
    parent_id: uuid.UUID | None
    author_id: uuid.UUID | None
    author_name: str | None
    is_instructor: bool  # written by the video's instructor
    body: str  # empty when deleted, or hidden and the reader may not see it
    status: str  # visible | hidden | deleted
    hidden_by: str | None
    hidden_reason: str | None  # shown to the video's managers and the author only
    pinned: bool
    reactions: dict[str, int]
    my_reactions: list[str]
    created_at: datetime
    replies: list[VideoCommentOut] = []


class VideoCommentPage(BaseModel):
    items: list[VideoCommentOut]
    next_cursor: str | None
    can_post: bool
    cannot_post_reason: str | None  # a stable code: not_authenticated, email_not_verified, ...
    can_moderate: bool  # the video's instructor (pin/hide) or an admin


class CommentReportIn(BaseModel):
    reason: CommentReportReason
    details: str = Field(default="", max_length=1000)


class ReasonIn(BaseModel):
    reason: str = Field(min_length=1, max_length=500)


class OptionalReasonIn(BaseModel):
    reason: str | None = Field(default=None, max_length=500)


class CommentReportOut(BaseModel):
    reason: str
    details: str
    created_at: datetime


class ReportedCommentOut(BaseModel):
    comment: VideoCommentOut
    reports: list[CommentReportOut]


class ReportedCommentPage(BaseModel):
    items: list[ReportedCommentOut]
    next_cursor: str | None


class LikesOut(BaseModel):
    count: int
    liked: bool


class FollowOut(BaseModel):
    followers: int
    following: bool


class CourseCreate(BaseModel):
    title: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=5000)


class CourseUpdate(BaseModel):
    title: str | None = Field(default=None, min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=5000)
    published: bool | None = None
    # The bundle price in minor units; send null to stop selling the course as a bundle (leave
    # it out to keep the price as it is). `currency` is required with a price.
    price_cents: int | None = Field(default=None, gt=0)
    currency: str | None = Field(default=None, min_length=3, max_length=3)


class CourseVideosIn(BaseModel):
    video_ids: list[uuid.UUID] = Field(max_length=200)


class CourseOut(BaseModel):
    id: uuid.UUID
    owner_id: uuid.UUID
    instructor_name: str
    title: str
    description: str
    published: bool
    videos: list[VideoOut]  # the published ones, in order (catalog cards)
    video_ids: list[uuid.UUID]  # the whole order (its managers); the published ones otherwise
    price_cents: int | None = None  # the bundle price (minor units); None: not sold as a bundle
    currency: str | None = None  # ISO, lowercase
    videos_total_cents: int | None = None  # the published videos' own prices, in that currency
    savings_cents: int | None = None  # videos_total_cents - price_cents (never below 0)
    owned: bool = False  # the viewer bought this course
    owned_video_ids: list[uuid.UUID] = []  # videos the viewer may already play (price unchanged)


class CourseCardOut(BaseModel):
    """A published course in the catalog: public fields only (its cover is the first published
    video's public poster, never media)."""

    id: uuid.UUID
    owner_id: uuid.UUID
    instructor_name: str
    title: str
    video_count: int  # its published videos
    duration_s: float | None = None  # their total, when every one is known
    cover_url: str | None = None
    published_at: datetime
    price_cents: int | None = None  # the bundle price (minor units); None: not sold as a bundle
    currency: str | None = None  # ISO, lowercase
    videos_total_cents: int | None = None  # the published videos' own prices, in that currency
    savings_cents: int | None = None


class CoursePage(BaseModel):
    items: list[CourseCardOut]
    next_cursor: str | None = None
