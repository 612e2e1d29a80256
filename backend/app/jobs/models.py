"""The engine's columns for domains whose row is its own job (studio references and attempts;
next: documents to extract, dubs, exports). A domain table mixes in `JobColumns` and declares a
`JobTable(model, domain, task, running=JobStatus.running, queued=JobStatus.pending)`: the
defaults of `JobTable` name these columns. Media keeps its own `video_jobs` history table (one
row per processing run of a video) and names its columns in its `JobTable`.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class JobStatus(enum.StrEnum):
    uploading = "uploading"  # waiting for the client to finish the upload (jobs that start with one)
    pending = "pending"  # queued for a worker
    running = "running"
    ready = "ready"
    failed = "failed"


# Not a native enum: a VARCHAR, so adding a status needs no migration of the type.
_STATUS = Enum(JobStatus, name="job_status", native_enum=False, length=20)


class JobColumns:
    """State, progress and the bookkeeping the engine and its reaper need."""

    status: Mapped[JobStatus] = mapped_column(_STATUS, default=JobStatus.pending, index=True)
    progress: Mapped[int] = mapped_column(Integer, default=0)  # percent, 0..100
    stage: Mapped[str] = mapped_column(String(40), default="queued")
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    task_id: Mapped[str | None] = mapped_column(String(64), default=None)  # Celery task of the holder
    lease_id: Mapped[str | None] = mapped_column(String(32), default=None)  # one per claim
    run_count: Mapped[int] = mapped_column(Integer, default=0)  # the engine's attempts
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
