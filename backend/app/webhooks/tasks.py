"""Webhook tasks (queue `default`): one delivery attempt; beat re-sends deliveries that are due."""

from __future__ import annotations

import uuid

from app.db.session import sync_session
from app.webhooks import service
from app.worker.celery_app import celery_app
from app.worker.dispatch import enqueue


@celery_app.task(name="default.webhooks.deliver")
def deliver(delivery_id: str) -> str:
    with sync_session() as session:
        return service.deliver(session, uuid.UUID(delivery_id))


@celery_app.task(name="default.webhooks.retry_due")
def retry_due() -> int:
    with sync_session() as session:
        ids = service.due(session)
    for delivery_id in ids:
        enqueue(service.DELIVER_TASK, str(delivery_id))
    return len(ids)
