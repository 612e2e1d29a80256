"""Learning test helpers: a student's practice delivered as the studio delivers it."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import datetime

import pytest

from app.db.session import sync_session
from app.learning import service

Practice = Callable[..., service.Applied]


@pytest.fixture
def practice() -> Practice:
    """record_attempt_ready in its own committed unit of work, as the studio worker calls it."""

    def deliver(
        user_id: uuid.UUID,
        *,
        score: float | None,
        at: datetime,
        reference_id: uuid.UUID | None = None,
        instructor_id: uuid.UUID | None = None,
        technique: str = "kick",
        attempt_id: uuid.UUID | None = None,
    ) -> service.Applied:
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
