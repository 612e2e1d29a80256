"""Commerce tasks: thin wrappers over app/commerce/events.py."""

from __future__ import annotations

from sqlalchemy.exc import IntegrityError, OperationalError

from app.commerce import events
from app.commerce.gateway import PaymentProviderError
from app.worker.celery_app import celery_app


@celery_app.task(
    name="default.commerce.apply_stripe_event",
    # IntegrityError: a concurrent writer inserted the same row first; the retry finds it.
    autoretry_for=(OperationalError, IntegrityError, PaymentProviderError, ConnectionError),
    retry_backoff=True,
    retry_backoff_max=600,
    max_retries=10,
)
def apply_stripe_event(event_id: str) -> str:
    """Apply one stored Stripe event exactly once (idempotent: the row's processed_at)."""
    return events.apply_stored_event(event_id)


@celery_app.task(name="default.commerce.retry_stripe_events")
def retry_stripe_events() -> int:
    """Reaper: re-enqueue stored events that are still unprocessed (lost, deferred, failed)."""
    return events.retry_unprocessed()
