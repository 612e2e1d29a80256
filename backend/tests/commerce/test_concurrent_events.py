"""Stripe events about the same purchase applied at the same moment by two real Celery worker
processes on PostgreSQL: each handler holds the purchase row's lock for its whole transaction,
so the second one sees the first one's result instead of overwriting it."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.commerce.events import Ctx, Effects, on_checkout_completed, on_payment_intent_succeeded
from app.commerce.models import Dispute, LedgerEntry, Purchase, PurchaseStatus, StripeEvent
from app.db.session import sync_session
from app.entitlements.models import Entitlement, EntitlementStatus

from .conftest import Shapes, course_purchase_row, event, purchase_row

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.environ.get("MAMC_TEST_PROFILE") != "services", reason="row locks need PostgreSQL"),
]

TRIALS = 40


def _paid_purchase(buyer: User, teacher: User, price: int, shapes: Shapes | None = None) -> Shapes:
    """A purchase already paid (applied in-process: the race under test is what follows)."""
    shapes = shapes or purchase_row(buyer, teacher, price)
    ctx = Ctx(event_id=f"evt_setup_{shapes.tag}", type="setup", created=1_700_000_000, effects=Effects())
    with sync_session() as s:
        on_checkout_completed(s, shapes.checkout_completed(), ctx)
        on_payment_intent_succeeded(s, shapes.pi_succeeded(fee=59), ctx)
    return shapes


async def _deliver_in_a_burst(
    post_event: Callable[..., Any], worker_factory: Callable[..., Any], events: list[dict[str, Any]]
) -> list[Any]:
    """Store and enqueue every event while no worker runs (as after an outage), then start two
    workers together: they drain the queue side by side, each taking the next message, so the
    two events about one purchase (adjacent in the queue) are applied at the same moment."""
    for evt in events:
        assert (await post_event(evt)).status_code == 200
    workers = [worker_factory(queues=("default",), wait=False) for _ in range(2)]
    for worker in workers:
        worker.wait_ready(90)
    return workers


async def _until_processed(event_ids: list[str], workers: list[Any], within_s: float = 240) -> None:
    for _ in range(int(within_s * 2)):
        with sync_session() as s:
            done = s.scalar(
                select(func.count())
                .select_from(StripeEvent)
                .where(StripeEvent.event_id.in_(event_ids), StripeEvent.processed_at.is_not(None))
            )
        if done == len(event_ids):
            return
        await asyncio.sleep(0.5)
    logs = "\n".join(w.logs()[-3000:] for w in workers)
    raise AssertionError(f"{done}/{len(event_ids)} events processed\n{logs}")


async def _refund_in_bursts(
    stories: list[Shapes], post_event: Callable[..., Any], worker_factory: Callable[..., Any]
) -> list[tuple[Any, ...]]:
    """Deliver a partial and a full refund of each purchase side by side to two workers; the
    outcomes (status, its rights' statuses, how many rights, the ledger's gross) that are not
    refunded, all revoked, and 0."""
    events = [  # queue: partial, full, partial, full...
        event("charge.refunded", shapes.charge_refunded(refunded))
        for shapes in stories
        for refunded in (shapes.amount // 2, shapes.amount)
    ]
    workers = await _deliver_in_a_burst(post_event, worker_factory, events)
    await _until_processed([e["id"] for e in events], workers)
    wrong = []
    with sync_session() as s:
        for shapes in stories:
            p = s.get(Purchase, shapes.purchase_id)
            rights = s.scalars(
                select(Entitlement).where(Entitlement.source_id == str(shapes.purchase_id))
            ).all()
            gross = s.scalar(
                select(func.sum(LedgerEntry.gross_cents)).where(LedgerEntry.purchase_id == shapes.purchase_id)
            )
            assert p is not None and rights
            outcome = (p.status, sorted({e.status for e in rights}), len(rights), gross)
            if outcome[:2] != (PurchaseStatus.refunded, [EntitlementStatus.revoked]) or gross != 0:
                wrong.append(outcome)
    return wrong


async def test_partial_and_full_refund_at_the_same_moment_end_refunded_and_revoked(
    worker_factory: Callable[..., Any],
    post_event: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    buyer, teacher = make_user(), make_user()
    stories = [_paid_purchase(buyer, teacher, 1000 + n) for n in range(TRIALS)]
    wrong = await _refund_in_bursts(stories, post_event, worker_factory)
    assert wrong == [], f"{len(wrong)} of {TRIALS} refunded buyers were left in a wrong state: {wrong}"


async def test_a_dispute_created_twice_at_once_is_one_row_and_one_alert(
    worker_factory: Callable[..., Any],
    post_event: Callable[..., Any],
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    """charge.dispute.created and charge.dispute.updated for a dispute we have never seen, at
    the same moment: one dispute row, access suspended, the admins alerted once."""
    admin = make_user(role=Role.admin)
    buyer, teacher = make_user(), make_user()
    stories = [_paid_purchase(buyer, teacher, 2000 + n) for n in range(TRIALS // 2)]
    events = [
        event(kind, shapes.dispute("needs_response"))
        for shapes in stories
        for kind in ("charge.dispute.created", "charge.dispute.updated")
    ]
    sent = [e["id"] for e in events]
    workers = await _deliver_in_a_burst(post_event, worker_factory, events)
    await _until_processed(sent, workers)
    with sync_session() as s:
        for shapes in stories:
            disputes = s.scalars(select(Dispute).where(Dispute.purchase_id == shapes.purchase_id)).all()
            p = s.get(Purchase, shapes.purchase_id)
            ent = s.scalar(select(Entitlement).where(Entitlement.source_id == str(shapes.purchase_id)))
            assert len(disputes) == 1 and p is not None and ent is not None
            assert (p.status, ent.status) == (PurchaseStatus.disputed, EntitlementStatus.suspended)
        outcomes = s.scalars(select(StripeEvent.outcome).where(StripeEvent.event_id.in_(sent))).all()
    assert sorted(set(outcomes)) == ["applied"]
    # One alert per dispute: the workers' emails land in the outbox as they are sent.
    for _ in range(60):
        alerts = [m for m in outbox(to=admin.email) if "dispute" in str(m["subject"]).lower()]
        if len(alerts) >= len(stories):
            break
        await asyncio.sleep(0.5)
    await asyncio.sleep(2)
    alerts = [m for m in outbox(to=admin.email) if "dispute" in str(m["subject"]).lower()]
    assert len(alerts) == len(stories)


async def test_partial_and_full_refund_of_a_course_at_once_revoke_every_video_once(
    worker_factory: Callable[..., Any],
    post_event: Callable[..., Any],
    make_user: Callable[..., User],
    make_video: Callable[..., Any],
) -> None:
    """A course bundle's purchase: the partial and the full refund applied at the same moment
    leave the purchase refunded, every one of its three video rights revoked, the ledger at 0."""
    buyer, teacher = make_user(), make_user(role=Role.instructor)
    videos = [make_video(teacher).id for _ in range(3)]
    stories = [
        _paid_purchase(buyer, teacher, 0, course_purchase_row(buyer, teacher, 3000 + n, videos))
        for n in range(TRIALS // 2)
    ]
    with sync_session() as s:  # every video right exists before the race
        assert {
            len(s.scalars(select(Entitlement).where(Entitlement.source_id == str(x.purchase_id))).all())
            for x in stories
        } == {3}
    wrong = await _refund_in_bursts(stories, post_event, worker_factory)
    assert wrong == [], f"{len(wrong)} of {len(stories)} refunded courses were left in a wrong state: {wrong}"
