"""Backfill: published videos that have no extraction yet (published before knowledge was
deployed, or while its hook was off) get one queued. Used by `python -m app knowledge backfill`
and the beat task `default.knowledge.backfill`.

Idempotent: a video gets at most one KnowledgeJob (unique video_id); a run that races another
one (CLI and beat together) skips the videos the other run took. Runs in batches so a large
catalogue does not flood the studio queue at once.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

import structlog
from sqlalchemy import ColumnElement, exists, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from app.knowledge import pipeline
from app.knowledge.models import KnowledgeJob
from app.knowledge.service import queue_job
from app.media.models import Video, VideoStatus
from app.worker.dispatch import enqueue_after_commit

log = structlog.get_logger(__name__)


@dataclass
class BackfillReport:
    queued: list[uuid.UUID] = field(default_factory=list)  # job ids
    missing: int = 0  # published videos without an extraction, before this run


def _without_extraction() -> list[ColumnElement[bool]]:
    return [
        Video.status == VideoStatus.published,
        Video.source_key.is_not(None),
        Video.source_size_bytes.is_not(None),
        ~exists().where(KnowledgeJob.video_id == Video.id),
    ]


def _missing(session: Session, limit: int | None) -> list[tuple[uuid.UUID, uuid.UUID, str]]:
    """The oldest published first."""
    query = (
        select(Video.id, Video.owner_id, Video.source_key)
        .where(*_without_extraction())
        .order_by(Video.published_at.asc().nulls_first(), Video.id)
    )
    if limit is not None:
        query = query.limit(limit)
    return [(v, o, str(k)) for v, o, k in session.execute(query).all()]


def count_missing(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(Video).where(*_without_extraction())) or 0)


def backfill(session: Session, *, limit: int | None, dry_run: bool = False) -> BackfillReport:
    """Queue an extraction for up to `limit` published videos that have none; commits."""
    report = BackfillReport(missing=count_missing(session))
    if dry_run:
        return report
    for video_id, owner_id, source_key in _missing(session, limit):
        job = KnowledgeJob(owner_id=owner_id, video_id=video_id, source_key=source_key)
        queue_job(job)
        try:
            with session.begin_nested():
                session.add(job)
        except IntegrityError:  # another run queued this video meanwhile
            continue
        enqueue_after_commit(session, pipeline.EXTRACT_TASK, str(job.id))
        report.queued.append(job.id)
    session.commit()
    log.info("knowledge_backfill", queued=len(report.queued), missing=report.missing)
    return report
