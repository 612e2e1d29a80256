"""Commerce fixtures: signed Stripe events, a local stand-in for api.stripe.com, video rows.

Events are signed exactly as Stripe signs them (t=<unix>, v1=HMAC-SHA256 of "<t>.<body>" with
the endpoint secret), using the stripe library's own header generator.
"""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import stripe
from pydantic import SecretStr

from app.auth.models import Role, User
from app.commerce.gateway import webhook_secret
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.ids import uuid7
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from tests.support.stripe_standin import Recorded, StripeStandIn

WEBHOOK = "/api/v1/webhooks/stripe"


# --------------------------------------------------------------------------- events


@dataclass
class Signer:
    secret: str | None = None  # None: the app's current webhook secret (sandbox or configured)

    def body(self, event: dict[str, Any]) -> bytes:
        return json.dumps(event).encode()

    def header(self, body: bytes, *, timestamp: int | None = None, secret: str | None = None) -> str:
        return str(
            stripe.WebhookSignature.generate_signature_header(
                body.decode(), secret or self.secret or webhook_secret(), timestamp
            )
        )


def event(
    event_type: str, obj: dict[str, Any], *, created: int | None = None, event_id: str | None = None
) -> dict[str, Any]:
    """A v1 snapshot event envelope as Stripe delivers it."""
    return {
        "id": event_id or f"evt_{uuid.uuid4().hex[:24]}",
        "object": "event",
        "api_version": "2025-03-31.basil",
        "created": created if created is not None else int(time.time()),
        "data": {"object": obj},
        "livemode": False,
        "pending_webhooks": 1,
        "request": {"id": f"req_{uuid.uuid4().hex[:14]}", "idempotency_key": None},
        "type": event_type,
    }


@pytest.fixture
def signer() -> Signer:
    return Signer()


@pytest.fixture
def post_event(client: httpx.AsyncClient, signer: Signer) -> Callable[..., Any]:
    async def post(evt: dict[str, Any], **kw: Any) -> httpx.Response:
        body = signer.body(evt)
        return await client.post(
            WEBHOOK,
            content=body,
            headers={"Stripe-Signature": signer.header(body, **kw), "Content-Type": "application/json"},
        )

    return post


# --------------------------------------------------------------------------- object shapes


@dataclass
class Shapes:
    """Real Stripe object shapes (trimmed to the fields that matter) for one purchase."""

    purchase_id: uuid.UUID
    user_id: uuid.UUID
    video_id: uuid.UUID
    amount: int
    currency: str
    checkout_session_id: str
    tag: str = field(default_factory=lambda: uuid.uuid4().hex[:16])

    @property
    def pi(self) -> str:
        return f"pi_{self.tag}"

    @property
    def charge_id(self) -> str:
        return f"ch_{self.tag}"

    @property
    def metadata(self) -> dict[str, str]:
        return {
            "mamc_kind": "purchase",
            "mamc_purchase_id": str(self.purchase_id),
            "mamc_user_id": str(self.user_id),
            "mamc_video_id": str(self.video_id),
        }

    def checkout_completed(self, *, amount_total: int | None = None) -> dict[str, Any]:
        return {
            "id": self.checkout_session_id,
            "object": "checkout.session",
            "mode": "payment",
            "status": "complete",
            "payment_status": "paid",
            "amount_subtotal": self.amount,
            "amount_total": self.amount if amount_total is None else amount_total,
            "currency": self.currency,
            "customer": f"cus_{self.tag}",
            "client_reference_id": str(self.purchase_id),
            "payment_intent": self.pi,
            "subscription": None,
            "metadata": self.metadata,
        }

    def pi_succeeded(self, *, fee: int | None = None) -> dict[str, Any]:
        charge: Any = self.charge_id
        if fee is not None:
            charge = {
                "id": self.charge_id,
                "object": "charge",
                "balance_transaction": {"id": f"txn_{self.tag}", "object": "balance_transaction", "fee": fee},
            }
        return {
            "id": self.pi,
            "object": "payment_intent",
            "amount": self.amount,
            "amount_received": self.amount,
            "currency": self.currency,
            "status": "succeeded",
            "customer": f"cus_{self.tag}",
            "latest_charge": charge,
            "metadata": self.metadata,
        }

    def pi_failed(self) -> dict[str, Any]:
        return {
            "id": self.pi,
            "object": "payment_intent",
            "amount": self.amount,
            "currency": self.currency,
            "status": "requires_payment_method",
            "last_payment_error": {"code": "card_declined", "message": "Your card was declined."},
            "metadata": self.metadata,
        }

    def charge_refunded(self, amount_refunded: int) -> dict[str, Any]:
        return {
            "id": self.charge_id,
            "object": "charge",
            "amount": self.amount,
            "amount_captured": self.amount,
            "amount_refunded": amount_refunded,
            "refunded": amount_refunded >= self.amount,
            "currency": self.currency,
            "payment_intent": self.pi,
            "metadata": {},
        }

    def dispute(
        self, status: str, *, dispute_id: str | None = None, amount: int | None = None
    ) -> dict[str, Any]:
        return {
            "id": dispute_id or f"dp_{self.tag}",
            "object": "dispute",
            "amount": self.amount if amount is None else amount,
            "currency": self.currency,
            "charge": self.charge_id,
            "payment_intent": self.pi,
            "reason": "fraudulent",
            "status": status,
            "created": int(time.time()),
            "evidence_details": {"due_by": int(time.time()) + 7 * 86400, "has_evidence": False},
        }


def subscription_obj(
    sub_id: str,
    *,
    user_id: uuid.UUID,
    status: str,
    period_end: int,
    customer: str = "cus_sub",
    own_id: uuid.UUID | None = None,
    interval: str = "month",
) -> dict[str, Any]:
    metadata = {"mamc_user_id": str(user_id)}
    if own_id:
        metadata["mamc_subscription_id"] = str(own_id)
    return {
        "id": sub_id,
        "object": "subscription",
        "status": status,
        "customer": customer,
        "currency": "usd",
        "cancel_at_period_end": False,
        "canceled_at": int(time.time()) if status == "canceled" else None,
        "metadata": metadata,
        "items": {
            "object": "list",
            "data": [
                {
                    "id": f"si_{sub_id}",
                    "object": "subscription_item",
                    "current_period_start": period_end - 30 * 86400,
                    "current_period_end": period_end,
                    "price": {
                        "id": "price_test",
                        "object": "price",
                        "unit_amount": 1500,
                        "currency": "usd",
                        "recurring": {"interval": interval, "interval_count": 1},
                    },
                }
            ],
        },
    }


def invoice_obj(sub_id: str, *, status: str, period_end: int, amount: int = 1500) -> dict[str, Any]:
    return {
        "id": f"in_{uuid.uuid4().hex[:16]}",
        "object": "invoice",
        "number": "ABC-0001",
        "amount_paid": amount if status == "paid" else 0,
        "amount_due": amount,
        "currency": "usd",
        "status": status,
        "parent": {"type": "subscription_details", "subscription_details": {"subscription": sub_id}},
        "lines": {
            "object": "list",
            "data": [{"period": {"start": period_end - 30 * 86400, "end": period_end}}],
        },
    }


# --------------------------------------------------------------------------- rows


def purchase_row(buyer: User, teacher: User, price: int, currency: str = "usd") -> Shapes:
    """A pending PPV purchase row of an unknown video, written directly (no checkout call)."""
    from app.commerce.models import Purchase, PurchaseKind

    with sync_session() as s:
        p = Purchase(
            user_id=buyer.id,
            video_id=uuid.uuid4(),
            instructor_id=teacher.id,
            kind=PurchaseKind.ppv,
            amount_cents=price,
            currency=currency,
            platform_fee_bps=2000,
            checkout_session_id=f"cs_{uuid.uuid4().hex}",
        )
        s.add(p)
        s.flush()
        return Shapes(p.id, buyer.id, p.video_id, price, currency, p.checkout_session_id or "")


def course_purchase_row(buyer: User, teacher: User, price: int, video_ids: list[uuid.UUID]) -> Shapes:
    """A published course of `video_ids` (the teacher's) and a pending purchase of it as a
    bundle, written directly (no checkout call)."""
    from app.commerce.models import Purchase, PurchaseKind
    from app.social.models import Course, CourseItem

    with sync_session() as s:
        course = Course(
            owner_id=teacher.id, title="Bundle", price_cents=price, currency="usd", published_at=utcnow()
        )
        s.add(course)
        s.flush()
        s.add_all(CourseItem(course_id=course.id, video_id=v, position=n) for n, v in enumerate(video_ids))
        p = Purchase(
            user_id=buyer.id,
            course_id=course.id,
            instructor_id=teacher.id,
            video_title=course.title,
            kind=PurchaseKind.course,
            amount_cents=price,
            currency="usd",
            platform_fee_bps=2000,
            checkout_session_id=f"cs_{uuid.uuid4().hex}",
        )
        s.add(p)
        s.flush()
        return Shapes(p.id, buyer.id, course.id, price, "usd", p.checkout_session_id or "")


@pytest.fixture
def make_video() -> Callable[..., Video]:
    def factory(owner: User, **fields: Any) -> Video:
        values: dict[str, Any] = {
            "title": "Seoi nage entries",
            "description": "Judo throws",
            "discipline": "judo",
            "currency": "EUR",
            "status": VideoStatus.published,
            "published_at": utcnow(),
            "media_prefix": f"videos/{uuid.uuid4()}/x/",
            "duration_s": 8.0,
            "renditions": ["360p"],
        }
        values.update(fields)
        video = Video(owner_id=owner.id, **values)
        video.id = uuid7()
        with sync_session() as s:
            s.add(video)
        return video

    return factory


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.instructor, display_name="Sensei Mori")


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.admin, display_name="Admin")


# --------------------------------------------------------------------------- api.stripe.com stand-in


@pytest.fixture
def stripe_api(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[StripeStandIn]:
    """Production mode (STRIPE_SECRET_KEY set) against the local stand-in (STRIPE_API_BASE)."""
    stand_in = StripeStandIn().start()
    monkeypatch.setattr(settings, "stripe_secret_key", SecretStr("sk_test_mamc_0123456789"))
    monkeypatch.setattr(settings, "stripe_webhook_secret", SecretStr("whsec_test_mamc_endpoint_secret"))
    monkeypatch.setattr(settings, "stripe_api_base", stand_in.url)
    try:
        yield stand_in
    finally:
        stand_in.stop()


@dataclass
class StripeCheckout:
    """Production mode against the stand-in, with a buyer and a 25.00 EUR video: POST
    /api/v1/checkout as the buyer (a PPV of the video unless told otherwise) and read the
    Checkout Session requests api.stripe.com received."""

    client: httpx.AsyncClient
    stripe: StripeStandIn
    buyer: User
    video: Video
    headers: dict[str, str]

    async def post(self, *, headers: dict[str, str] | None = None, **body: Any) -> httpx.Response:
        payload = {"kind": "ppv", "video_id": str(self.video.id), **body}
        return await self.client.post(
            "/api/v1/checkout", json=payload, headers={**self.headers, **(headers or {})}
        )

    def sessions(self) -> list[Recorded]:
        return self.stripe.calls("POST", "/v1/checkout/sessions")


@pytest.fixture
def stripe_checkout(
    client: httpx.AsyncClient,
    stripe_api: StripeStandIn,
    auth_headers: Callable[[User], dict[str, str]],
    make_video: Callable[..., Video],
    instructor: User,
    make_user: Callable[..., User],
) -> StripeCheckout:
    buyer = make_user()
    video = make_video(instructor, price_cents=2500, currency="EUR")
    return StripeCheckout(client, stripe_api, buyer, video, auth_headers(buyer))


async def sandbox_buy(
    client: httpx.AsyncClient, headers: dict[str, str], payload: dict[str, Any]
) -> dict[str, Any]:
    """Checkout, then "Pay" on the sandbox page as the signed-in buyer (the page's API calls);
    returns the checkout's answer with the page's description under "page"."""
    r = await client.post("/api/v1/checkout", json=payload, headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    api = f"/api/v1/sandbox/checkout/{body['checkout_session_id']}"
    page = await client.get(api, headers=headers)
    assert page.status_code == 200 and page.json()["status"] == "open", page.text
    paid = await client.post(f"{api}/pay", headers=headers)
    assert paid.status_code == 200 and "checkout=success" in paid.json()["redirect_url"], paid.text
    return {**body, "page": page.json()}


# --------------------------------------------------------------------------- checkout helper


@pytest.fixture
def open_checkout(
    client: httpx.AsyncClient, auth_headers: Callable[[User], dict[str, str]]
) -> Callable[..., Any]:
    """POST /api/v1/checkout as `user`; returns Shapes for the purchase it opened."""

    async def open_(user: User, video: Video, kind: str = "ppv") -> Shapes:
        r = await client.post(
            "/api/v1/checkout", json={"kind": kind, "video_id": str(video.id)}, headers=auth_headers(user)
        )
        assert r.status_code == 201, r.text
        body = r.json()
        amount = video.price_cents if kind == "ppv" else video.rental_price_cents
        assert amount is not None
        return Shapes(
            purchase_id=uuid.UUID(body["purchase_id"]),
            user_id=user.id,
            video_id=video.id,
            amount=amount,
            currency=video.currency.lower(),
            checkout_session_id=body["checkout_session_id"],
        )

    return open_
