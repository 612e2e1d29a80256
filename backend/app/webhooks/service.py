"""Outbound webhooks: endpoints, events, signed deliveries with retries, the delivery log.

Who gets what: an instructor's endpoint receives the events about their own things (their video
published, a purchase of their video, an attempt on their reference); an admin's endpoint
receives every event. Signing follows the Standard Webhooks spec through its reference library
(`standardwebhooks`): headers `webhook-id` (the same on every retry and replay, so receivers can
deduplicate), `webhook-timestamp` and `webhook-signature` ("v1,<base64 HMAC-SHA256 of
id.timestamp.body>" with the endpoint's "whsec_<base64>" secret).

Retries: a delivery that fails (no answer, or not 2xx) is tried again after 30 s, 1 min, 2 min...
(doubling) up to WEBHOOKS_MAX_ATTEMPTS, then marked failed; the owner can replay it from the UI.
Each attempt is a Celery task on the `default` queue; beat's `retry_due` re-sends any due
delivery whose message was lost.

SSRF: an endpoint URL must be http(s) and every address its host resolves to must be public;
loopback, private, link-local and reserved addresses are refused (at registration and again
before each attempt, against DNS rebinding) unless WEBHOOKS_ALLOW_PRIVATE_TARGETS (tests and
development only: production refuses to start with it). Redirects are not followed.
"""

from __future__ import annotations

import asyncio
import base64
import ipaddress
import json
import secrets
import socket
import uuid
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

import httpx
import structlog
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from standardwebhooks.webhooks import Webhook

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.errors import NotFound, ValidationFailed
from app.webhooks.models import DeliveryStatus, WebhookDelivery, WebhookEndpoint
from app.worker.dispatch import enqueue, enqueue_after_commit

log = structlog.get_logger(__name__)

EVENTS = ("video.published", "purchase.paid", "attempt.ready")
DELIVER_TASK = "default.webhooks.deliver"
BACKOFF_BASE_SECONDS = 30
MAX_ENDPOINTS_PER_OWNER = 20


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(32)).decode()


# --- the SSRF guard ----------------------------------------------------------------------------------


class UnsafeTarget(ValueError):
    pass


def _public(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def check_addresses(addresses: Iterable[str], settings: Settings) -> None:
    found = list(addresses)
    if not found:
        raise UnsafeTarget("the host does not resolve")
    if settings.webhooks_allow_private_targets:
        return
    if not all(_public(a) for a in found):
        raise UnsafeTarget("the host resolves to a private or local address")


def _split(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeTarget("not an http(s) URL")
    if parts.username or parts.password:
        raise UnsafeTarget("credentials in the URL")
    return parts.hostname, parts.port or (443 if parts.scheme == "https" else 80)


def check_url_sync(url: str, settings: Settings) -> None:
    host, port = _split(url)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeTarget("the host does not resolve") from exc
    check_addresses((str(info[4][0]) for info in infos), settings)


async def check_url(url: str, settings: Settings) -> None:
    host, port = _split(url)
    try:
        infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except socket.gaierror as exc:
        raise UnsafeTarget("the host does not resolve") from exc
    check_addresses((str(info[4][0]) for info in infos), settings)


# --- endpoints (API side) ------------------------------------------------------------------------------


async def create_endpoint(
    session: AsyncSession, settings: Settings, owner: User, *, url: str, events: list[str], description: str
) -> WebhookEndpoint:
    unknown = sorted(set(events) - set(EVENTS))
    if unknown or not events:
        raise ValidationFailed(
            f"Unknown events: {', '.join(unknown) or '(none chosen)'}.", code="unknown_webhook_event"
        )
    try:
        await check_url(url, settings)
    except UnsafeTarget as exc:
        raise ValidationFailed(
            f"This URL cannot receive webhooks: {exc}.", code="unsafe_webhook_url"
        ) from exc
    count = len(
        (await session.scalars(select(WebhookEndpoint.id).where(WebhookEndpoint.owner_id == owner.id))).all()
    )
    if count >= MAX_ENDPOINTS_PER_OWNER:
        raise ValidationFailed("You have too many webhook endpoints.", code="too_many_webhooks")
    endpoint = WebhookEndpoint(
        owner_id=owner.id, url=url, events=sorted(set(events)), description=description, secret=new_secret()
    )
    session.add(endpoint)
    await session.commit()
    return endpoint


async def list_endpoints(session: AsyncSession, owner: User) -> list[WebhookEndpoint]:
    query = select(WebhookEndpoint).where(WebhookEndpoint.owner_id == owner.id).order_by(WebhookEndpoint.id)
    return list((await session.scalars(query)).all())


async def get_endpoint(session: AsyncSession, owner: User, endpoint_id: uuid.UUID) -> WebhookEndpoint:
    endpoint = await session.get(WebhookEndpoint, endpoint_id)
    if endpoint is None or endpoint.owner_id != owner.id:
        raise NotFound("No such webhook endpoint.", code="webhook_not_found")
    return endpoint


async def delete_endpoint(session: AsyncSession, owner: User, endpoint_id: uuid.UUID) -> None:
    await session.delete(await get_endpoint(session, owner, endpoint_id))
    await session.commit()


async def list_deliveries(
    session: AsyncSession, owner: User, endpoint_id: uuid.UUID, limit: int
) -> list[WebhookDelivery]:
    await get_endpoint(session, owner, endpoint_id)
    query = (
        select(WebhookDelivery)
        .where(WebhookDelivery.endpoint_id == endpoint_id)
        .order_by(WebhookDelivery.created_at.desc(), WebhookDelivery.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def replay(session: AsyncSession, owner: User, delivery_id: uuid.UUID) -> WebhookDelivery:
    """Send a delivery again (same webhook-id, a fresh round of attempts)."""
    delivery = await session.get(WebhookDelivery, delivery_id, with_for_update=True)
    if delivery is None:
        raise NotFound("No such delivery.", code="delivery_not_found")
    await get_endpoint(session, owner, delivery.endpoint_id)
    delivery.status, delivery.attempts, delivery.next_attempt_at = DeliveryStatus.pending.value, 0, utcnow()
    enqueue_after_commit(session, DELIVER_TASK, str(delivery.id))
    await session.commit()
    return delivery


# --- events (synchronous: workers, and async callers through run_sync) ------------------------------


def emit(session: Session, *, event_type: str, owner_id: uuid.UUID | None, data: dict[str, Any]) -> int:
    """Queue `event_type` for every active endpoint subscribed to it: the owner's (the instructor
    the event is about) and every admin's. Sent after the caller's transaction commits; returns
    how many deliveries were queued."""
    if event_type not in EVENTS:
        raise ValueError(f"unknown webhook event {event_type!r}")
    admins = select(User.id).where(User.role == Role.admin)
    whose: ColumnElement[bool] = WebhookEndpoint.owner_id.in_(admins)
    if owner_id is not None:
        whose = or_(WebhookEndpoint.owner_id == owner_id, whose)
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.active.is_(True), whose))
    now = utcnow()
    queued = 0
    for endpoint in endpoints:
        if event_type not in endpoint.events:
            continue
        delivery = WebhookDelivery(
            endpoint_id=endpoint.id,
            event_type=event_type,
            msg_id=f"msg_{uuid.uuid4().hex}",
            payload={"type": event_type, "timestamp": now.isoformat(), "data": data},
            next_attempt_at=now,
        )
        session.add(delivery)
        session.flush()
        enqueue_after_commit(session, DELIVER_TASK, str(delivery.id))
        queued += 1
    return queued


def body_of(delivery: WebhookDelivery) -> str:
    return json.dumps(delivery.payload, separators=(",", ":"), sort_keys=True)


def signed_headers(secret: str, msg_id: str, when: datetime, body: str) -> dict[str, str]:
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(int(when.timestamp())),
        "webhook-signature": Webhook(secret).sign(msg_id, when, body),
        "content-type": "application/json",
        "user-agent": "MartialArtsMediaCenter-Webhooks/1",
    }


def backoff_seconds(attempts: int) -> int:
    return int(BACKOFF_BASE_SECONDS * 2 ** max(attempts - 1, 0))


def deliver(session: Session, delivery_id: uuid.UUID, now: datetime | None = None) -> str:
    """One attempt at one delivery (the task's body). Returns the delivery's status after it."""
    settings = get_settings()
    now = now or utcnow()
    delivery = session.get(WebhookDelivery, delivery_id, with_for_update={"skip_locked": True})
    if delivery is None or delivery.status != DeliveryStatus.pending.value:
        return "skipped" if delivery is None else delivery.status
    if delivery.next_attempt_at is not None and delivery.next_attempt_at > now:
        return "not_due"
    endpoint = session.get(WebhookEndpoint, delivery.endpoint_id)
    if endpoint is None or not endpoint.active:
        delivery.status, delivery.last_error = DeliveryStatus.failed.value, "endpoint disabled"
        session.commit()
        return delivery.status
    delivery.attempts += 1
    body = body_of(delivery)
    try:
        check_url_sync(endpoint.url, settings)
        with httpx.Client(timeout=settings.webhooks_timeout_seconds, follow_redirects=False) as client:
            resp = client.post(
                endpoint.url,
                content=body,
                headers=signed_headers(endpoint.secret, delivery.msg_id, now, body),
            )
        delivery.last_status_code, delivery.last_error = resp.status_code, None
        ok = 200 <= resp.status_code < 300
        if not ok:
            delivery.last_error = f"HTTP {resp.status_code}"
    except (httpx.HTTPError, UnsafeTarget) as exc:
        ok, delivery.last_status_code, delivery.last_error = False, None, f"{type(exc).__name__}: {exc}"[:500]
    countdown: int | None = None
    if ok:
        delivery.status, delivery.delivered_at, delivery.next_attempt_at = (
            DeliveryStatus.delivered.value,
            now,
            None,
        )
    elif delivery.attempts >= settings.webhooks_max_attempts:
        delivery.status, delivery.next_attempt_at = DeliveryStatus.failed.value, None
    else:
        countdown = backoff_seconds(delivery.attempts)
        delivery.next_attempt_at = now + timedelta(seconds=countdown)
    status = delivery.status
    session.commit()
    if countdown is not None:
        enqueue(DELIVER_TASK, str(delivery_id), countdown=countdown)
    log.info("webhook_attempt", delivery_id=str(delivery_id), status=status, code=delivery.last_status_code)
    return status


def due(session: Session, now: datetime | None = None) -> list[uuid.UUID]:
    """Pending deliveries whose next attempt is due (beat re-sends them: a lost task message)."""
    query = select(WebhookDelivery.id).where(
        WebhookDelivery.status == DeliveryStatus.pending.value,
        WebhookDelivery.next_attempt_at <= (now or utcnow()) - timedelta(seconds=60),
    )
    return list(session.scalars(query.limit(500)))


# --- your data ---------------------------------------------------------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    endpoints = session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.owner_id == user_id))
    return {
        "endpoints": [
            {
                "url": e.url,
                "events": e.events,
                "description": e.description,
                "created_at": e.created_at.isoformat(),
            }
            for e in endpoints
        ]
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    for endpoint in session.scalars(select(WebhookEndpoint).where(WebhookEndpoint.owner_id == user_id)):
        session.delete(endpoint)
