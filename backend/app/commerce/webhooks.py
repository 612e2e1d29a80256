"""Webhook ingest: verify the Stripe-Signature, store the event by id, hand it to a worker.

`ingest` is the one door for Stripe events — the HTTP endpoint and the embedded sandbox both
use it, so signature checking, storage and application are the production path everywhere.
Nothing is stored unless the signature is valid and fresh (STRIPE_WEBHOOK_TOLERANCE_SECONDS).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import stripe
import structlog
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from app.commerce.events import APPLY_TASK, related_ref
from app.commerce.gateway import webhook_secret
from app.commerce.models import StripeEvent, insert_ignoring_conflicts
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import DomainError
from app.core.ids import uuid7
from app.worker.dispatch import enqueue

log = structlog.get_logger(__name__)


class InvalidSignature(DomainError):
    status_code = 400
    code = "invalid_signature"


class InvalidPayload(DomainError):
    status_code = 400
    code = "invalid_payload"


@dataclass(frozen=True)
class IngestResult:
    event_id: str
    type: str
    duplicate: bool


def verify(payload: bytes, signature: str | None) -> dict[str, Any]:
    """Check the signature scheme Stripe uses (t=..., v1=HMAC-SHA256 of "t.payload") and the
    timestamp tolerance with the official library, then parse. Raises InvalidSignature (400)."""
    settings = get_settings()
    try:
        text = payload.decode("utf-8")  # Stripe sends UTF-8 JSON; anything else is not from Stripe
    except UnicodeDecodeError as exc:
        raise InvalidPayload("The webhook body is not UTF-8 JSON.") from exc
    try:
        stripe.WebhookSignature.verify_header(
            text, signature, webhook_secret(settings), settings.stripe_webhook_tolerance_seconds
        )
    except stripe.SignatureVerificationError as exc:
        raise InvalidSignature("The Stripe-Signature header is not valid for this payload.") from exc
    try:
        event = json.loads(text)
        if not isinstance(event, dict) or not event.get("id") or not event.get("type"):
            raise ValueError("not an event")
        if not isinstance((event.get("data") or {}).get("object"), dict):
            raise ValueError("no data.object")
    except ValueError as exc:
        raise InvalidPayload("The webhook body is not a Stripe event.") from exc
    return event


async def ingest(session: AsyncSession, payload: bytes, signature: str | None) -> IngestResult:
    event = verify(payload, signature)
    obj: dict[str, Any] = event["data"]["object"]
    event_id, event_type = str(event["id"])[:255], str(event["type"])[:100]
    values: dict[str, Any] = {
        "event_id": event_id,
        "type": event_type,
        "livemode": bool(event.get("livemode")),
        "object_id": str(obj.get("id"))[:255] if obj.get("id") else None,
        "related_ref": related_ref(event_type, obj),
        "event_created": int(event.get("created") or 0),
        "payload": event,
        "received_at": utcnow(),
        "attempts": 0,
    }
    stmt = (
        insert_ignoring_conflicts(session, StripeEvent, "event_id")
        .values(id=uuid7(), **values)
        .returning(StripeEvent.id)
    )
    created = (await session.execute(stmt)).scalar_one_or_none() is not None
    await session.commit()
    if not created:
        processed = await session.scalar(
            select(StripeEvent.processed_at).where(StripeEvent.event_id == values["event_id"])
        )
        if processed is not None:
            log.info("stripe_event_duplicate", event_id=values["event_id"], type=values["type"])
            return IngestResult(event_id, event_type, duplicate=True)
    try:
        enqueue(APPLY_TASK, values["event_id"])
    except Exception:  # stored: the periodic retry applies it; Stripe must still get its 200
        log.exception("stripe_event_enqueue_failed", event_id=values["event_id"])
    return IngestResult(event_id, event_type, duplicate=not created)
