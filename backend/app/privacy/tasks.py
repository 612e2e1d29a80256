"""Privacy tasks (queue `default`): build an export; beat erases due accounts and reaps exports."""

from __future__ import annotations

import uuid
from typing import Any

from app.db.session import sync_session
from app.privacy import service
from app.worker.celery_app import celery_app


@celery_app.task(name=service.EXPORT_TASK, bind=True, acks_late=True)
def build_export(self: Any, export_id: str) -> str:
    with sync_session() as session:
        return service.build_export(session, uuid.UUID(export_id), str(self.request.id or ""))


@celery_app.task(name="default.privacy.erase_due")
def erase_due() -> int:
    with sync_session() as session:
        return service.erase_due(session)


@celery_app.task(name="default.privacy.reap_exports")
def reap_exports() -> int:
    with sync_session() as session:
        return service.reap_exports(session)
