"""Production mode: our Stripe API calls, checked by a local stand-in for api.stripe.com."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import select

from app.auth.models import User
from app.commerce.models import Purchase, PurchaseStatus
from app.db.session import sync_session

from .conftest import Shapes, StripeCheckout, StripeStandIn, event


async def test_checkout_creates_a_stripe_session_with_our_ids_and_an_idempotency_key(
    stripe_checkout: StripeCheckout,
) -> None:
    student, video = stripe_checkout.buyer, stripe_checkout.video
    r = await stripe_checkout.post()
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["url"].startswith("https://checkout.stripe.test/") and body["checkout_session_id"].startswith(
        "cs_test_"
    )
    [call] = stripe_checkout.sessions()
    assert call.headers["authorization"] == "Bearer sk_test_mamc_0123456789"
    assert call.headers["content-type"].startswith("application/x-www-form-urlencoded")
    assert call.headers["idempotency-key"] == f"mamc-checkout-{body['purchase_id']}"
    form = call.form
    assert form["mode"] == "payment"
    assert form["line_items[0][price_data][unit_amount]"] == "2500"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["metadata[mamc_purchase_id]"] == body["purchase_id"]
    assert form["metadata[mamc_user_id]"] == str(student.id)
    assert form["metadata[mamc_video_id]"] == str(video.id)
    assert form["payment_intent_data[metadata][mamc_purchase_id]"] == body["purchase_id"]
    assert form["allow_promotion_codes"] == "true"
    assert form["customer_email"] == student.email
    assert form["success_url"].startswith("http://testserver/")
    # A second click reuses the open session instead of creating another one.
    again = await stripe_checkout.post()
    assert (
        again.json()["checkout_session_id"] == body["checkout_session_id"] and again.json()["reused"] is True
    )
    assert len(stripe_checkout.sessions()) == 1


async def test_subscription_checkout_uses_subscription_mode(stripe_checkout: StripeCheckout) -> None:
    r = await stripe_checkout.post(kind="subscription", video_id=None, interval="year")
    assert r.status_code == 201, r.text
    [call] = stripe_checkout.sessions()
    assert call.form["mode"] == "subscription"
    assert call.form["line_items[0][price_data][recurring][interval]"] == "year"
    assert call.form["line_items[0][price_data][unit_amount]"] == "15000"
    assert call.form["subscription_data[metadata][mamc_subscription_id]"] == r.json()["subscription_id"]
    assert call.headers["idempotency-key"] == f"mamc-subscribe-{r.json()['subscription_id']}"


async def test_refund_calls_stripe_once_per_purchase_and_is_audited(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Callable[[User], dict[str, str]],
    make_video: Callable[..., Any],
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    open_checkout: Callable[..., Any],
    post_event: Callable[..., Any],
) -> None:
    student = make_user()
    shapes: Shapes = await open_checkout(student, make_video(instructor, price_cents=1800))
    stripe_api.fees[shapes.charge_id] = 82
    await post_event(event("checkout.session.completed", shapes.checkout_completed()))
    await post_event(event("payment_intent.succeeded", shapes.pi_succeeded(fee=None)))
    # The fee is not in the event (latest_charge is an id): it was fetched from the charge.
    [fetch] = stripe_api.calls("GET", f"/v1/charges/{shapes.charge_id}")
    assert fetch.query.get("expand[0]") == "balance_transaction"
    with sync_session() as s:
        p = s.get(Purchase, shapes.purchase_id)
        assert p is not None and p.stripe_fee_cents == 82
    url = f"/api/v1/admin/payments/{shapes.purchase_id}/refund"
    for _ in range(2):
        r = await client.post(url, json={"reason": "customer asked"}, headers=auth_headers(admin))
        assert r.status_code == 200, r.text
    calls = stripe_api.calls("POST", "/v1/refunds")
    assert len({c.headers["idempotency-key"] for c in calls}) == 1
    assert calls[0].headers["idempotency-key"] == f"mamc-refund-{shapes.purchase_id}-1800"
    assert calls[0].form["amount"] == "1800"
    assert calls[0].form["payment_intent"] == shapes.pi
    assert calls[0].form["metadata[mamc_purchase_id]"] == str(shapes.purchase_id)
    assert r.json()["refund_id"].startswith("re_")
    # Access changes when Stripe confirms with charge.refunded.
    await post_event(event("charge.refunded", shapes.charge_refunded(1800)))
    r = await client.get(f"/api/v1/admin/payments/{shapes.purchase_id}", headers=auth_headers(admin))
    assert r.json()["status"] == PurchaseStatus.refunded
    audit = await client.get(
        "/api/v1/admin/audit", params={"subject_id": str(shapes.purchase_id)}, headers=auth_headers(admin)
    )
    assert audit.status_code == 200, audit.text
    actions = [e["action"] for e in audit.json()["items"]]
    assert actions.count("payment.refund") == 1
    forbidden = await client.post(url, json={"reason": "me too"}, headers=auth_headers(student))
    assert forbidden.status_code == 403


async def test_billing_portal_session_for_a_known_customer(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Callable[[User], dict[str, str]],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    open_checkout: Callable[..., Any],
    post_event: Callable[..., Any],
) -> None:
    student = make_user()
    assert (await client.post("/api/v1/billing/portal", headers=auth_headers(student))).status_code == 404
    shapes = await open_checkout(student, make_video(instructor, price_cents=1000))
    await post_event(event("checkout.session.completed", shapes.checkout_completed()))
    r = await client.post("/api/v1/billing/portal", headers=auth_headers(student))
    assert r.status_code == 200 and r.json()["url"].startswith("https://billing.stripe.test/")
    [call] = stripe_api.calls("POST", "/v1/billing_portal/sessions")
    assert call.form["customer"] == f"cus_{shapes.tag}"
    assert call.form["return_url"].startswith("http://testserver/")


async def test_stripe_refusing_a_request_is_a_clean_error(
    stripe_checkout: StripeCheckout, settings: Any, monkeypatch: Any
) -> None:
    from pydantic import SecretStr

    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr("rk_wrong_key"))
    r = await stripe_checkout.post()
    assert r.status_code == 503 and r.json()["error"]["code"] == "payment_provider_rejected"
    with sync_session() as s:
        rows = s.scalars(select(Purchase).where(Purchase.video_id == stripe_checkout.video.id)).all()
        assert all(p.checkout_session_id is None for p in rows)


async def test_partial_refunds_send_the_amount_one_at_a_time_and_update_the_row(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Callable[[User], dict[str, str]],
    make_video: Callable[..., Any],
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    open_checkout: Callable[..., Any],
    post_event: Callable[..., Any],
) -> None:
    student = make_user(display_name="Aiko Buyer")
    shapes: Shapes = await open_checkout(student, make_video(instructor, price_cents=1800))
    # a declined first attempt, then the retry is paid: the row must not show the old decline
    await post_event(event("payment_intent.payment_failed", shapes.pi_failed()))
    await post_event(event("checkout.session.completed", shapes.checkout_completed()))
    await post_event(event("payment_intent.succeeded", shapes.pi_succeeded(fee=60)))
    h = auth_headers(admin)
    url = f"/api/v1/admin/payments/{shapes.purchase_id}"
    row = (await client.get(url, headers=h)).json()
    assert row["status"] == "paid" and row["failure_message"] is None
    assert row["buyer_name"] == "Aiko Buyer" and row["buyer_email"] == student.email

    too_much = await client.post(
        f"{url}/refund", json={"reason": "goodwill", "amount_cents": 1801}, headers=h
    )
    assert too_much.status_code == 422 and too_much.json()["error"]["code"] == "invalid_refund_amount"
    r = await client.post(f"{url}/refund", json={"reason": "goodwill", "amount_cents": 500}, headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["refund_pending_cents"] == 500
    # while it is in flight: the same request repeats it, another amount waits
    again = await client.post(f"{url}/refund", json={"reason": "goodwill", "amount_cents": 500}, headers=h)
    assert again.status_code == 200
    other = await client.post(f"{url}/refund", json={"reason": "more", "amount_cents": 300}, headers=h)
    assert other.status_code == 409 and other.json()["error"]["code"] == "refund_in_progress"
    first = stripe_api.calls("POST", "/v1/refunds")
    assert [c.form["amount"] for c in first] == ["500", "500"]
    assert {c.headers["idempotency-key"] for c in first} == {f"mamc-refund-{shapes.purchase_id}-500"}

    await post_event(event("charge.refunded", shapes.charge_refunded(500)))
    row = (await client.get(url, headers=h)).json()
    assert row["status"] == "partially_refunded"
    assert row["amount_refunded_cents"] == 500 and row["refund_pending_cents"] == 0

    rest = await client.post(f"{url}/refund", json={"reason": "all of it"}, headers=h)
    assert rest.status_code == 200
    last = stripe_api.calls("POST", "/v1/refunds")[-1]
    assert last.form["amount"] == "1300"
    assert last.headers["idempotency-key"] == f"mamc-refund-{shapes.purchase_id}-1800"
    await post_event(event("charge.refunded", shapes.charge_refunded(1800)))
    row = (await client.get(url, headers=h)).json()
    assert row["status"] == "refunded" and row["refund_pending_cents"] == 0
    audit = await client.get("/api/v1/admin/audit", params={"subject_id": str(shapes.purchase_id)}, headers=h)
    amounts = sorted(
        e["data"]["amount_cents"] for e in audit.json()["items"] if e["action"] == "payment.refund"
    )
    assert amounts == [500, 1300]
