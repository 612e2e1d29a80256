"""Embedded payments: a local stand-in for Stripe Checkout, refunds and the Customer Portal.

Development only: mounted when APP_ENV is development (or test) and STRIPE_SECRET_KEY is unset
(gateway.sandbox_enabled); production refuses to start without Stripe keys. The checkout page is
the web client's /sandbox/checkout/<id>; it reads and pays through this module's JSON endpoints,
which need the buyer's own session (anyone else gets 404). "Pay" builds the events Stripe would
send (checkout.session.completed, payment_intent.succeeded with the fee, or for a subscription
customer.subscription.created and invoice.paid), signs each with the webhook secret exactly
as Stripe does (t=..., v1=HMAC-SHA256) and hands it to `webhooks.ingest` — the function behind
POST /api/v1/webhooks/stripe — so signature check, event store, worker and entitlement are the
production path. Event ids are derived from our row ids: pressing Pay twice delivers duplicates,
which the event store absorbs.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import uuid
from datetime import timedelta
from html import escape
from typing import Any, Literal
from urllib.parse import parse_qs, urlencode, urlsplit

import stripe
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.commerce import webhooks
from app.commerce.events import SUBSCRIPTION_CHECKOUT_EXPIRED, SUBSCRIPTION_PENDING
from app.commerce.gateway import sandbox_enabled, webhook_secret
from app.commerce.models import Purchase, PurchaseStatus, StripeCustomer, Subscription, SubscriptionInterval
from app.commerce.schemas import SandboxCheckoutOut
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.errors import Conflict, NotFound
from app.core.security import derive_key

API_VERSION = "2025-03-31.basil"


def _require_sandbox() -> None:
    if not sandbox_enabled():
        raise NotFound("Not found.", code="not_found")


def portal_token(customer_id: str) -> str:
    key = derive_key(get_settings(), "sandbox-portal")
    return hmac.new(key, customer_id.encode(), hashlib.sha256).hexdigest()[:32]


def check_portal_token(customer_id: str, token: str) -> None:
    _require_sandbox()
    if not hmac.compare_digest(portal_token(customer_id), token or ""):
        raise NotFound("Not found.", code="not_found")


def _hex(row_id: uuid.UUID) -> str:
    return row_id.hex


def sign(payload: str, *, timestamp: int | None = None) -> str:
    """A Stripe-Signature header for `payload`, made by the stripe library itself."""
    return str(stripe.WebhookSignature.generate_signature_header(payload, webhook_secret(), timestamp))


def build_event(event_id: str, event_type: str, obj: dict[str, Any], created: int | None = None) -> str:
    event = {
        "id": event_id,
        "object": "event",
        "api_version": API_VERSION,
        "created": created if created is not None else int(utcnow().timestamp()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": None, "idempotency_key": None},
        "type": event_type,
    }
    return json.dumps(event, separators=(",", ":"))


async def deliver(session: AsyncSession, event_id: str, event_type: str, obj: dict[str, Any]) -> None:
    payload = build_event(event_id, event_type, obj)
    await webhooks.ingest(session, payload.encode(), sign(payload))


async def _customer_for(session: AsyncSession, user_id: uuid.UUID) -> str:
    existing = await session.scalar(
        select(StripeCustomer.customer_id).where(StripeCustomer.user_id == user_id)
    )
    return existing or f"cus_sb_{_hex(user_id)[:24]}"


async def find_checkout(session: AsyncSession, session_id: str, buyer: User) -> Purchase | Subscription:
    """The buyer's own checkout; anyone else's is indistinguishable from a missing one."""
    _require_sandbox()
    row: Purchase | Subscription | None = await session.scalar(
        select(Purchase).where(Purchase.checkout_session_id == session_id)
    )
    if row is None:
        row = await session.scalar(select(Subscription).where(Subscription.checkout_session_id == session_id))
    if row is None or row.user_id != buyer.id:
        raise NotFound("This checkout does not exist or has expired.", code="checkout_not_found")
    return row


def _state(row: Purchase | Subscription) -> Literal["open", "paid", "failed", "expired"]:
    if isinstance(row, Purchase):
        if row.paid_at is not None:
            return "paid"
        if row.status == PurchaseStatus.expired:
            return "expired"
        return "failed" if row.status == PurchaseStatus.failed else "open"
    if row.status == SUBSCRIPTION_PENDING:
        return "open"
    return "expired" if row.status == SUBSCRIPTION_CHECKOUT_EXPIRED else "paid"


def checkout_page_url(settings: Settings, session_id: str, *, success_url: str, cancel_url: str) -> str:
    """The web client's sandbox page for a Checkout Session. Stripe keeps a session's success and
    cancel URLs; the sandbox keeps them in the page's address (the row's checkout_url), so Pay
    and Cancel send the buyer where Stripe would: the web's pages or the app's allow-listed link."""
    query = urlencode({"success_url": success_url, "cancel_url": cancel_url})
    return settings.app_base_url.rstrip("/") + f"/sandbox/checkout/{session_id}?{query}"


def _return_urls(row: Purchase | Subscription, session_id: str) -> tuple[str, str]:
    """(success URL with the session id filled in as Stripe does, cancel URL) of a checkout: the
    ones the service opened it with (an app's were allow-listed then), kept in its checkout_url,
    which only the server writes; the web's pages for a checkout opened without them."""
    settings = get_settings()
    kept = parse_qs(urlsplit(row.checkout_url or "").query)
    success, cancel = kept.get("success_url", [""])[0], kept.get("cancel_url", [""])[0]
    if success and cancel:
        return success.replace("{CHECKOUT_SESSION_ID}", session_id), cancel
    web_cancel = settings.app_base_url.rstrip("/") + settings.commerce_checkout_cancel_path
    return _success_url(session_id), web_cancel


async def describe(session: AsyncSession, session_id: str, buyer: User) -> SandboxCheckoutOut:
    row = await find_checkout(session, session_id, buyer)
    purchase = row if isinstance(row, Purchase) else None
    return SandboxCheckoutOut(
        checkout_session_id=session_id,
        kind="subscription" if purchase is None else purchase.kind.value,
        title=purchase.video_title if purchase else "",
        amount_cents=row.amount_cents or 0,
        currency=row.currency,
        rental_hours=purchase.rental_hours if purchase else None,
        interval=row.interval if isinstance(row, Subscription) else None,
        status=_state(row),
        cancel_url=_return_urls(row, session_id)[1],
    )


def _fee(amount: int) -> int:
    settings = get_settings()
    return (
        amount * settings.commerce_sandbox_fee_bps + 5_000
    ) // 10_000 + settings.commerce_sandbox_fee_fixed_cents


def _success_url(session_id: str) -> str:
    settings = get_settings()
    path = settings.commerce_checkout_success_path
    sep = "&" if "?" in path else "?"
    return settings.app_base_url.rstrip("/") + f"{path}{sep}session_id={session_id}"


async def pay(session: AsyncSession, session_id: str, buyer: User) -> str:
    """Simulate the buyer paying their own checkout; returns the session's success URL."""
    row = await find_checkout(session, session_id, buyer)
    state = _state(row)
    if state == "expired":
        raise Conflict("This checkout has expired; start again from the video.", code="checkout_expired")
    if state == "paid":
        return _return_urls(row, session_id)[0]
    customer = await _customer_for(session, row.user_id)
    tag = _hex(row.id)
    if isinstance(row, Purchase):
        metadata = {
            "mamc_kind": "purchase",
            "mamc_purchase_id": str(row.id),
            "mamc_user_id": str(row.user_id),
            **(
                {"mamc_course_id": str(row.course_id)}
                if row.course_id
                else {"mamc_video_id": str(row.video_id)}
            ),
        }
        pi, charge = f"pi_sb_{tag}", f"ch_sb_{tag}"
        amount, currency = row.amount_cents, row.currency
        completed = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "amount_subtotal": amount,
            "amount_total": amount,
            "currency": currency,
            "customer": customer,
            "customer_details": {"email": buyer.email},
            "client_reference_id": str(row.id),
            "payment_intent": pi,
            "subscription": None,
            "metadata": metadata,
        }
        fee = _fee(amount)
        succeeded = {
            "id": pi,
            "object": "payment_intent",
            "amount": amount,
            "amount_received": amount,
            "currency": currency,
            "status": "succeeded",
            "customer": customer,
            "metadata": metadata,
            "latest_charge": {
                "id": charge,
                "object": "charge",
                "amount": amount,
                "currency": currency,
                "paid": True,
                "payment_intent": pi,
                "balance_transaction": {
                    "id": f"txn_sb_{tag}",
                    "object": "balance_transaction",
                    "amount": amount,
                    "fee": fee,
                    "net": amount - fee,
                    "currency": currency,
                },
            },
        }
        await deliver(session, f"evt_sb_{tag}_completed", "checkout.session.completed", completed)
        await deliver(session, f"evt_sb_{tag}_succeeded", "payment_intent.succeeded", succeeded)
    else:
        metadata = {
            "mamc_kind": "subscription",
            "mamc_subscription_id": str(row.id),
            "mamc_user_id": str(row.user_id),
        }
        sub_id = f"sub_sb_{tag}"
        now = utcnow()
        days = 365 if row.interval == SubscriptionInterval.year else 30
        start, end = int(now.timestamp()), int((now + timedelta(days=days)).timestamp())
        amount = row.amount_cents or 0
        subscription = {
            "id": sub_id,
            "object": "subscription",
            "status": "active",
            "customer": customer,
            "currency": row.currency,
            "cancel_at_period_end": False,
            "canceled_at": None,
            "metadata": metadata,
            "items": {
                "object": "list",
                "data": [
                    {
                        "id": f"si_sb_{tag}",
                        "object": "subscription_item",
                        "current_period_start": start,
                        "current_period_end": end,
                        "price": {
                            "id": f"price_sb_{row.interval.value}",
                            "object": "price",
                            "currency": row.currency,
                            "unit_amount": amount,
                            "recurring": {"interval": row.interval.value, "interval_count": 1},
                        },
                    }
                ],
            },
        }
        completed = {
            "id": session_id,
            "object": "checkout.session",
            "mode": "subscription",
            "status": "complete",
            "payment_status": "paid",
            "amount_total": amount,
            "currency": row.currency,
            "customer": customer,
            "customer_details": {"email": buyer.email},
            "client_reference_id": str(row.id),
            "payment_intent": None,
            "subscription": sub_id,
            "metadata": metadata,
        }
        invoice = {
            "id": f"in_sb_{tag}",
            "object": "invoice",
            "number": f"SB-{tag[:8].upper()}-0001",
            "customer": customer,
            "amount_paid": amount,
            "amount_due": amount,
            "currency": row.currency,
            "status": "paid",
            "billing_reason": "subscription_create",
            "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub_id}},
            "lines": {"object": "list", "data": [{"period": {"start": start, "end": end}}]},
        }
        await deliver(session, f"evt_sb_{tag}_completed", "checkout.session.completed", completed)
        await deliver(session, f"evt_sb_{tag}_sub_created", "customer.subscription.created", subscription)
        await deliver(session, f"evt_sb_{tag}_invoice_paid", "invoice.paid", invoice)
    return _return_urls(row, session_id)[0]


async def decline(session: AsyncSession, session_id: str, buyer: User) -> None:
    """Simulate the buyer's card being declined (payment_intent.payment_failed)."""
    row = await find_checkout(session, session_id, buyer)
    if not isinstance(row, Purchase) or _state(row) in ("paid", "expired"):
        return
    tag = _hex(row.id)
    failed = {
        "id": f"pi_sb_{tag}",
        "object": "payment_intent",
        "amount": row.amount_cents,
        "currency": row.currency,
        "status": "requires_payment_method",
        "metadata": {
            "mamc_kind": "purchase",
            "mamc_purchase_id": str(row.id),
            "mamc_user_id": str(row.user_id),
        },
        "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
    }
    await deliver(
        session, f"evt_sb_{tag}_failed_{int(utcnow().timestamp())}", "payment_intent.payment_failed", failed
    )


async def refund(session: AsyncSession, purchase: Purchase, amount_cents: int) -> str:
    """Simulate Stripe refunding `amount_cents` more of a purchase; delivers charge.refunded with
    the charge's new total, as Stripe does. Returns the refund id."""
    tag = _hex(purchase.id)
    total = min(purchase.amount_cents, purchase.amount_refunded_cents + amount_cents)
    charge = {
        "id": purchase.charge_id or f"ch_sb_{tag}",
        "object": "charge",
        "amount": purchase.amount_cents,
        "amount_captured": purchase.amount_cents,
        "amount_refunded": total,
        "currency": purchase.currency,
        "paid": True,
        "refunded": total >= purchase.amount_cents,
        "payment_intent": purchase.payment_intent_id,
        "metadata": {},
    }
    await deliver(session, f"evt_sb_{tag}_refunded_{total}", "charge.refunded", charge)
    return f"re_sb_{tag}_{total}"


async def cancel_subscriptions(session: AsyncSession, customer_id: str) -> int:
    """Portal "Cancel plan": delivers customer.subscription.deleted for the customer's plans."""
    user_id = await session.scalar(
        select(StripeCustomer.user_id).where(StripeCustomer.customer_id == customer_id)
    )
    if user_id is None:
        return 0
    subs = (
        await session.scalars(
            select(Subscription).where(
                Subscription.user_id == user_id,
                Subscription.status.in_(["active", "trialing", "past_due"]),
                Subscription.stripe_subscription_id.is_not(None),
            )
        )
    ).all()
    now = int(utcnow().timestamp())
    for sub in subs:
        obj = {
            "id": sub.stripe_subscription_id,
            "object": "subscription",
            "status": "canceled",
            "customer": customer_id,
            "currency": sub.currency,
            "cancel_at_period_end": False,
            "canceled_at": now,
            "ended_at": now,
            "metadata": {"mamc_subscription_id": str(sub.id), "mamc_user_id": str(sub.user_id)},
            "items": {"object": "list", "data": []},
        }
        await deliver(session, f"evt_sb_{_hex(sub.id)}_deleted", "customer.subscription.deleted", obj)
    return len(subs)


# --------------------------------------------------------------------------- pages

_STYLE = (
    "body{font-family:system-ui,sans-serif;background:#f6f7f9;margin:0;padding:2rem}"
    "main{max-width:28rem;margin:auto;background:#fff;border-radius:12px;padding:2rem;"
    "box-shadow:0 2px 12px #0002}h1{font-size:1.2rem}.amount{font-size:2rem;margin:1rem 0}"
    "button{font-size:1rem;padding:.7rem 1.2rem;border-radius:8px;border:0;cursor:pointer}"
    ".pay{background:#635bff;color:#fff;width:100%}.decline{background:#eee;margin-top:.8rem;width:100%}"
    ".note{color:#666;font-size:.85rem}"
)


def _page(title: str, body: str) -> str:
    return (
        f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{escape(title)}</title>"
        f"<meta name=viewport content='width=device-width,initial-scale=1'><style>{_STYLE}</style></head>"
        f"<body><main>{body}<p class=note>Sandbox payments: no real money moves. "
        f"(STRIPE_SECRET_KEY is not set.)</p></main></body></html>"
    )


async def portal_page(session: AsyncSession, customer_id: str, token: str) -> str:
    check_portal_token(customer_id, token)
    user_id = await session.scalar(
        select(StripeCustomer.user_id).where(StripeCustomer.customer_id == customer_id)
    )
    subs = (
        (await session.scalars(select(Subscription).where(Subscription.user_id == user_id))).all()
        if user_id
        else []
    )
    rows = "".join(
        f"<li>{escape(s.interval.value)}ly — {escape(s.status)}"
        + (f", paid until {s.current_period_end:%Y-%m-%d}" if s.current_period_end else "")
        + "</li>"
        for s in subs
        if s.status != "pending"
    )
    cid, tok = escape(customer_id), escape(token)
    return _page(
        "Billing (sandbox)",
        f"<h1>Billing</h1><ul>{rows or '<li>No subscriptions</li>'}</ul>"
        f"<form method=post action='/api/v1/sandbox/portal/{cid}/cancel?token={tok}'>"
        f"<button class=decline type=submit>Cancel subscription now</button></form>",
    )
