"""Media tables: videos (metadata, pricing, state, media keys), processing jobs, reports and
the status history. Only app/media/service.py and its siblings query them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

import sqlalchemy.dialects.postgresql  # noqa: F401 - registers func.to_tsvector (search index)
from sqlalchemy import (
    JSON,
    BigInteger,
    Enum,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    func,
    literal_column,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin, TimestampMixin


class VideoStatus(enum.StrEnum):
    draft = "draft"  # metadata only
    uploading = "uploading"  # multipart upload open
    processing = "processing"  # a job probes/transcodes it
    failed = "failed"  # the upload could not be used (failure_reason says why)
    ready = "ready"  # processed; waits for its instructor to submit it (with its price) for review
    in_review = "in_review"  # waiting for a moderator (submitted, resubmitted or auto-hidden)
    published = "published"  # in the catalog
    rejected = "rejected"  # a moderator said no (rejection_reason)
    unpublished = "unpublished"  # taken down by its instructor or a moderator
    archived = "archived"  # deleted by its instructor: row kept (soft delete), objects removed


class Level(enum.StrEnum):
    beginner = "beginner"
    intermediate = "intermediate"
    advanced = "advanced"
    all_levels = "all_levels"


class JobState(enum.StrEnum):
    queued = "queued"
    running = "running"
    succeeded = "succeeded"
    failed = "failed"
    cancelled = "cancelled"


class TrailerMode(enum.StrEnum):
    auto = "auto"  # the first MEDIA_TRAILER_SECONDS (none for videos shorter than the minimum)
    range = "range"  # the instructor's range [trailer_start_s, trailer_end_s)
    off = "off"  # no public trailer


class ReviewNote(enum.StrEnum):
    """Why a video is in the moderators' queue (shown to them in their language)."""

    submitted = "submitted"
    resubmitted = "resubmitted"
    auto_hidden = "auto_hidden"
    edit_pending = "edit_pending"  # published; a public-facing edit waits for review


class ReportReason(enum.StrEnum):
    inappropriate = "inappropriate"
    violence = "violence"  # beyond martial-arts instruction
    spam = "spam"
    copyright = "copyright"
    misleading = "misleading"
    other = "other"


class Video(IdMixin, TimestampMixin, Base):
    __tablename__ = "videos"
    __table_args__ = (
        Index("ix_videos_status_id", "status", "id"),
        # The catalog's "newest published first" keyset order (app/media/catalog.py)
        Index(
            "ix_videos_published_order",
            "published_at",
            "id",
            postgresql_where=text("status = 'published'"),
            sqlite_where=text("status = 'published'"),
        ),
        # Catalog full-text search (PostgreSQL only; SQLite falls back to LIKE): app/media/catalog.py
        Index(
            "ix_videos_search_fts",
            func.to_tsvector(literal_column("'simple'::regconfig"), literal_column("search_text")),
            postgresql_using="gin",
        ).ddl_if(dialect="postgresql"),
        # Typo-tolerant catalog search (pg_trgm's `<%`): app/core/text_search.py
        Index(
            "ix_videos_search_trgm",
            "search_text",
            postgresql_using="gin",
            postgresql_ops={"search_text": "gin_trgm_ops"},
        ).ddl_if(dialect="postgresql"),
    )

    owner_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    discipline: Mapped[str] = mapped_column(String(60), index=True)  # e.g. karate, bjj
    style: Mapped[str | None] = mapped_column(String(60), default=None)  # e.g. shotokan
    level: Mapped[Level] = mapped_column(
        Enum(Level, name="video_level", native_enum=False, length=20), default=Level.all_levels
    )
    tags: Mapped[list[str]] = mapped_column(JSON, default=list)
    language: Mapped[str] = mapped_column(String(12), default="en")
    # Lower-cased title + description + tags + discipline/style: what catalog search matches.
    search_text: Mapped[str] = mapped_column(Text, default="")

    # Pricing (contract with commerce): free when both prices are None.
    price_cents: Mapped[int | None] = mapped_column(default=None)
    rental_price_cents: Mapped[int | None] = mapped_column(default=None)
    rental_hours: Mapped[int | None] = mapped_column(default=None)
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    subscription_included: Mapped[bool] = mapped_column(default=False)

    status: Mapped[VideoStatus] = mapped_column(
        Enum(VideoStatus, name="video_status", native_enum=False, length=20), default=VideoStatus.draft
    )
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    rejection_reason: Mapped[str | None] = mapped_column(Text, default=None)
    review_note: Mapped[str | None] = mapped_column(Text, default=None)  # why it is in the queue
    progress_percent: Mapped[int] = mapped_column(default=0)
    progress_stage: Mapped[str | None] = mapped_column(String(40), default=None)

    # Upload (the original file; the API never reads it)
    source_key: Mapped[str | None] = mapped_column(String(300), default=None)
    upload_id: Mapped[str | None] = mapped_column(String(1024), default=None)
    upload_size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)  # declared by the client
    upload_part_size: Mapped[int | None] = mapped_column(default=None)
    upload_filename: Mapped[str | None] = mapped_column(String(255), default=None)
    source_size_bytes: Mapped[int | None] = mapped_column(BigInteger, default=None)  # as stored

    # Outputs of the current processing job: everything under media_prefix
    media_prefix: Mapped[str | None] = mapped_column(String(300), default=None)
    has_trailer: Mapped[bool] = mapped_column(default=False)
    # The instructor's trailer choice (app/media/trailer.py turns it into the range that is cut).
    trailer_mode: Mapped[TrailerMode] = mapped_column(
        Enum(TrailerMode, name="video_trailer_mode", native_enum=False, length=10),
        default=TrailerMode.auto,
    )
    trailer_start_s: Mapped[float | None] = mapped_column(default=None)
    trailer_end_s: Mapped[float | None] = mapped_column(default=None)
    poster_key: Mapped[str | None] = mapped_column(String(300), default=None)
    duration_s: Mapped[float | None] = mapped_column(default=None)
    width: Mapped[int | None] = mapped_column(default=None)
    height: Mapped[int | None] = mapped_column(default=None)
    renditions: Mapped[list[str]] = mapped_column(JSON, default=list)
    probe: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)

    open_report_count: Mapped[int] = mapped_column(default=0)
    # Open reports from trusted reporters (verified, account old enough): what auto-hide counts.
    trusted_report_count: Mapped[int] = mapped_column(default=0)
    # A public-facing edit (title, description, poster, price) of a published video, waiting
    # for review while the published version stays live: {field: new value}.
    pending_edit: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    pending_edit_at: Mapped[datetime | None] = mapped_column(default=None)
    edit_rejection_reason: Mapped[str | None] = mapped_column(Text, default=None)
    published_at: Mapped[datetime | None] = mapped_column(default=None)
    deleted_at: Mapped[datetime | None] = mapped_column(default=None)


class VideoJob(IdMixin, TimestampMixin, Base):
    """One unit of processing work. Its id is the idempotency key and part of every output key;
    `lease` names the run that currently owns it (a rerun that finds a live lease skips)."""

    __tablename__ = "video_jobs"

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default="process")
    state: Mapped[JobState] = mapped_column(
        Enum(JobState, name="video_job_state", native_enum=False, length=20),
        default=JobState.queued,
        index=True,
    )
    attempts: Mapped[int] = mapped_column(default=0)  # runs started
    requeues: Mapped[int] = mapped_column(default=0)  # by the reaper
    lease: Mapped[str | None] = mapped_column(String(64), default=None)
    stage: Mapped[str | None] = mapped_column(String(40), default=None)
    percent: Mapped[int] = mapped_column(default=0)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    error: Mapped[str | None] = mapped_column(Text, default=None)
    result: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class VideoReport(IdMixin, Base):
    __tablename__ = "video_reports"
    __table_args__ = (UniqueConstraint("video_id", "reporter_id", name="uq_video_reports_video_reporter"),)

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    reporter_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    reason: Mapped[ReportReason] = mapped_column(
        Enum(ReportReason, name="video_report_reason", native_enum=False, length=20)
    )
    details: Mapped[str] = mapped_column(Text, default="")
    # Verified and old enough (MEDIA_REPORT_TRUSTED_AFTER_HOURS) when reporting: counts toward
    # auto-hide; other reports reach the moderators but never hide a video on their own.
    trusted: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    resolved_at: Mapped[datetime | None] = mapped_column(default=None)
    resolved_by: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    resolution: Mapped[str | None] = mapped_column(String(40), default=None)
    resolution_note: Mapped[str | None] = mapped_column(Text, default=None)  # the moderator's reason


class VideoEvent(IdMixin, Base):
    """Every status change of a video, in order (the instructor's timeline; admin decisions also
    go to the audit log)."""

    __tablename__ = "video_events"

    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    from_status: Mapped[str | None] = mapped_column(String(20), default=None)
    to_status: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), default=None
    )
    reason: Mapped[str | None] = mapped_column(Text, default=None)
    job_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
