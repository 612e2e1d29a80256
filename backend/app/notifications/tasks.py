"""Notification tasks (queue `default`): the digest and practice reminders (beat), Expo push."""

from __future__ import annotations

from app.db.session import sync_session
from app.notifications import push, service
from app.worker.celery_app import celery_app


@celery_app.task(name="default.notifications.send_digests")
def send_digests() -> int:
    with sync_session() as session:
        return service.send_digests(session)


@celery_app.task(name="default.notifications.practice_reminders")
def practice_reminders() -> int:
    with sync_session() as session:
        return service.send_practice_reminders(session)


@celery_app.task(
    name="default.notifications.push",
    autoretry_for=(push.PushDeliveryError,),
    retry_backoff=30,
    max_retries=5,
)
def send_push(notification_id: str) -> int:
    with sync_session() as session:
        return push.send_for(session, notification_id)
