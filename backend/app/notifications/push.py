"""Push notifications through Expo's push service (https://docs.expo.dev/push-notifications/
sending-notifications/): one POST of up to 100 messages to EXPO_PUSH_URL; each ticket says "ok"
or "error". A `DeviceNotRegistered` ticket means the app was uninstalled: its token is dropped.
Off unless EXPO_PUSH_ENABLED (embedded default: no push)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import structlog
from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.config import Settings, get_settings
from app.notifications.models import Notification, PushToken
from app.notifications.service import body_of, title_of

log = structlog.get_logger(__name__)

BATCH = 100  # Expo's limit per request


class PushDeliveryError(Exception):
    """Expo could not be reached or answered 5xx/429 (the task retries)."""


def send_messages(settings: Settings, messages: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """POST the messages; returns one ticket per message, in order."""
    headers = {"Accept": "application/json", "Content-Type": "application/json"}
    if settings.expo_access_token is not None:
        headers["Authorization"] = f"Bearer {settings.expo_access_token.get_secret_value()}"
    tickets: list[dict[str, Any]] = []
    with httpx.Client(timeout=10.0) as client:
        for start in range(0, len(messages), BATCH):
            try:
                resp = client.post(
                    settings.expo_push_url, json=messages[start : start + BATCH], headers=headers
                )
            except httpx.HTTPError as exc:
                raise PushDeliveryError(str(exc)) from exc
            if resp.status_code == 429 or resp.status_code >= 500:
                raise PushDeliveryError(f"Expo answered {resp.status_code}")
            resp.raise_for_status()
            tickets.extend(resp.json().get("data", []))
    return tickets


def send_for(session: Session, notification_id: str) -> int:
    """Push one notification to every device of its user; returns how many Expo accepted."""
    settings = get_settings()
    if not settings.expo_push_enabled:
        return 0
    row = session.get(Notification, uuid.UUID(notification_id))
    if row is None:
        return 0
    user = session.get(User, row.user_id)
    tokens = list(session.scalars(select(PushToken.token).where(PushToken.user_id == row.user_id)))
    if user is None or not tokens:
        return 0
    lang = user.language
    messages = [
        {
            "to": token,
            "title": title_of(row, lang),
            "body": body_of(row, lang),
            "data": {"link": row.link, "kind": row.kind, "id": str(row.id)},
            "sound": "default",
        }
        for token in tokens
    ]
    tickets = send_messages(settings, messages)
    gone = [
        token
        for token, ticket in zip(tokens, tickets, strict=False)
        if ticket.get("status") == "error"
        and (ticket.get("details") or {}).get("error") == "DeviceNotRegistered"
    ]
    if gone:
        session.execute(delete(PushToken).where(PushToken.token.in_(gone)))
    ok = sum(1 for ticket in tickets if ticket.get("status") == "ok")
    log.info("push_sent", notification_id=notification_id, accepted=ok, dropped=len(gone))
    return ok
