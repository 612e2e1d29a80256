"""Coach tasks (queue `coach`; the purge on `default`): thin drivers of app/coach/replies.py.

The coach worker runs a thread pool (each chat mostly waits on its provider): see the
`worker-coach` service. acks_late: a reply whose worker died is redelivered and starts again.
"""

from __future__ import annotations

import uuid
from typing import Any

from app.coach import replies, service
from app.core.config import get_settings
from app.db.session import sync_session
from app.worker.celery_app import celery_app
from video_studio.providers.base import ProviderError

MAX_RETRIES = 3


@celery_app.task(name="coach.reply", bind=True, acks_late=True, max_retries=MAX_RETRIES)
def reply(self: Any, message_id: str) -> str:
    last = self.request.called_directly or self.request.is_eager or self.request.retries >= MAX_RETRIES
    try:
        return replies.run_reply(uuid.UUID(message_id), last_attempt=bool(last))
    except ProviderError as exc:
        raise self.retry(exc=exc, countdown=min(30, 2 * 2**self.request.retries)) from exc


@celery_app.task(name="coach.transcribe", acks_late=True)
def transcribe(transcription_id: str) -> str:
    return replies.run_transcription(uuid.UUID(transcription_id))


@celery_app.task(name="default.coach.purge_conversations")
def purge_conversations() -> int:
    """Beat, daily: conversations older than COACH_RETENTION_DAYS."""
    with sync_session() as session:
        return service.purge_expired(session, get_settings())


@celery_app.task(name="default.coach.reap_lost_replies")
def reap_lost_replies() -> int:
    """Beat: replies whose message was lost or whose worker went silent (requeued or failed)."""
    reaped = replies.reap_lost_replies()
    return len(reaped.requeued) + len(reaped.failed)
