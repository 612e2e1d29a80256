"""The coach's live events: the channel, the publisher and the event payloads (no web
framework: the worker imports this; the SSE response is in stream.py). Every use of the shared
progress publisher by the coach is here."""

from __future__ import annotations

import uuid
from typing import Any

from app.coach import service
from app.coach.models import CoachMessage, CoachTranscription
from app.core.storage import get_object_store
from app.progress import bus


def channel(conversation_id: uuid.UUID | str) -> str:
    return bus.channel("coach", "conversation", conversation_id)


def publish(conversation_id: uuid.UUID | str, event: str, data: dict[str, Any]) -> None:
    """Best effort (the rows stay the truth); a no-op without Redis."""
    bus.publish(channel(conversation_id), {"event": event, "data": data})


def token_event(message: CoachMessage, offset: int = 0) -> dict[str, Any]:
    return {"message_id": str(message.id), "text": message.text[offset:], "offset": offset}


def done_event(message: CoachMessage) -> dict[str, Any]:
    error = {"code": "reply_failed", "message": message.failure_reason} if message.failure_reason else None
    return {
        "message_id": str(message.id),
        "status": message.status,
        "sources": message.sources,
        "error": error,
    }


SPEECH_URL_TTL_SECONDS = 3600


def speech_event(message_id: uuid.UUID | str, key: str) -> dict[str, Any]:
    url = get_object_store().presign_get(key, SPEECH_URL_TTL_SECONDS)
    return {"message_id": str(message_id), "url": url}


def transcript_event(row: CoachTranscription) -> dict[str, Any]:
    return {
        "transcription_id": str(row.id),
        "status": row.status,
        "text": row.text,
        "language": row.language,
        "confidence": row.confidence,
        "duration_s": row.duration_s,
        "error": service.transcription_error(row),
    }
