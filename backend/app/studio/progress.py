"""Live progress of studio jobs: workers publish the job's whole state on a Redis channel after
every committed progress write (jobs._nudge); the attempt's SSE endpoint (app/core/sse.py)
streams those states (and reads the row itself in embedded mode, without Redis)."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from app.core import sse
from app.studio.models import JobStatus, StudioAttempt

# The stream stays open while the attempt is in one of these; ready or failed ends it.
ACTIVE = frozenset({JobStatus.uploading.value, JobStatus.pending.value, JobStatus.running.value})


def channel(kind: str, job_id: uuid.UUID | str) -> str:
    """kind: "attempt" or "reference"."""
    return f"mamc:studio:progress:{kind}:{job_id}"


def publish(kind: str, job_id: uuid.UUID | str, payload: dict[str, Any]) -> None:
    """`payload`: the whole committed state, the four keys of attempt_state."""
    sse.publish(channel(kind, job_id), payload)


async def attempt_state(session: AsyncSession, attempt_id: uuid.UUID) -> dict[str, Any] | None:
    """What a `progress` event carries: {status, percent, stage, failure_reason} (as for videos)."""
    attempt = await session.get(StudioAttempt, attempt_id)
    if attempt is None:
        return None
    return {
        "status": attempt.status.value,
        "percent": attempt.progress,
        "stage": attempt.stage,
        "failure_reason": attempt.failure_reason,
    }
