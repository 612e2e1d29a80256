"""Learning test helpers: a student's practice delivered as the studio delivers it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from app.learning import service

# No app import at module level: this conftest loads before the root conftest sets the
# environment (settings read then would miss REDIS_URL and DATABASE_URL).
Practice = Callable[..., "service.Applied"]


@pytest.fixture
def practice() -> Practice:
    """record_attempt_ready in its own committed unit of work, as the studio worker calls it."""
    from app.db.session import sync_session
    from app.learning import service

    def deliver(
        user_id: uuid.UUID,
        *,
        score: float | None,
        at: datetime,
        reference_id: uuid.UUID | None = None,
        instructor_id: uuid.UUID | None = None,
        technique: str = "kick",
        attempt_id: uuid.UUID | None = None,
    ) -> Any:
        with sync_session() as session:
            return service.record_attempt_ready(
                session,
                attempt_id=attempt_id or uuid.uuid4(),
                user_id=user_id,
                reference_id=reference_id or uuid.uuid4(),
                instructor_id=instructor_id or uuid.uuid4(),
                technique=technique,
                score=score,
                at=at,
            )

    return deliver
