"""Issue 17 wiring: a sale notifies the instructor (once, in their language) and fires
`purchase.paid` to their webhooks; a refund notifies the buyer and the instructor once per refund."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select, update

from app.auth.models import User
from app.db.session import sync_session
from app.notifications.models import Notification
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

from .conftest import event


def _kinds(user: User) -> list[tuple[str, dict[str, Any]]]:
    with sync_session() as s:
        rows = s.scalars(
            select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        )
        return [(n.kind, n.params) for n in rows]


async def test_sale_and_refund_are_announced_once(
    post_event: Callable[..., Any],
    open_checkout: Callable[..., Any],
    make_video: Callable[..., Any],
    make_user: Callable[..., User],
    instructor: User,
) -> None:
    with sync_session() as s:
        s.execute(update(User).where(User.id == instructor.id).values(language="it"))
        s.add(WebhookEndpoint(owner_id=instructor.id, url="https://hooks.invalid/h", events=["purchase.paid"],
                              secret="whsec_" + "A" * 43))  # fmt: skip
    buyer = make_user(display_name="Aiko")
    shapes = await open_checkout(buyer, make_video(instructor, price_cents=2000, title="Seoi nage"), "ppv")
    paid = event("payment_intent.succeeded", shapes.pi_succeeded(fee=80))
    for evt in (event("checkout.session.completed", shapes.checkout_completed()), paid, paid):
        assert (await post_event(evt)).status_code == 200

    [(kind, params)] = _kinds(instructor)
    assert kind == "sale" and params == {"buyer": "Aiko", "title": "Seoi nage", "amount": "20,00 EUR"}
    with sync_session() as s:
        [delivery] = s.scalars(select(WebhookDelivery)).all()
        assert delivery.event_type == "purchase.paid"
        assert delivery.payload["data"]["amount_cents"] == 2000 and "Aiko" not in str(delivery.payload)
    assert _kinds(buyer) == []

    refund = event("charge.refunded", shapes.charge_refunded(500))
    for evt in (refund, refund):  # a redelivered event announces nothing twice
        assert (await post_event(evt)).status_code == 200
    assert [k for k, _ in _kinds(buyer)] == ["refund"]
    assert _kinds(buyer)[0][1] == {"title": "Seoi nage", "amount": "5.00 EUR"}
    assert [k for k, _ in _kinds(instructor)] == ["sale", "refund"]
