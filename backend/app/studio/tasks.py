"""Studio tasks (queue `studio`): thin drivers of app/studio/jobs.py.

acks_late + reject_on_worker_lost are global: a task whose worker dies is redelivered, and the job
row decides whether there is anything left to do (a ready job is never redone).
"""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from app.jobs.engine import retry_countdown
from app.studio import jobs
from app.worker.celery_app import celery_app

log = structlog.get_logger(__name__)

MAX_RETRIES = 5
UNAVAILABLE = "temporarily_unavailable"  # a reason code: the apps show it in it/en


def drive_job(task: Any, kind: str, job_id: str, run: Any, *, unavailable: str = UNAVAILABLE) -> str:
    """Run one job of the studio's runner (studio, voice) from its Celery task: transient faults
    release the job and retry with backoff; past MAX_RETRIES the job fails with `unavailable`."""
    job_uuid = uuid.UUID(job_id)
    try:
        return str(run(job_uuid, task_id=task.request.id or uuid.uuid4().hex))
    except jobs.TRANSIENT_ERRORS as exc:
        if task.request.called_directly or task.request.is_eager or task.request.retries >= MAX_RETRIES:
            jobs.fail_job(kind, job_uuid, unavailable)
            log.warning("job_gave_up", kind=kind, job_id=job_id, error=type(exc).__name__)
            return "failed"
        jobs.release_for_retry(kind, job_uuid, task.request.id)
        raise task.retry(exc=exc, countdown=retry_countdown(task.request.retries, base=10)) from exc


@celery_app.task(name="studio.extract_reference", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def extract_reference(self: Any, reference_id: str) -> str:
    return drive_job(self, "reference", reference_id, jobs.run_reference_job)


@celery_app.task(name="studio.analyse_attempt", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def analyse_attempt(self: Any, attempt_id: str) -> str:
    return drive_job(self, "attempt", attempt_id, jobs.run_attempt_job)


@celery_app.task(name="default.studio.reap_stuck_jobs")
def reap_stuck_jobs(timeout_seconds: float | None = None) -> int:
    """Beat: put jobs stuck in running (no progress for the timeout) or lost in pending back on the queue."""
    return len(jobs.requeue_stuck_jobs(timeout_seconds=timeout_seconds))


@celery_app.task(name="default.studio.reap_abandoned_uploads")
def reap_abandoned_uploads() -> int:
    """Beat: abort attempt uploads left unfinished for STUDIO_UPLOAD_ABANDON_SECONDS (attempt failed)."""
    return len(jobs.reap_abandoned_uploads().aborted)
