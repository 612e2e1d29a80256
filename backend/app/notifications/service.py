"""Notifications: the kinds, `notify` (what other domains call), preferences, the read state,
the hourly digest and the daily practice reminder.

`notify(session, user_id=..., kind=..., params=..., link=...)` runs inside the caller's
synchronous transaction (a worker, or an async route through `session.run_sync`): it stores the
in-app row, and, after that transaction commits, queues the email and the push and publishes the
new unread count on the user's channel (the bell's SSE stream). Nothing is sent if the caller
rolls back.

Digest instead of spam: a kind's email goes out on its own for the first
NOTIFY_DIGEST_THRESHOLD notifications of that kind within NOTIFY_DIGEST_WINDOW_SECONDS (an hour);
further ones wait (`email_state = digest`) and the beat task `send_digests` (every 15 minutes)
mails each user one message listing everything waiting, in their language.

Kinds are registered with `register_kind` (the learning domain adds "streak_at_risk" that way);
their texts are `notifications.kinds.<kind>.title|body` in app/locales (it/en).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.email import EmailTemplate, render_email, task_payload
from app.core.errors import NotFound, ValidationFailed
from app.core.i18n import t
from app.notifications.models import (
    EmailState,
    Notification,
    NotificationPreference,
    PracticeReminder,
    PushToken,
)
from app.progress import bus
from app.worker.dispatch import enqueue_after_commit

log = structlog.get_logger(__name__)

SEND_EMAIL_TASK = "default.send_email"
PUSH_TASK = "default.notifications.push"


@dataclass(frozen=True)
class Kind:
    """One kind of notification and its defaults (a user's preference row overrides them)."""

    name: str
    email: bool = True
    push: bool = True


KINDS: dict[str, Kind] = {}


def register_kind(kind: Kind) -> Kind:
    KINDS[kind.name] = kind
    return kind


VIDEO_APPROVED = register_kind(Kind("video_approved"))
VIDEO_REJECTED = register_kind(Kind("video_rejected"))
SALE = register_kind(Kind("sale"))  # to the instructor
REFUND = register_kind(Kind("refund", email=False))  # commerce already mails the refund receipt
REPORT_READY = register_kind(Kind("report_ready"))  # a studio attempt's pose report
PRACTICE_REMINDER = register_kind(Kind("practice_reminder"))


@dataclass(frozen=True)
class Preference:
    kind: str
    in_app: bool
    email: bool
    push: bool


def channel(user_id: uuid.UUID | str) -> str:
    return bus.channel("notifications", "user", user_id)


def unread_state(unread: int) -> bus.State:
    """The bell's event: `status` is always "live" (the stream never finishes by itself)."""
    return {"status": "live", "unread": unread}


def title_of(n: Notification, lang: str | None) -> str:
    return t(f"notifications.kinds.{n.kind}.title", lang, **n.params)


def body_of(n: Notification, lang: str | None) -> str:
    return t(f"notifications.kinds.{n.kind}.body", lang, **n.params)


# --- notify (synchronous: workers, and async routes through run_sync) -----------------------------


def _preference(session: Session, user_id: uuid.UUID, kind: Kind) -> Preference:
    row = session.get(NotificationPreference, (user_id, kind.name))
    if row is None:
        return Preference(kind.name, True, kind.email, kind.push)
    return Preference(kind.name, row.in_app, row.email, row.push)


def _unread_count(session: Session, user_id: uuid.UUID) -> int:
    query = select(func.count()).where(
        Notification.user_id == user_id, Notification.in_app.is_(True), Notification.read_at.is_(None)
    )
    return int(session.scalar(query) or 0)


NOTIFICATION_EMAIL = EmailTemplate("notifications.email", before=("greeting", "body"), action="open")


def _absolute(link: str | None, settings: Settings) -> str | None:
    if link is None:
        return None
    return link if link.startswith(("http://", "https://")) else settings.app_base_url.rstrip("/") + link


def notify(
    session: Session,
    *,
    user_id: uuid.UUID,
    kind: str,
    params: dict[str, str],
    link: str | None,
) -> Notification | None:
    """Tell `user_id` about an event of `kind` (texts filled with `params`; `link` is an app path
    such as "/videos/<id>"). Returns the stored row, or None when the user turned the kind off
    everywhere or is gone. Call inside the event's own transaction; the caller commits."""
    spec = KINDS.get(kind)
    if spec is None:
        raise ValueError(f"unknown notification kind {kind!r} (register_kind it first)")
    user = session.get(User, user_id)
    if user is None or not user.is_active:
        return None
    settings = get_settings()
    pref = _preference(session, user_id, spec)
    push = pref.push and settings.expo_push_enabled and _has_push_token(session, user_id)
    if not (pref.in_app or pref.email or push):
        return None
    now = utcnow()
    row = Notification(
        user_id=user_id, kind=kind, params=dict(params), link=link, in_app=pref.in_app, created_at=now
    )
    if pref.email:
        recent = session.scalar(
            select(func.count()).where(
                Notification.user_id == user_id,
                Notification.kind == kind,
                Notification.email_state != EmailState.none.value,
                Notification.created_at > now - timedelta(seconds=settings.notify_digest_window_seconds),
            )
        )
        if int(recent or 0) >= settings.notify_digest_threshold:
            row.email_state = EmailState.digest.value
        else:
            row.email_state = EmailState.queued.value
            message = render_email(
                NOTIFICATION_EMAIL,
                user.language,
                to=user.email,
                link=_absolute(link, settings),
                name=user.display_name,
                title=title_of(row, user.language),
                body=body_of(row, user.language),
            )
            enqueue_after_commit(session, SEND_EMAIL_TASK, task_payload(message))
    session.add(row)
    session.flush()
    if push:
        enqueue_after_commit(session, PUSH_TASK, str(row.id))
    if pref.in_app:
        unread = _unread_count(session, user_id)
        bus.publish_after_commit(session, channel(user_id), lambda: unread_state(unread))
    return row


def _has_push_token(session: Session, user_id: uuid.UUID) -> bool:
    return session.scalar(select(PushToken.id).where(PushToken.user_id == user_id).limit(1)) is not None


# --- the digest (beat) ------------------------------------------------------------------------------

DIGEST_EMAIL = EmailTemplate("notifications.digest", before=("greeting", "intro"), action="open")


def send_digests(session: Session) -> int:
    """One email per user listing every notification waiting for the digest; returns how many
    mails were queued. Rows are locked and marked sent in the same transaction as the enqueue
    (after commit), so two beats racing send each row once."""
    settings = get_settings()
    rows = list(
        session.scalars(
            select(Notification)
            .where(Notification.email_state == EmailState.digest.value)
            .order_by(Notification.user_id, Notification.created_at)
            .with_for_update(skip_locked=True)
        )
    )
    by_user: dict[uuid.UUID, list[Notification]] = {}
    for row in rows:
        by_user.setdefault(row.user_id, []).append(row)
    sent = 0
    for user_id, items in by_user.items():
        user = session.get(User, user_id)
        for row in items:
            row.email_state = EmailState.sent.value
        if user is None or not user.is_active:
            continue
        message = render_email(
            DIGEST_EMAIL,
            user.language,
            to=user.email,
            link=_absolute("/notifications", settings),
            name=user.display_name,
            count=len(items),
        )
        lines = "\n".join(f"- {title_of(n, user.language)}: {body_of(n, user.language)}" for n in items)
        payload = task_payload(message)
        payload["text"] = f"{payload['text']}\n\n{lines}"
        enqueue_after_commit(session, SEND_EMAIL_TASK, payload)
        sent += 1
    session.commit()
    return sent


# --- practice reminders (beat) --------------------------------------------------------------------


def _zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def send_practice_reminders(session: Session, now: datetime | None = None) -> int:
    """Remind every student whose chosen local time has come today and who was not reminded yet
    today (their local date): at most one reminder per user per day, however often beat runs."""
    now = now or utcnow()
    sent = 0
    for reminder in session.scalars(select(PracticeReminder).with_for_update(skip_locked=True)):
        local = now.astimezone(_zone(reminder.timezone))
        hour, minute = (int(x) for x in reminder.local_time.split(":"))
        if local.time() < time(hour, minute) or reminder.last_sent_on == local.date():
            continue
        reminder.last_sent_on = local.date()
        if notify(session, user_id=reminder.user_id, kind=PRACTICE_REMINDER.name, params={}, link="/studio"):
            sent += 1
    session.commit()
    return sent


# --- the API side (async) ---------------------------------------------------------------------------


async def list_notifications(
    session: AsyncSession, user: User, *, limit: int, before: datetime | None, unread_only: bool
) -> list[Notification]:
    query = select(Notification).where(Notification.user_id == user.id, Notification.in_app.is_(True))
    if before is not None:
        query = query.where(Notification.created_at < before)
    if unread_only:
        query = query.where(Notification.read_at.is_(None))
    query = query.order_by(Notification.created_at.desc(), Notification.id.desc()).limit(limit)
    return list((await session.scalars(query)).all())


async def unread_count(session: AsyncSession, user_id: uuid.UUID) -> int:
    return await session.run_sync(lambda s: _unread_count(s, user_id))


async def mark_read(session: AsyncSession, user: User, notification_id: uuid.UUID | None) -> int:
    """Mark one notification (or, with None, all of them) read; returns the new unread count."""
    query = update(Notification).where(Notification.user_id == user.id, Notification.read_at.is_(None))
    if notification_id is not None:
        row = await session.get(Notification, notification_id)
        if row is None or row.user_id != user.id:
            raise NotFound("No such notification.", code="notification_not_found")
        query = query.where(Notification.id == notification_id)
    await session.execute(query.values(read_at=utcnow()))
    unread = await unread_count(session, user.id)
    bus.publish_after_commit(session, channel(user.id), lambda: unread_state(unread))
    await session.commit()
    return unread


async def preferences(session: AsyncSession, user: User) -> list[Preference]:
    rows = {
        r.kind: r
        for r in await session.scalars(
            select(NotificationPreference).where(NotificationPreference.user_id == user.id)
        )
    }
    out = []
    for kind in KINDS.values():
        row = rows.get(kind.name)
        out.append(
            Preference(kind.name, True, kind.email, kind.push)
            if row is None
            else Preference(kind.name, row.in_app, row.email, row.push)
        )
    return out


async def set_preferences(session: AsyncSession, user: User, changes: list[Preference]) -> list[Preference]:
    for change in changes:
        if change.kind not in KINDS:
            raise ValidationFailed(f"Unknown notification kind: {change.kind}.", code="unknown_kind")
        row = await session.get(NotificationPreference, (user.id, change.kind))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=change.kind)
            session.add(row)
        row.in_app, row.email, row.push = change.in_app, change.email, change.push
    await session.commit()
    return await preferences(session, user)


async def get_reminder(session: AsyncSession, user: User) -> PracticeReminder | None:
    return await session.get(PracticeReminder, user.id)


async def set_reminder(
    session: AsyncSession, user: User, local_time: str | None, timezone: str
) -> PracticeReminder | None:
    """Set (HH:MM in `timezone`) or clear (None) the daily practice reminder."""
    row = await session.get(PracticeReminder, user.id)
    if local_time is None:
        if row is not None:
            await session.delete(row)
            await session.commit()
        return None
    try:
        ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValidationFailed(f"Unknown time zone: {timezone}.", code="unknown_timezone") from exc
    if row is None:
        row = PracticeReminder(user_id=user.id, local_time=local_time, timezone=timezone)
        session.add(row)
    # A new time keeps `last_sent_on`: moving the reminder never sends a second one the same day.
    row.local_time, row.timezone = local_time, timezone
    await session.commit()
    return row


async def register_push_token(session: AsyncSession, user: User, token: str, platform: str) -> PushToken:
    """Store (or move to this user) one device's Expo push token."""
    row = (await session.scalars(select(PushToken).where(PushToken.token == token))).first()
    if row is None:
        row = PushToken(user_id=user.id, token=token, platform=platform)
        session.add(row)
    row.user_id, row.platform, row.last_seen_at = user.id, platform, utcnow()
    await session.commit()
    return row


async def delete_push_token(session: AsyncSession, user: User, token: str) -> None:
    row = (await session.scalars(select(PushToken).where(PushToken.token == token))).first()
    if row is not None and row.user_id == user.id:
        await session.delete(row)
        await session.commit()


# --- your data (app/privacy registry) -------------------------------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    notes = session.scalars(select(Notification).where(Notification.user_id == user_id))
    prefs = session.scalars(select(NotificationPreference).where(NotificationPreference.user_id == user_id))
    reminder = session.get(PracticeReminder, user_id)
    tokens = session.scalars(select(PushToken).where(PushToken.user_id == user_id))
    return {
        "notifications": [
            {
                "id": str(n.id),
                "kind": n.kind,
                "params": n.params,
                "link": n.link,
                "created_at": n.created_at.isoformat(),
                "read_at": n.read_at.isoformat() if n.read_at else None,
            }
            for n in notes
        ],
        "preferences": [
            {"kind": p.kind, "in_app": p.in_app, "email": p.email, "push": p.push} for p in prefs
        ],
        "practice_reminder": (
            {"local_time": reminder.local_time, "timezone": reminder.timezone} if reminder else None
        ),
        "push_devices": [{"platform": p.platform, "created_at": p.created_at.isoformat()} for p in tokens],
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    for model in (Notification, NotificationPreference, PracticeReminder, PushToken):
        session.execute(delete(model).where(model.user_id == user_id))
