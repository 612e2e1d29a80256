"""The one abandoned-upload beat task (queue `default`): every registered upload kind, each at
its own abandonment age and through its own cleanup hook (app/uploads/flow.py `reap_every_kind`)."""

from __future__ import annotations

from app.core.config import get_settings
from app.uploads.flow import reap_every_kind
from app.worker.celery_app import celery_app


@celery_app.task(name="default.uploads.reap_abandoned")
def reap_abandoned() -> int:
    """Beat (hourly): abort uploads left unfinished, of every kind. Returns how many were aborted."""
    celery_app.loader.import_default_modules()  # each domain's tasks module registers its kinds
    reports = reap_every_kind(get_settings())
    return sum(len(report.aborted) for report in reports.values())
