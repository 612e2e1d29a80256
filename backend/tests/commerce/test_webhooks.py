"""POST /api/v1/webhooks/stripe: signature, event store, exactly-once effect in any order."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from app.auth.models import User
from app.commerce.events import retry_unprocessed
from app.commerce.models import Dispute, LedgerEntry, Purchase, PurchaseStatus, StripeEvent, Subscription
from app.db.session import sync_session
from app.entitlements.models import Entitlement, EntitlementStatus

from .conftest import WEBHOOK, Shapes, Signer, event, invoice_obj, subscription_obj


def _purchase(shapes: Shapes) -> Purchase:
    with sync_session() as s:
        p = s.get(Purchase, shapes.purchase_id)
        assert p is not None
        return p


def _entitlement(source_id: uuid.UUID) -> Entitlement | None:
    with sync_session() as s:
        return s.scalar(select(Entitlement).where(Entitlement.source_id == str(source_id)))


def _ledger(purchase_id: uuid.UUID) -> list[LedgerEntry]:
    with sync_session() as s:
        return list(s.scalars(select(LedgerEntry).where(LedgerEntry.purchase_id == purchase_id)))


def _stored(event_id: str) -> StripeEvent | None:
    with sync_session() as s:
        return s.scalar(select(StripeEvent).where(StripeEvent.event_id == event_id))


async def _paid(post_event: Callable[..., Any], shapes: Shapes, fee: int | None = 100) -> None:
    assert (
        await post_event(event("checkout.session.completed", shapes.checkout_completed()))
    ).status_code == 200
    assert (
        await post_event(event("payment_intent.succeeded", shapes.pi_succeeded(fee=fee)))
    ).status_code == 200


# --------------------------------------------------------------------------- signature


async def test_bad_signature_is_400_and_nothing_is_stored(client: httpx.AsyncClient, signer: Signer) -> None:
    evt = event("checkout.session.completed", {"id": "cs_x", "object": "checkout.session"})
    body = signer.body(evt)
    wrong = signer.header(body, secret="whsec_not_the_secret")
    for headers in ({"Stripe-Signature": wrong}, {}, {"Stripe-Signature": "garbage"}):
        r = await client.post(WEBHOOK, content=body, headers=headers)
        assert r.status_code == 400, r.text
        assert r.json()["error"]["code"] == "invalid_signature"
    tampered = body.replace(b"cs_x", b"cs_y")
    r = await client.post(WEBHOOK, content=tampered, headers={"Stripe-Signature": signer.header(body)})
    assert r.status_code == 400
    assert _stored(evt["id"]) is None


async def test_signature_older_than_tolerance_is_refused(client: httpx.AsyncClient, signer: Signer) -> None:
    evt = event("product.created", {"id": "prod_1", "object": "product"})
    body = signer.body(evt)
    stale = signer.header(body, timestamp=int(time.time()) - 301)
    r = await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": stale})
    assert r.status_code == 400
    assert _stored(evt["id"]) is None
    fresh = signer.header(body, timestamp=int(time.time()) - 250)
    assert (await client.post(WEBHOOK, content=body, headers={"Stripe-Signature": fresh})).status_code == 200


async def test_unknown_event_type_is_stored_and_ignored(post_event: Callable[..., Any]) -> None:
    evt = event("customer.tax_id.created", {"id": "txi_1", "object": "tax_id"})
    r = await post_event(evt)
    assert r.status_code == 200 and r.json() == {"received": True, "event_id": evt["id"], "duplicate": False}
    stored = _stored(evt["id"])
    assert stored is not None and stored.processed_at is not None and stored.outcome == "ignored"
    assert stored.payload["data"]["object"]["id"] == "txi_1"


# --------------------------------------------------------------------------- purchases


async def test_paid_checkout_grants_ppv_posts_ledger_and_mails_a_receipt(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    student = make_user()
    video = make_video(instructor, price_cents=2000)
    shapes = await open_checkout(student, video)
    await _paid(post_event, shapes, fee=88)
    p = _purchase(shapes)
    assert p.status == PurchaseStatus.paid and p.payment_intent_id == shapes.pi and p.stripe_fee_cents == 88
    ent = _entitlement(p.id)
    assert ent is not None and ent.status == EntitlementStatus.active and ent.kind.value == "ppv"
    entries = {e.entry_type.value: e for e in _ledger(p.id)}
    assert entries["sale"].gross_cents == 2000 and entries["sale"].platform_fee_cents == 400
    assert entries["sale"].net_cents == 1600 and entries["stripe_fee"].net_cents == -88
    mails = outbox(to=student.email)
    assert (
        len(mails) == 1
        and "receipt" in str(mails[0]["subject"]).lower()
        and "20.00 EUR" in str(mails[0]["text"])
    )


async def test_duplicates_and_replays_have_no_second_effect(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    student = make_user()
    shapes = await open_checkout(student, make_video(instructor, price_cents=1500))
    completed = event("checkout.session.completed", shapes.checkout_completed())
    first = await post_event(completed)
    assert first.json()["duplicate"] is False
    again = await post_event(completed)  # Stripe retrying the same delivery
    assert again.status_code == 200 and again.json()["duplicate"] is True
    replay = await post_event(completed, timestamp=int(time.time()) - 60)  # re-signed replay
    assert replay.json()["duplicate"] is True
    refunded = event("charge.refunded", shapes.charge_refunded(500))
    for _ in range(3):
        assert (await post_event(refunded)).status_code == 200
    p = _purchase(shapes)
    assert p.status == PurchaseStatus.partially_refunded and p.amount_refunded_cents == 500
    kinds = sorted(e.entry_type.value for e in _ledger(p.id))
    assert kinds == ["refund", "sale"]
    receipt, refund = outbox(to=student.email)  # one refund mail for three deliveries
    assert "receipt" in str(receipt["subject"]).lower() and "refund" in str(refund["subject"]).lower()
    with sync_session() as s:
        assert (
            s.scalar(
                select(func.count()).select_from(StripeEvent).where(StripeEvent.event_id == completed["id"])
            )
            == 1
        )


async def test_refund_before_payment_event_ends_revoked(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    shapes = await open_checkout(student, make_video(instructor, price_cents=1200))
    refunded = event("charge.refunded", shapes.charge_refunded(1200))
    assert (await post_event(refunded)).status_code == 200
    stored = _stored(refunded["id"])
    assert stored is not None and stored.processed_at is None and stored.outcome == "deferred"
    await _paid(post_event, shapes)  # links the payment intent → the deferred refund is re-applied
    p = _purchase(shapes)
    assert p.status == PurchaseStatus.refunded
    ent = _entitlement(p.id)
    assert ent is not None and ent.status == EntitlementStatus.revoked and ent.revoked_reason == "refunded"
    stored = _stored(refunded["id"])
    assert stored is not None and stored.processed_at is not None
    assert sum(e.gross_cents for e in _ledger(p.id)) == 0
    assert sum(e.platform_fee_cents for e in _ledger(p.id)) == 0


async def test_payment_intent_before_checkout_completed_is_one_sale(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    shapes = await open_checkout(make_user(), make_video(instructor, price_cents=999))
    await post_event(event("payment_intent.succeeded", shapes.pi_succeeded(fee=59)))
    await post_event(event("checkout.session.completed", shapes.checkout_completed()))
    p = _purchase(shapes)
    assert p.status == PurchaseStatus.paid
    assert sorted(e.entry_type.value for e in _ledger(p.id)) == ["sale", "stripe_fee"]


async def test_failed_payment_mails_the_buyer_and_a_later_success_wins(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    student = make_user()
    shapes = await open_checkout(student, make_video(instructor, price_cents=1500))
    await post_event(event("payment_intent.payment_failed", shapes.pi_failed()))
    assert _purchase(shapes).status == PurchaseStatus.failed
    assert _entitlement(shapes.purchase_id) is None
    mails = outbox(to=student.email)
    assert len(mails) == 1 and "failed" in str(mails[0]["subject"]).lower()
    await _paid(post_event, shapes)
    created = int(time.time()) - 5  # an old failure delivered late changes nothing
    await post_event(event("payment_intent.payment_failed", shapes.pi_failed(), created=created))
    assert _purchase(shapes).status == PurchaseStatus.paid


# --------------------------------------------------------------------------- disputes


async def test_dispute_lifecycle_suspends_alerts_and_restores_or_revokes(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    video = make_video(instructor, price_cents=3000)
    won, lost = await open_checkout(make_user(), video), await open_checkout(make_user(), video)
    for shapes in (won, lost):
        await _paid(post_event, shapes)
        await post_event(event("charge.dispute.created", shapes.dispute("needs_response")))
        assert _purchase(shapes).status == PurchaseStatus.disputed
        ent = _entitlement(shapes.purchase_id)
        assert ent is not None and ent.status == EntitlementStatus.suspended
    alerts = [m for m in outbox(to=admin.email) if "dispute" in str(m["subject"]).lower()]
    assert len(alerts) >= 2 and "Evidence is due by" in str(alerts[0]["text"])
    await post_event(event("charge.dispute.closed", won.dispute("won")))
    await post_event(event("charge.dispute.closed", lost.dispute("lost")))
    ent_won, ent_lost = _entitlement(won.purchase_id), _entitlement(lost.purchase_id)
    assert ent_won is not None and ent_won.status == EntitlementStatus.active
    assert ent_lost is not None and ent_lost.status == EntitlementStatus.revoked
    assert _purchase(lost).status == PurchaseStatus.dispute_lost
    assert sum(e.gross_cents for e in _ledger(lost.purchase_id)) == 0
    assert sum(e.gross_cents for e in _ledger(won.purchase_id)) == 3000
    with sync_session() as s:
        d = s.scalar(select(Dispute).where(Dispute.stripe_dispute_id == f"dp_{won.tag}"))
        assert d is not None and d.evidence_due_by is not None and d.closed_at is not None


async def test_dispute_closed_arriving_before_created_keeps_the_final_state(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    shapes = await open_checkout(make_user(), make_video(instructor, price_cents=3000))
    await _paid(post_event, shapes)
    now = int(time.time())
    await post_event(event("charge.dispute.closed", shapes.dispute("won"), created=now))
    await post_event(event("charge.dispute.created", shapes.dispute("needs_response"), created=now - 3600))
    ent = _entitlement(shapes.purchase_id)
    assert ent is not None and ent.status == EntitlementStatus.active
    assert _purchase(shapes).status == PurchaseStatus.paid


# --------------------------------------------------------------------------- subscriptions


async def test_subscription_lifecycle(
    post_event: Callable[..., Any],
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    student = make_user()
    sub_id, now = f"sub_{uuid.uuid4().hex[:14]}", int(time.time())
    end1, end2 = now + 30 * 86400, now + 60 * 86400

    def sub(status: str, end: int) -> dict[str, Any]:
        return subscription_obj(sub_id, user_id=student.id, status=status, period_end=end)

    await post_event(event("customer.subscription.created", sub("active", end1), created=now))
    with sync_session() as s:
        row = s.scalar(select(Subscription).where(Subscription.stripe_subscription_id == sub_id))
        assert row is not None and row.status == "active"
        row_id = row.id
    ent = _entitlement(row_id)
    assert ent is not None and ent.status == EntitlementStatus.active and ent.expires_at is not None
    assert int(ent.expires_at.timestamp()) == end1

    await post_event(
        event("invoice.paid", invoice_obj(sub_id, status="paid", period_end=end2), created=now + 1)
    )
    await post_event(event("customer.subscription.updated", sub("active", end2), created=now + 1))
    ent = _entitlement(row_id)
    assert ent is not None and ent.expires_at is not None and int(ent.expires_at.timestamp()) == end2
    assert any("receipt" in str(m["subject"]).lower() for m in outbox(to=student.email))

    await post_event(
        event("invoice.payment_failed", invoice_obj(sub_id, status="open", period_end=end2), created=now + 2)
    )
    await post_event(event("customer.subscription.updated", sub("past_due", end2), created=now + 2))
    ent = _entitlement(row_id)
    assert ent is not None and ent.status == EntitlementStatus.active  # Stripe is retrying: grace
    assert any("payment failed" in str(m["subject"]).lower() for m in outbox(to=student.email))

    await post_event(event("customer.subscription.deleted", sub("canceled", end2), created=now + 3))
    ent = _entitlement(row_id)
    assert ent is not None and ent.status == EntitlementStatus.revoked
    # A late "updated: active" snapshot from before the cancellation changes nothing.
    await post_event(event("customer.subscription.updated", sub("active", end2), created=now + 1))
    ent = _entitlement(row_id)
    assert ent is not None and ent.status == EntitlementStatus.revoked


async def test_subscription_deleted_before_created_ends_canceled(
    post_event: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    student = make_user()
    sub_id, now = f"sub_{uuid.uuid4().hex[:14]}", int(time.time())
    end = now + 30 * 86400
    deleted = subscription_obj(sub_id, user_id=student.id, status="canceled", period_end=end)
    created = subscription_obj(sub_id, user_id=student.id, status="active", period_end=end)
    await post_event(event("customer.subscription.deleted", deleted, created=now))
    await post_event(event("customer.subscription.created", created, created=now))  # same second
    with sync_session() as s:
        row = s.scalar(select(Subscription).where(Subscription.stripe_subscription_id == sub_id))
        assert row is not None and row.status == "canceled"
        ent = s.scalar(select(Entitlement).where(Entitlement.source_id == str(row.id)))
        assert ent is None or ent.status == EntitlementStatus.revoked


async def test_invoice_before_subscription_is_deferred_then_applied(
    post_event: Callable[..., Any], make_user: Callable[..., User]
) -> None:
    student = make_user()
    sub_id, now = f"sub_{uuid.uuid4().hex[:14]}", int(time.time())
    inv = event("invoice.paid", invoice_obj(sub_id, status="paid", period_end=now + 40 * 86400), created=now)
    await post_event(inv)
    stored = _stored(inv["id"])
    assert stored is not None and stored.outcome == "deferred" and stored.processed_at is None
    sub = subscription_obj(sub_id, user_id=student.id, status="active", period_end=now + 30 * 86400)
    await post_event(event("customer.subscription.created", sub, created=now))
    stored = _stored(inv["id"])
    assert stored is not None and stored.processed_at is not None and stored.outcome == "applied"
    with sync_session() as s:
        row = s.scalar(select(Subscription).where(Subscription.stripe_subscription_id == sub_id))
        assert row is not None and row.current_period_end is not None
        assert int(row.current_period_end.timestamp()) == now + 40 * 86400


async def test_the_reaper_reapplies_stored_but_unprocessed_events(post_event: Callable[..., Any]) -> None:
    evt = event(
        "charge.refunded",
        {
            "id": "ch_nobody",
            "object": "charge",
            "payment_intent": "pi_nobody",
            "amount": 100,
            "amount_refunded": 100,
            "refunded": True,
        },
    )
    await post_event(evt)
    from datetime import timedelta

    assert retry_unprocessed(older_than=timedelta(seconds=-5)) >= 1
    stored = _stored(evt["id"])
    assert stored is not None and stored.attempts >= 2 and stored.processed_at is None
