from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field


class NotificationOut(BaseModel):
    id: uuid.UUID
    kind: str
    title: str = Field(description="In the account's language")
    body: str
    params: dict[str, Any]
    link: str | None = Field(description="An app path, e.g. /videos/<id>")
    read: bool
    created_at: datetime


class NotificationPage(BaseModel):
    items: list[NotificationOut]
    unread: int
    next_before: datetime | None = Field(description="Pass as `before` for the next (older) page")


class UnreadOut(BaseModel):
    unread: int


class PreferenceIO(BaseModel):
    kind: str = Field(max_length=40)
    in_app: bool
    email: bool
    push: bool


class PreferencesOut(BaseModel):
    items: list[PreferenceIO]


class PreferencesIn(BaseModel):
    items: list[PreferenceIO] = Field(max_length=100)


class ReminderIO(BaseModel):
    local_time: str | None = Field(
        pattern=r"^([01]\d|2[0-3]):[0-5]\d$", description="HH:MM in `timezone`; null: no reminder"
    )
    timezone: str = Field(default="UTC", max_length=64, examples=["Europe/Rome"])


class PushTokenIn(BaseModel):
    token: str = Field(
        min_length=10,
        max_length=255,
        pattern=r"^(ExponentPushToken|ExpoPushToken)\[[A-Za-z0-9_\-]+\]$",
        examples=["ExponentPushToken[xxxxxxxxxxxxxxxxxxxxxx]"],
    )
    platform: Literal["ios", "android", "web", "unknown"] = "unknown"


class PushTokenOut(BaseModel):
    token: str
    platform: str
