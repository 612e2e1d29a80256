"""Social tasks (queue `default`): the followers' "new video" fan-out, one batch per run."""

from __future__ import annotations

import uuid

from app.core.config import get_settings
from app.db.session import sync_session
from app.social import service
from app.social.events import NOTIFY_FOLLOWERS_TASK
from app.worker.celery_app import celery_app
from app.worker.dispatch import enqueue


@celery_app.task(name=NOTIFY_FOLLOWERS_TASK)
def notify_followers(video_id: str, after: str | None = None) -> str | None:
    """Tell one batch of followers, commit, then queue the next batch (if any)."""
    with sync_session() as session:
        cursor = service.notify_followers(
            session,
            uuid.UUID(video_id),
            after=uuid.UUID(after) if after else None,
            batch=get_settings().social_follower_notify_batch,
        )
    if cursor is not None:
        enqueue(NOTIFY_FOLLOWERS_TASK, video_id, str(cursor))
    return None if cursor is None else str(cursor)
