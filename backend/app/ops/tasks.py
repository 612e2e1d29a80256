"""Celery entry for the nightly backup (beat: `nightly-backup` in app/worker/celery_app.py).

Thin, as every task: the service does the work; a rerun the same day just makes another archive
and retention keeps the newest of the day.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from app.core.config import get_settings
from app.ops import service
from app.worker.celery_app import celery_app


@celery_app.task(  # type: ignore[untyped-decorator]
    name="default.ops.backup",
    acks_late=True,
    reject_on_worker_lost=True,
    autoretry_for=(OSError,),
    retry_backoff=60,
    max_retries=3,
)
def backup() -> dict[str, Any]:
    return asdict(service.run_backup(get_settings()))
