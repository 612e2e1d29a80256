from __future__ import annotations

from app.auth import service
from app.db.session import sync_session
from app.worker.celery_app import celery_app


@celery_app.task(name="default.auth.purge_expired_tokens")
def purge_expired_tokens() -> int:
    with sync_session() as session:
        return service.purge_expired_tokens_sync(session)
