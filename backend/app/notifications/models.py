"""Notifications: the messages, each user's per-kind preferences and reminder time, push tokens."""

from __future__ import annotations

import enum
import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin


class EmailState(enum.StrEnum):
    none = "none"  # no email (preference off)
    queued = "queued"  # sent on its own
    digest = "digest"  # waiting for the hourly digest
    sent = "sent"  # went out in a digest


class Notification(IdMixin, Base):
    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(40))
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    link: Mapped[str | None] = mapped_column(String(500), default=None)
    in_app: Mapped[bool] = mapped_column(default=True)  # shown in the list (preference at the time)
    email_state: Mapped[str] = mapped_column(String(10), default=EmailState.none.value)
    read_at: Mapped[datetime | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        Index("ix_notifications_user_id_created_at", "user_id", "created_at"),
        Index("ix_notifications_email_state", "email_state"),
    )


class NotificationPreference(Base):
    """A user's choice for one kind; no row = the kind's defaults."""

    __tablename__ = "notification_preferences"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)
    in_app: Mapped[bool] = mapped_column(default=True)
    email: Mapped[bool] = mapped_column(default=True)
    push: Mapped[bool] = mapped_column(default=True)


class PracticeReminder(Base):
    """The daily practice reminder: a local time in the user's time zone."""

    __tablename__ = "practice_reminders"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    local_time: Mapped[str] = mapped_column(String(5))  # "HH:MM"
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    last_sent_on: Mapped[date | None] = mapped_column(Date, default=None)  # the user's local date


class PushToken(IdMixin, Base):
    """An Expo push token of one of the user's devices."""

    __tablename__ = "push_tokens"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token: Mapped[str] = mapped_column(String(255), unique=True)
    platform: Mapped[str] = mapped_column(String(10), default="unknown")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
