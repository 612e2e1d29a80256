"""checkout.session.expired: a pending purchase ends "expired" and is never reused; the next
checkout opens a new purchase and a new Stripe session. Production mode: Stripe calls go to the
local stand-in, webhooks are signed with the endpoint secret exactly as Stripe signs them."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from app.auth.models import User
from app.commerce.models import Purchase, PurchaseStatus, StripeEvent, Subscription
from app.db.session import sync_session

from .conftest import Shapes, StripeStandIn, event

Headers = Callable[[User], dict[str, str]]


def _expired_session(shapes: Shapes) -> dict[str, Any]:
    """A checkout.session as Stripe sends it in checkout.session.expired (trimmed)."""
    return {
        "id": shapes.checkout_session_id,
        "object": "checkout.session",
        "mode": "payment",
        "status": "expired",
        "payment_status": "unpaid",
        "amount_total": shapes.amount,
        "currency": shapes.currency,
        "customer": None,
        "client_reference_id": str(shapes.purchase_id),
        "payment_intent": None,
        "subscription": None,
        "url": None,
        "expires_at": int(time.time()),
        "metadata": shapes.metadata,
    }


def _purchase(purchase_id: uuid.UUID | str) -> Purchase:
    with sync_session() as s:
        p = s.get(Purchase, uuid.UUID(str(purchase_id)))
        assert p is not None
        return p


def _outcome(event_id: str) -> str | None:
    with sync_session() as s:
        return s.scalar(select(StripeEvent.outcome).where(StripeEvent.event_id == event_id))


async def test_an_expired_checkout_is_never_reused_and_the_next_one_opens_a_new_session(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Headers,
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    video = make_video(instructor, price_cents=1800, currency="EUR")
    first: Shapes = await open_checkout(student, video)
    again = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(video.id)}, headers=auth_headers(student)
    )
    assert again.json()["reused"] is True  # still open: the same session
    assert again.json()["checkout_session_id"] == first.checkout_session_id

    # A payment attempt failed, then the buyer gave up and Stripe expired the session.
    assert (await post_event(event("payment_intent.payment_failed", first.pi_failed()))).status_code == 200
    expired = event("checkout.session.expired", _expired_session(first))
    resp = await post_event(expired)
    assert resp.status_code == 200 and resp.json()["duplicate"] is False
    assert _outcome(expired["id"]) == "applied"
    p = _purchase(first.purchase_id)
    assert p.status == PurchaseStatus.expired and p.expired_at is not None and p.paid_at is None
    mine = (await client.get("/api/v1/me/purchases", headers=auth_headers(student))).json()["items"]
    assert [(i["id"], i["status"]) for i in mine] == [(str(first.purchase_id), "expired")]
    # Stripe retrying the delivery changes nothing.
    assert (await post_event(expired)).json()["duplicate"] is True

    # The next click opens a new purchase with a new Stripe session (its own idempotency key).
    nxt = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(video.id)}, headers=auth_headers(student)
    )
    assert nxt.status_code == 201, nxt.text
    body = nxt.json()
    assert body["reused"] is False and body["purchase_id"] != str(first.purchase_id)
    assert body["checkout_session_id"] != first.checkout_session_id
    calls = stripe_api.calls("POST", "/v1/checkout/sessions")
    assert [c.headers["idempotency-key"] for c in calls] == [
        f"mamc-checkout-{first.purchase_id}",
        f"mamc-checkout-{body['purchase_id']}",
    ]
    assert _purchase(body["purchase_id"]).status == PurchaseStatus.pending

    # A late failure event about the old session leaves it expired; the new one is paid normally.
    late = event("payment_intent.payment_failed", first.pi_failed())  # a new event id
    await post_event(late)
    assert _purchase(first.purchase_id).status == PurchaseStatus.expired
    second = Shapes(
        purchase_id=uuid.UUID(body["purchase_id"]),
        user_id=student.id,
        video_id=video.id,
        amount=1800,
        currency="eur",
        checkout_session_id=body["checkout_session_id"],
    )
    await post_event(event("checkout.session.completed", second.checkout_completed()))
    assert _purchase(second.purchase_id).status == PurchaseStatus.paid
    assert _purchase(first.purchase_id).status == PurchaseStatus.expired


async def test_expiry_of_a_paid_or_unknown_session_changes_nothing(
    stripe_api: StripeStandIn,
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    shapes: Shapes = await open_checkout(make_user(), make_video(instructor, price_cents=900))
    await post_event(event("checkout.session.completed", shapes.checkout_completed()))
    stale = event("checkout.session.expired", _expired_session(shapes))
    assert (await post_event(stale)).status_code == 200
    assert _outcome(stale["id"]) == "stale"
    assert _purchase(shapes.purchase_id).status == PurchaseStatus.paid

    unknown = _expired_session(shapes) | {
        "id": "cs_test_not_ours",
        "metadata": {},
        "client_reference_id": None,
    }
    stray = event("checkout.session.expired", unknown)
    assert (await post_event(stray)).status_code == 200
    assert _outcome(stray["id"]) == "unmatched"


async def test_an_expired_subscription_checkout_is_not_reused(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Headers,
    post_event: Callable[..., Any],
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    body = {"kind": "subscription", "interval": "month"}
    first = (await client.post("/api/v1/checkout", json=body, headers=auth_headers(student))).json()
    assert (await client.post("/api/v1/checkout", json=body, headers=auth_headers(student))).json()["reused"]
    obj = {
        "id": first["checkout_session_id"],
        "object": "checkout.session",
        "mode": "subscription",
        "status": "expired",
        "payment_status": "unpaid",
        "subscription": None,
        "metadata": {
            "mamc_kind": "subscription",
            "mamc_subscription_id": first["subscription_id"],
            "mamc_user_id": str(student.id),
        },
    }
    expired = event("checkout.session.expired", obj)
    assert (await post_event(expired)).status_code == 200
    assert _outcome(expired["id"]) == "applied"
    with sync_session() as s:
        sub = s.get(Subscription, uuid.UUID(first["subscription_id"]))
        assert sub is not None and sub.status == "expired" and sub.checkout_url is None
    nxt = (await client.post("/api/v1/checkout", json=body, headers=auth_headers(student))).json()
    assert nxt["reused"] is False and nxt["checkout_session_id"] != first["checkout_session_id"]
    assert len(stripe_api.calls("POST", "/v1/checkout/sessions")) == 2
    assert (await client.get("/api/v1/me/subscription", headers=auth_headers(student))).json() is None
