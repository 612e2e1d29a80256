from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from video_studio.i18n import Language


class ConversationCreate(BaseModel):
    language: Language | None = Field(default=None, description="it or en; default: the account's language")


class ConversationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    language: str
    created_at: datetime
    updated_at: datetime


class ConversationPage(BaseModel):
    items: list[ConversationOut]
    next_cursor: str | None


class MessageCreate(BaseModel):
    text: str = Field(min_length=1, max_length=4000, examples=["How do I keep my balance in mae geri?"])
    language: Language | None = Field(
        default=None, description="The question's language (it or en); default: the conversation's"
    )
    speak: bool = Field(default=False, description="Also speak the reply: a `speech` event brings its audio")


class MessageAccepted(BaseModel):
    message_id: uuid.UUID = Field(
        description="The reply's id: its tokens arrive on the conversation's events"
    )


class SourceOut(BaseModel):
    ref: str = Field(description="video:<id>, pose_report:<id> or knowledge:<id>")
    kind: str
    title: str
    url: str | None = Field(description="Where the web client shows it (a video page, a pose report)")
    start_s: float | None = Field(default=None, description="A moment inside the video, seconds")


class MessageOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    role: str = Field(description="user or assistant")
    text: str
    status: str = Field(description="pending, streaming, done, failed or rejected")
    language: str
    reply_to: uuid.UUID | None
    sources: list[SourceOut]
    provider: str | None
    created_at: datetime
    finished_at: datetime | None
    failure_reason: str | None


class MessagePage(BaseModel):
    items: list[MessageOut] = Field(description="Newest first")
    next_cursor: str | None


class TranscriptionOut(BaseModel):
    transcription_id: uuid.UUID
    status: str = Field(description="pending (the transcript follows on the events stream), done or failed")
    text: str
    language: str | None
    confidence: float | None = Field(description="0..1, the recogniser's mean segment confidence")
    duration_s: float | None
    error: dict[str, str] | None = Field(description="{code, message} when failed")


class UsageOut(BaseModel):
    month: str
    tokens_used: int
    monthly_budget: int


class ExportOut(BaseModel):
    conversations: list[dict[str, Any]]
    transcriptions: list[dict[str, Any]]
    usage: list[dict[str, Any]]
