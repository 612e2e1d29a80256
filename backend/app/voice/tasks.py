"""Voice tasks (queue `studio`): thin drivers of app/voice/jobs.py (the job row decides whether
anything is left to do; transient faults retry with backoff, as the studio's tasks do)."""

from __future__ import annotations

from typing import Any

from app.studio.tasks import MAX_RETRIES, drive_job
from app.voice import jobs
from app.voice.service import CHECK_PROFILE_TASK, DUB_KIND, DUB_TASK, PROFILE_KIND
from app.worker.celery_app import celery_app

UNAVAILABLE = "temporarily_unavailable"  # a reason code: the apps show it in it/en


@celery_app.task(name=CHECK_PROFILE_TASK, bind=True, acks_late=True, max_retries=MAX_RETRIES)
def voice_check_profile(self: Any, profile_id: str) -> str:
    return drive_job(self, PROFILE_KIND, profile_id, jobs.run_check_job, unavailable=UNAVAILABLE)


@celery_app.task(name=DUB_TASK, bind=True, acks_late=True, max_retries=MAX_RETRIES)
def voice_dub(self: Any, dub_id: str) -> str:
    return drive_job(self, DUB_KIND, dub_id, jobs.run_dub_job, unavailable=UNAVAILABLE)


@celery_app.task(name="default.voice.reap_abandoned_uploads")
def reap_abandoned_uploads() -> int:
    """Beat: abort voice sample uploads left unfinished for VOICE_UPLOAD_ABANDON_SECONDS."""
    return len(jobs.reap_abandoned_uploads().aborted)
