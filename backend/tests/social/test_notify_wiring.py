"""Issue 17 wiring: a new comment notifies the video's instructor (kind "comment"), a reply the
parent's author (kind "comment_reply"), by email in their language too; nobody is told about
their own comment. A newly published video reaches the instructor's followers ("new_video")
through a batched task."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.config import Settings
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from app.notifications.models import Notification
from app.social import tasks
from app.social.models import Follow
from tests.notifications.test_notifications import set_language
from tests.social.conftest import Headers
from tests.social.test_comments import post


def notes(user: User) -> list[tuple[str, dict[str, str], str | None]]:
    with sync_session() as s:
        query = select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
        rows = s.scalars(query)
        return [(n.kind, n.params, n.link) for n in rows]


async def test_comments_and_replies_notify_the_instructor_and_the_parent_author(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    free_video: Video,
    outbox: Any,
) -> None:
    set_language(student, "it")
    top = (await post(client, auth_headers(student), free_video, "Question")).json()
    await post(client, auth_headers(other_student), free_video, "Answer", parent_id=top["id"])
    await post(client, auth_headers(student), free_video, "Own follow-up", parent_id=top["id"])
    await post(client, auth_headers(instructor), free_video, "Instructor's own note")

    link = f"/videos/{free_video.id}"
    assert notes(instructor) == [("comment", {"author": "Giulia", "title": "Free footwork"}, link)]
    assert notes(student) == [("comment_reply", {"author": "Marco", "title": "Free footwork"}, link)]
    assert notes(other_student) == []
    [mail] = outbox(to=student.email)
    assert "Marco ha risposto al tuo commento su «Free footwork»." in mail["text"]
    [mail] = outbox(to=instructor.email)
    assert mail["subject"] == "New comment — Martial Arts Media Center"


async def test_a_new_video_reaches_every_follower_in_batches_once(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    instructor: User,
    admin: User,
    make_video: Callable[..., Video],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    outbox: Any,
) -> None:
    monkeypatch.setattr(settings, "social_follower_notify_batch", 2)
    followers, stranger = [make_user() for _ in range(5)], make_user()
    with sync_session() as s:
        s.add_all(Follow(follower_id=f.id, instructor_id=instructor.id) for f in followers)
    video = make_video(instructor, status=VideoStatus.in_review, title="Kata Heian")
    resp = await client.post(f"/api/v1/admin/videos/{video.id}/approve", json={}, headers=auth_headers(admin))
    assert resp.status_code == 200

    told = [("new_video", {"instructor": "Sensei Kato", "title": "Kata Heian"}, f"/videos/{video.id}")]
    assert all(notes(f) == told for f in followers)
    assert notes(stranger) == []
    assert all(outbox(to=f.email) == [] for f in followers)  # email is off by default for new_video
    tasks.notify_followers(str(video.id))  # a redelivered task tells nobody twice
    assert all(notes(f) == told for f in followers)
