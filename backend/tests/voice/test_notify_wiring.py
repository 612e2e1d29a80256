"""Issue 17 wiring: a finished voice check ("voice_ready") and a finished dub ("dub_ready")
notify the instructor, in their language."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.db.session import sync_session
from app.media.models import Video
from app.notifications.models import Notification
from app.voice.service import _events
from tests.notifications.test_notifications import set_language


def test_voice_and_dub_outcomes_notify_the_instructor(
    instructor: User,
    make_video: Callable[..., Video],
    ready_profile: Callable[[User], uuid.UUID],
    ready_dub: Callable[..., uuid.UUID],
    outbox: Any,
) -> None:
    set_language(instructor, "it")
    profile_id = ready_profile(instructor)
    video = make_video(instructor, title="Mae geri")
    dub_id = ready_dub(instructor, video.id, profile_id)
    with sync_session() as session:
        _events.profile_checked(session, user_id=instructor.id, profile_id=profile_id, ready=True)
        _events.dub_finished(session, user_id=instructor.id, dub_id=dub_id, ready=False)
    with sync_session() as session:
        rows = session.scalars(select(Notification).where(Notification.user_id == instructor.id))
        got = sorted((n.kind, n.params, n.link) for n in rows)
    assert got == [
        ("dub_ready", {"title": "Mae geri"}, "/studio/dubs"),
        ("voice_ready", {"name": "Studio voice"}, "/studio/voice"),
    ]
    texts = " ".join(m["text"] for m in outbox(to=instructor.email))
    assert "Il doppiaggio di «Mae geri» è terminato" in texts
    assert "della tua voce «Studio voice» è terminata" in texts
