"""Two tabs press "Buy" (or "Subscribe") at the same moment: one pending purchase or subscription
(a unique index), and the request that loses the race answers with the winner's session."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.commerce.models import Purchase, PurchaseStatus, Subscription
from app.db.session import sync_session

from .conftest import StripeStandIn

Headers = Callable[[User], dict[str, str]]
TABS = 4


async def _click_together(
    client: httpx.AsyncClient, headers: dict[str, str], body: dict[str, Any]
) -> list[dict[str, Any]]:
    responses = await asyncio.gather(
        *(client.post("/api/v1/checkout", json=body, headers=headers) for _ in range(TABS))
    )
    assert [r.status_code for r in responses] == [201] * TABS, [r.text for r in responses]
    return [r.json() for r in responses]


def _pending_purchases(user: User) -> int:
    with sync_session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Purchase)
                .where(Purchase.user_id == user.id, Purchase.status == PurchaseStatus.pending)
            )
            or 0
        )


def _pending_subscriptions(user: User) -> int:
    with sync_session() as s:
        return int(
            s.scalar(
                select(func.count())
                .select_from(Subscription)
                .where(Subscription.user_id == user.id, Subscription.status == "pending")
            )
            or 0
        )


@pytest.mark.own_database  # requests race on their own connections
@pytest.mark.parametrize("kind", ["ppv", "rental"])
async def test_simultaneous_video_checkouts_share_one_purchase_and_one_session(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    kind: str,
) -> None:
    student = make_user()
    video = make_video(instructor, price_cents=1900, rental_price_cents=400, rental_hours=48)
    bodies = await _click_together(client, auth_headers(student), {"kind": kind, "video_id": str(video.id)})
    assert len({b["purchase_id"] for b in bodies}) == 1
    assert len({b["checkout_session_id"] for b in bodies}) == 1
    assert len({b["url"] for b in bodies}) == 1
    assert _pending_purchases(student) == 1


@pytest.mark.own_database  # requests race on their own connections
async def test_simultaneous_subscription_checkouts_share_one_subscription(
    client: httpx.AsyncClient, auth_headers: Headers, make_user: Callable[..., User]
) -> None:
    student = make_user()
    bodies = await _click_together(
        client, auth_headers(student), {"kind": "subscription", "interval": "month"}
    )
    assert len({b["subscription_id"] for b in bodies}) == 1
    assert len({b["checkout_session_id"] for b in bodies}) == 1
    assert _pending_subscriptions(student) == 1


@pytest.mark.own_database  # requests race on their own connections
async def test_with_stripe_the_race_loser_replays_the_winners_session_request(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    """Production mode: every tab asks Stripe with the winner's idempotency key, so Stripe answers
    with the one session it created (one purchase, one session, nothing billed twice)."""
    student = make_user()
    video = make_video(instructor, price_cents=2500)
    bodies = await _click_together(client, auth_headers(student), {"kind": "ppv", "video_id": str(video.id)})
    [purchase_id] = {b["purchase_id"] for b in bodies}
    assert len({b["checkout_session_id"] for b in bodies}) == 1
    keys = {c.headers["idempotency-key"] for c in stripe_api.calls("POST", "/v1/checkout/sessions")}
    assert keys == {f"mamc-checkout-{purchase_id}"}
    assert _pending_purchases(student) == 1

    subs = await _click_together(client, auth_headers(student), {"kind": "subscription", "interval": "year"})
    [sub_id] = {b["subscription_id"] for b in subs}
    assert len({b["checkout_session_id"] for b in subs}) == 1
    keys = {c.headers["idempotency-key"] for c in stripe_api.calls("POST", "/v1/checkout/sessions")}
    assert keys == {f"mamc-checkout-{purchase_id}", f"mamc-subscribe-{sub_id}"}


async def test_a_stale_pending_purchase_is_superseded_by_the_next_checkout(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    """The price changed since the first checkout: the old pending purchase ends "expired" (its
    session is not reused) and the new one is the only pending purchase."""
    student = make_user()
    video = make_video(instructor, price_cents=1500)
    body = {"kind": "ppv", "video_id": str(video.id)}
    first = (await client.post("/api/v1/checkout", json=body, headers=auth_headers(student))).json()
    with sync_session() as s:
        from app.media.models import Video

        row = s.get(Video, video.id)
        assert row is not None
        row.price_cents = 1700
    second = (await client.post("/api/v1/checkout", json=body, headers=auth_headers(student))).json()
    assert second["purchase_id"] != first["purchase_id"] and second["reused"] is False
    with sync_session() as s:
        old = s.get(Purchase, uuid.UUID(first["purchase_id"]))
        assert old is not None and old.status == PurchaseStatus.expired
    assert _pending_purchases(student) == 1


async def test_a_superseded_subscription_checkout_is_expired_at_stripe(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Headers,
    make_user: Callable[..., User],
) -> None:
    """Monthly in one tab, then yearly in another: the monthly session is expired at Stripe, so
    only one of the two can ever be paid."""
    student = make_user()
    monthly = (
        await client.post(
            "/api/v1/checkout",
            json={"kind": "subscription", "interval": "month"},
            headers=auth_headers(student),
        )
    ).json()
    yearly = (
        await client.post(
            "/api/v1/checkout",
            json={"kind": "subscription", "interval": "year"},
            headers=auth_headers(student),
        )
    ).json()
    assert yearly["subscription_id"] != monthly["subscription_id"]
    [expire] = [c for c in stripe_api.requests if c.path.endswith("/expire")]
    assert expire.path == f"/v1/checkout/sessions/{monthly['checkout_session_id']}/expire"
    with sync_session() as s:
        old = s.get(Subscription, uuid.UUID(monthly["subscription_id"]))
        assert old is not None and old.status == "expired" and old.checkout_url is None
    assert _pending_subscriptions(student) == 1
    assert (await client.get("/api/v1/me/subscription", headers=auth_headers(student))).json() is None
