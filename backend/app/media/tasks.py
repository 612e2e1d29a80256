"""Media Celery tasks (queue `media`): thin drivers of app/media/processing.py."""

from __future__ import annotations

import uuid

from app.jobs.engine import retry_countdown
from app.media import processing
from app.worker.celery_app import celery_app


@celery_app.task(name="media.process_video", bind=True, max_retries=5)
def process_video(self, job_id: str) -> str:  # type: ignore[no-untyped-def]
    """Probe → HLS ladder → poster/sprite → trailer → in_review. Idempotent per job id."""
    try:
        return processing.run_job(uuid.UUID(job_id))
    except processing.RetryableJobError as exc:
        raise self.retry(exc=exc, countdown=retry_countdown(self.request.retries, base=15)) from exc


@celery_app.task(name="default.media.reap_stuck_jobs")
def reap_stuck_jobs() -> list[str]:
    return [str(job_id) for job_id in processing.reap_stuck_jobs()]


@celery_app.task(name="media.purge_video", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def purge_video(video_id: str) -> int:
    return processing.purge_video(uuid.UUID(video_id))


@celery_app.task(name="media.delete_prefix", autoretry_for=(OSError,), retry_backoff=True, max_retries=8)
def delete_prefix(prefix: str) -> int:
    return processing.delete_prefix(prefix)
