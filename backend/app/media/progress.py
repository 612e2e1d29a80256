"""Processing progress: workers publish, the SSE endpoint listens (Redis pub/sub when configured;
the endpoint also polls the row, so embedded mode without Redis works the same, only slower)."""

from __future__ import annotations

import json
import uuid
from typing import Any

import structlog

from app.core.redis import get_redis

log = structlog.get_logger(__name__)


def channel(video_id: uuid.UUID | str) -> str:
    return f"mamc:media:progress:{video_id}"


def publish(video_id: uuid.UUID | str, payload: dict[str, Any]) -> None:
    client = get_redis()
    if client is None:
        return
    try:
        client.publish(channel(video_id), json.dumps(payload, default=str))
    except Exception as exc:  # progress is best effort; the row is the truth
        log.warning("media_progress_publish_failed", error=str(exc))
