"""Analytics test data: published videos (free and paid) and beacon batches."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.ids import uuid7
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from app.media.signing import media_tokens

API = "/api/v1"


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.instructor)


@pytest.fixture
def make_video(instructor: User) -> Callable[..., Video]:
    def factory(
        *, price_cents: int | None = None, duration_s: float = 100.0, owner: User | None = None
    ) -> Video:
        video = Video(
            owner_id=(owner or instructor).id,
            status=VideoStatus.published,
            title=f"Kata {uuid.uuid4().hex[:6]}",
            description="",
            discipline="karate",
            tags=[],
            language="en",
            price_cents=price_cents,
            currency="EUR",
        )
        video.id = uuid7()
        video.media_prefix = f"videos/{video.id}/{uuid.uuid4()}/"
        video.duration_s = duration_s
        video.published_at = utcnow()
        with sync_session() as session:
            session.add(video)
        return video

    return factory


def playback_token(settings: Settings, video: Video, user: User | None) -> str:
    """The media token a playback of `video` hands out (media/playback.py signs the same way)."""
    assert video.media_prefix
    return media_tokens(settings).issue(
        video.media_prefix,
        int(time.time()) + 3600,
        user_id=user.id if user else None,
        video_id=video.id if user else None,
    )


def beacon(video: Video, session_id: uuid.UUID, kind: str, position: float, **extra: Any) -> dict[str, Any]:
    return {
        "video_id": str(video.id),
        "session_id": str(session_id),
        "kind": kind,
        "position_s": position,
        "duration_s": video.duration_s,
        **extra,
    }
