"""Analytics beat tasks (queue `default`): thin wrappers of app/analytics/rollups.py."""

from __future__ import annotations

from app.analytics import rollups
from app.core.config import get_settings
from app.db.session import sync_session
from app.worker.celery_app import celery_app


@celery_app.task(name="default.analytics.refresh_recent")
def refresh_recent() -> list[str]:
    """Beat, hourly: today's and yesterday's rollups; then the viewers' watch time to learning."""
    with sync_session() as session:
        days = [d.isoformat() for d in rollups.refresh_recent(session)]
    with sync_session() as session:
        rollups.credit_watch_time(session)
    return days


@celery_app.task(name="default.analytics.refresh_retention")
def refresh_retention() -> int:
    """Beat, daily: retention curves; then raw beacons past ANALYTICS_BEACON_RETENTION_DAYS."""
    with sync_session() as session:
        count = rollups.refresh_retention(session)
        rollups.purge_beacons(session, get_settings().analytics_beacon_retention_days)
        return count
