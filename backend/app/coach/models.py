"""The coach's tables: conversations, their messages, voice transcriptions, monthly token usage."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin, TimestampMixin


class Role(enum.StrEnum):
    user = "user"
    assistant = "assistant"


class MessageStatus(enum.StrEnum):
    pending = "pending"  # a reply waiting for the worker
    streaming = "streaming"  # the worker is writing it
    done = "done"  # complete (user messages are born done)
    failed = "failed"  # the provider failed for good; `failure_reason` says why
    rejected = "rejected"  # moderation refused the question; the reply says so


ACTIVE_STATUSES = frozenset({MessageStatus.pending, MessageStatus.streaming})


class TranscriptionStatus(enum.StrEnum):
    pending = "pending"
    done = "done"
    failed = "failed"


class CoachConversation(IdMixin, TimestampMixin, Base):
    __tablename__ = "coach_conversations"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(5), default="en")  # of the latest question

    __table_args__ = (Index("ix_coach_conversations_updated_at", "updated_at"),)


class CoachMessage(IdMixin, Base):
    __tablename__ = "coach_messages"

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coach_conversations.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12))
    text: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(12), default=MessageStatus.done.value, index=True)
    language: Mapped[str] = mapped_column(String(5), default="en")
    reply_to: Mapped[uuid.UUID | None] = mapped_column(default=None)  # the question answered
    sources: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    provider: Mapped[str | None] = mapped_column(String(40), default=None)
    model: Mapped[str | None] = mapped_column(String(80), default=None)
    input_tokens: Mapped[int] = mapped_column(Integer, default=0)
    output_tokens: Mapped[int] = mapped_column(Integer, default=0)
    failure_reason: Mapped[str | None] = mapped_column(Text, default=None)
    speak: Mapped[bool] = mapped_column(default=False)  # the student asked to hear the reply
    speech_key: Mapped[str | None] = mapped_column(String(512), default=None)  # the spoken reply
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)
    # A reply is a job of app/jobs (app/coach/replies.py REPLY_JOBS): its lease, runs, heartbeat.
    lease_id: Mapped[str | None] = mapped_column(String(32), default=None)
    run_count: Mapped[int] = mapped_column(Integer, default=0)
    queued_at: Mapped[datetime | None] = mapped_column(default=None)
    started_at: Mapped[datetime | None] = mapped_column(default=None)
    heartbeat_at: Mapped[datetime | None] = mapped_column(default=None)


class CoachTranscription(IdMixin, Base):
    __tablename__ = "coach_transcriptions"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coach_conversations.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default=TranscriptionStatus.pending.value)
    audio_key: Mapped[str] = mapped_column(String(512))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    language_hint: Mapped[str | None] = mapped_column(String(5), default=None)
    text: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str | None] = mapped_column(String(5), default=None)
    confidence: Mapped[float | None] = mapped_column(Float, default=None)
    duration_s: Mapped[float | None] = mapped_column(Float, default=None)
    error_code: Mapped[str | None] = mapped_column(String(40), default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(default=None)


class CoachUsage(Base):
    """Provider tokens a user spent in one calendar month (UTC); locked when added to."""

    __tablename__ = "coach_usage"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    month: Mapped[str] = mapped_column(String(7), primary_key=True)  # "2026-11"
    tokens: Mapped[int] = mapped_column(Integer, default=0)
