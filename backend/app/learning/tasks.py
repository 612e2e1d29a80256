"""Learning tasks (queue `default`): the daily "streak at risk" reminder (beat)."""

from __future__ import annotations

from app.db.session import sync_session
from app.learning import service
from app.worker.celery_app import celery_app


@celery_app.task(name="default.learning.streak_reminders")
def streak_reminders() -> int:
    with sync_session() as session:
        return service.remind_streaks_at_risk(session)
