"""The production path with a real Celery worker process: the API only stores and enqueues;
`default.commerce.apply_stripe_event` in the worker grants access — once, however often Stripe
delivers."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.commerce.models import LedgerEntry, LedgerEntryType, Purchase, PurchaseStatus, StripeEvent
from app.db.session import sync_session
from app.entitlements.models import Entitlement

from .conftest import event


def _count(model: Any, *where: Any) -> int:
    with sync_session() as s:
        return int(s.scalar(select(func.count()).select_from(model).where(*where)) or 0)


@pytest.mark.slow
async def test_a_real_worker_applies_stored_events_exactly_once(
    celery_worker: Any,
    open_checkout: Callable[..., Any],
    post_event: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    buyer = make_user()
    shapes = await open_checkout(buyer, make_video(instructor, price_cents=1700))
    completed = event("checkout.session.completed", shapes.checkout_completed())
    succeeded = event("payment_intent.succeeded", shapes.pi_succeeded(fee=79))
    # Stripe delivers each event several times, interleaved (retries, a replay).
    for evt in (completed, succeeded, completed, completed, succeeded):
        assert (await post_event(evt)).status_code == 200
    ids = [completed["id"], succeeded["id"]]
    for _ in range(120):
        if _count(StripeEvent, StripeEvent.event_id.in_(ids), StripeEvent.processed_at.is_not(None)) == 2:
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)  # let any redundant task the duplicates enqueued run out
    for evt in (completed, succeeded):  # a late replay of an applied event: stored once, not queued
        again = await post_event(evt)
        assert again.status_code == 200 and again.json()["duplicate"] is True

    with sync_session() as s:
        p = s.get(Purchase, shapes.purchase_id)
        stored = s.scalars(select(StripeEvent).where(StripeEvent.event_id.in_(ids))).all()
    assert p is not None and p.status == PurchaseStatus.paid, celery_worker.logs()[-3000:]
    assert sorted((e.event_id, e.outcome, e.attempts) for e in stored) == sorted(
        [(completed["id"], "applied", 1), (succeeded["id"], "applied", 1)]
    )
    # Each effect exactly once: one sale and one fee in the ledger, one right to watch, one receipt.
    entries = {
        kind: _count(LedgerEntry, LedgerEntry.purchase_id == p.id, LedgerEntry.entry_type == kind)
        for kind in LedgerEntryType
    }
    assert entries == {
        LedgerEntryType.sale: 1,
        LedgerEntryType.stripe_fee: 1,
        LedgerEntryType.refund: 0,
        LedgerEntryType.dispute_loss: 0,
    }
    assert _count(Entitlement, Entitlement.source_id == str(p.id)) == 1
    for _ in range(20):  # the receipt is a task of its own
        if outbox(to=buyer.email):
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(1)
    receipts = outbox(to=buyer.email)
    assert len(receipts) == 1 and "receipt" in str(receipts[0]["subject"]).lower()
