"""Knowledge tasks (queue `studio`): thin drivers of app/knowledge/pipeline.py.

The extraction task shares the studio's job machinery (lease, heartbeat, reaper, retries with
backoff for transient faults); the job row decides whether anything is left to do.
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from app.knowledge import pipeline
from app.worker.celery_app import celery_app

log = structlog.get_logger(__name__)

MAX_RETRIES = 5
UNAVAILABLE = "temporarily_unavailable"  # a reason code: the apps show it in it/en


@celery_app.task(name=pipeline.EXTRACT_TASK, bind=True, acks_late=True, max_retries=MAX_RETRIES)
def knowledge_extract(self: Any, job_id: str) -> str:
    job_uuid = uuid.UUID(job_id)
    try:
        return pipeline.run_job(job_uuid, task_id=self.request.id or uuid.uuid4().hex)
    except pipeline.TRANSIENT_ERRORS as exc:
        if self.request.called_directly or self.request.is_eager or self.request.retries >= MAX_RETRIES:
            pipeline.fail_job(job_uuid, UNAVAILABLE)
            log.warning("knowledge_job_gave_up", job_id=job_id, error=type(exc).__name__)
            return "failed"
        pipeline.release_for_retry(job_uuid, self.request.id)
        raise self.retry(exc=exc, countdown=min(300, 10 * 2**self.request.retries)) from exc


@celery_app.task(name="default.knowledge.reap_abandoned_uploads")
def reap_abandoned_uploads() -> int:
    """Beat: abort document uploads never completed (app/uploads reaper)."""
    return len(pipeline.reap_abandoned_uploads().aborted)


@celery_app.task(name="default.knowledge.backfill")
def backfill() -> int:
    """Beat: queue extractions for published videos that have none, a batch per run."""
    from app.core.config import get_settings
    from app.db.session import sync_session
    from app.knowledge.backfill import backfill as run

    with sync_session() as session:
        return len(run(session, limit=get_settings().knowledge_backfill_batch).queued)
