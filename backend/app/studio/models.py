"""Studio tables: reference techniques, student attempts (each one a job row) and comments.

A reference and an attempt are both units of work for a worker: the row is the job's idempotency
key, its state machine lives in app/studio/service.py and its outputs live in object storage
under keys derived from the row id (app/studio/keys.py), so a rerun overwrites them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.db.base import Base, IdMixin, TimestampMixin
from app.jobs.models import JobColumns
from app.jobs.models import JobStatus as JobStatus  # studio code and tests name it from here


class StudioReference(IdMixin, TimestampMixin, JobColumns, Base):
    """An instructor's reference technique: a time range of one of their published videos."""

    __tablename__ = "studio_references"

    instructor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    video_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("videos.id", ondelete="CASCADE"), index=True)
    source_key: Mapped[str] = mapped_column(String(512))  # the video's original upload
    name: Mapped[str] = mapped_column(String(200))
    t_start: Mapped[float] = mapped_column(Float)
    t_end: Mapped[float] = mapped_column(Float)
    joints: Mapped[list[str]] = mapped_column(JSON, default=list)  # empty = every joint
    # Technique type (video_studio.techniques): phase names and cue wording follow it.
    technique: Mapped[str] = mapped_column(String(20), default="general", server_default="general")
    skeleton_key: Mapped[str | None] = mapped_column(String(512), default=None)
    skeleton_frames: Mapped[int | None] = mapped_column(Integer, default=None)
    # The marked range cut from the video (the reference side of the overlay); None for
    # references made before it was kept.
    clip_key: Mapped[str | None] = mapped_column(String(512), default=None)


class StudioAttempt(IdMixin, TimestampMixin, JobColumns, Base):
    """A student's try at a reference: the upload, then the analysis job and its report."""

    __tablename__ = "studio_attempts"

    reference_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("studio_references.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    part_size: Mapped[int] = mapped_column(Integer)
    part_count: Mapped[int] = mapped_column(Integer)
    source_key: Mapped[str] = mapped_column(String(512))
    upload_id: Mapped[str | None] = mapped_column(String(1024), default=None)  # None once completed
    uploaded_at: Mapped[datetime | None] = mapped_column(default=None)
    # The language the student sent it in: the words burned into the overlay video.
    lang: Mapped[str] = mapped_column(String(5), default="en", server_default="en")
    # Results (status ready): the score (None when the video is not the reference movement) and
    # the language-neutral report (video_studio.pose_report renders it per request) are small
    # enough for a JSON column; videos, plots and the full report live in object storage.
    score: Mapped[float | None] = mapped_column(Float, default=None)
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON, default=None)
    overlay_key: Mapped[str | None] = mapped_column(String(512), default=None)
    # lang -> joint -> object key of the angle plot (reports before per-language plots: joint -> key)
    plot_keys: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class StudioComment(IdMixin, Base):
    """An instructor's note on an attempt, shown on its report."""

    __tablename__ = "studio_comments"

    attempt_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("studio_attempts.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
