"""Notifications HTTP API (/api/v1/notifications): the list, unread count (and its live stream
for the bell), read marks, per-kind preferences, the practice reminder, Expo push tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.ext.asyncio import AsyncSession

from app.core.errors import NotFound, RateLimited, ValidationFailed, error_responses
from app.core.pagination import DEFAULT_LIMIT
from app.deps import CurrentUser, LimitParam, SessionDep
from app.notifications import service
from app.notifications.schemas import (
    NotificationOut,
    NotificationPage,
    PreferenceIO,
    PreferencesIn,
    PreferencesOut,
    PushTokenIn,
    PushTokenOut,
    ReminderIO,
    UnreadOut,
)
from app.progress.stream import ProgressStream, progress_response

router = APIRouter(prefix="/notifications", tags=["notifications"])
STREAM_SECONDS = 3600.0  # then the client reconnects


@router.get("", response_model=NotificationPage)
async def list_notifications(
    user: CurrentUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    before: datetime | None = None,
    unread_only: bool = False,
) -> NotificationPage:
    rows = await service.list_notifications(
        session, user, limit=limit, before=before, unread_only=unread_only
    )
    items = [
        NotificationOut(
            id=n.id,
            kind=n.kind,
            title=service.title_of(n, user.language),
            body=service.body_of(n, user.language),
            params=n.params,
            link=n.link,
            read=n.read_at is not None,
            created_at=n.created_at,
        )
        for n in rows
    ]
    return NotificationPage(
        items=items,
        unread=await service.unread_count(session, user.id),
        next_before=rows[-1].created_at if len(rows) == limit else None,
    )


@router.get("/unread", response_model=UnreadOut)
async def unread(user: CurrentUser, session: SessionDep) -> UnreadOut:
    return UnreadOut(unread=await service.unread_count(session, user.id))


@router.get("/stream", response_class=ProgressStream, responses=error_responses(RateLimited))
async def stream(user: CurrentUser, session: SessionDep) -> ProgressStream:
    """The bell: `event: progress` with `{"status": "live", "unread": n}` on connect and whenever
    the count changes. 429 `too_many_streams`: poll GET /notifications/unread instead."""
    user_id = user.id
    await session.close()

    async def load(db: AsyncSession) -> dict[str, object]:
        return service.unread_state(await service.unread_count(db, user_id))

    return await progress_response(
        owner=user_id,
        channel=service.channel(user_id),
        load_state=load,
        active={"live"},
        max_seconds=STREAM_SECONDS,
    )


@router.post("/{notification_id}/read", response_model=UnreadOut, responses=error_responses(NotFound))
async def mark_read(notification_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> UnreadOut:
    return UnreadOut(unread=await service.mark_read(session, user, notification_id))


@router.post("/read-all", response_model=UnreadOut)
async def mark_all_read(user: CurrentUser, session: SessionDep) -> UnreadOut:
    return UnreadOut(unread=await service.mark_read(session, user, None))


def _prefs(items: list[service.Preference]) -> PreferencesOut:
    return PreferencesOut(
        items=[PreferenceIO(kind=p.kind, in_app=p.in_app, email=p.email, push=p.push) for p in items]
    )


@router.get("/preferences", response_model=PreferencesOut)
async def get_preferences(user: CurrentUser, session: SessionDep) -> PreferencesOut:
    return _prefs(await service.preferences(session, user))


@router.put("/preferences", response_model=PreferencesOut, responses=error_responses(ValidationFailed))
async def put_preferences(body: PreferencesIn, user: CurrentUser, session: SessionDep) -> PreferencesOut:
    changes = [service.Preference(p.kind, p.in_app, p.email, p.push) for p in body.items]
    return _prefs(await service.set_preferences(session, user, changes))


@router.get("/reminder", response_model=ReminderIO)
async def get_reminder(user: CurrentUser, session: SessionDep) -> ReminderIO:
    row = await service.get_reminder(session, user)
    return ReminderIO(local_time=row.local_time if row else None, timezone=row.timezone if row else "UTC")


@router.put("/reminder", response_model=ReminderIO, responses=error_responses(ValidationFailed))
async def put_reminder(body: ReminderIO, user: CurrentUser, session: SessionDep) -> ReminderIO:
    row = await service.set_reminder(session, user, body.local_time, body.timezone)
    return ReminderIO(
        local_time=row.local_time if row else None, timezone=row.timezone if row else body.timezone
    )


@router.post("/push-tokens", status_code=status.HTTP_201_CREATED, response_model=PushTokenOut)
async def register_push_token(body: PushTokenIn, user: CurrentUser, session: SessionDep) -> PushTokenOut:
    """Register this device's Expo push token (the mobile app calls it after sign-in)."""
    row = await service.register_push_token(session, user, body.token, body.platform)
    return PushTokenOut(token=row.token, platform=row.platform)


@router.delete("/push-tokens", status_code=status.HTTP_204_NO_CONTENT)
async def delete_push_token(
    user: CurrentUser, session: SessionDep, token: Annotated[str, Query(max_length=255)]
) -> Response:
    await service.delete_push_token(session, user, token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
