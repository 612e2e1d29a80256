"""Voice tasks (queue `studio`): thin drivers of app/voice/jobs.py (the job row decides whether
anything is left to do; transient faults retry with backoff, as the studio's tasks do)."""

from __future__ import annotations

import uuid
from typing import Any

import structlog

from app.jobs.engine import retry_countdown
from app.voice import jobs
from app.voice.service import CHECK_PROFILE_TASK, DUB_KIND, DUB_TASK, PROFILE_KIND
from app.worker.celery_app import celery_app

log = structlog.get_logger(__name__)

MAX_RETRIES = 5
UNAVAILABLE = "A service was temporarily unavailable while working on your voice. Please try again."


def _drive(task: Any, kind: str, job_id: str, run: Any) -> str:
    job_uuid = uuid.UUID(job_id)
    try:
        return str(run(job_uuid, task_id=task.request.id or uuid.uuid4().hex))
    except jobs.TRANSIENT_ERRORS as exc:
        if task.request.called_directly or task.request.is_eager or task.request.retries >= MAX_RETRIES:
            jobs.fail_job(kind, job_uuid, UNAVAILABLE)
            log.warning("voice_job_gave_up", kind=kind, job_id=job_id, error=type(exc).__name__)
            return "failed"
        jobs.release_for_retry(kind, job_uuid, task.request.id)
        raise task.retry(exc=exc, countdown=retry_countdown(task.request.retries, base=10)) from exc


@celery_app.task(name=CHECK_PROFILE_TASK, bind=True, acks_late=True, max_retries=MAX_RETRIES)
def voice_check_profile(self: Any, profile_id: str) -> str:
    return _drive(self, PROFILE_KIND, profile_id, jobs.run_check_job)


@celery_app.task(name=DUB_TASK, bind=True, acks_late=True, max_retries=MAX_RETRIES)
def voice_dub(self: Any, dub_id: str) -> str:
    return _drive(self, DUB_KIND, dub_id, jobs.run_dub_job)


@celery_app.task(name="default.voice.reap_abandoned_uploads")
def reap_abandoned_uploads() -> int:
    """Beat: abort voice sample uploads left unfinished for VOICE_UPLOAD_ABANDON_SECONDS."""
    return len(jobs.reap_abandoned_uploads().aborted)
