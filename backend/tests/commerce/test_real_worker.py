"""The production path with a real Celery worker process: the API only stores and enqueues;
`default.commerce.apply_stripe_event` in the worker grants access."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import select

from app.auth.models import User
from app.commerce.models import Purchase, PurchaseStatus, StripeEvent
from app.db.session import sync_session

from .conftest import event


@pytest.mark.slow
async def test_a_real_worker_applies_stored_events_exactly_once(
    celery_worker: Any,
    open_checkout: Callable[..., Any],
    post_event: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    shapes = await open_checkout(make_user(), make_video(instructor, price_cents=1700))
    completed = event("checkout.session.completed", shapes.checkout_completed())
    for _ in range(3):
        assert (await post_event(completed)).status_code == 200
    status = None
    for _ in range(120):
        with sync_session() as s:
            p = s.get(Purchase, shapes.purchase_id)
            status = p.status if p else None
            stored = s.scalar(select(StripeEvent).where(StripeEvent.event_id == completed["id"]))
        if status == PurchaseStatus.paid and stored is not None and stored.processed_at is not None:
            break
        await asyncio.sleep(0.5)
    assert status == PurchaseStatus.paid
    assert stored is not None and stored.outcome == "applied"
