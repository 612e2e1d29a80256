"""Issue 17 wiring: a new comment notifies the video's instructor (kind "comment"), a reply the
parent's author (kind "comment_reply"), by email in their language too; nobody is told about
their own comment."""

from __future__ import annotations

from typing import Any

import httpx
from sqlalchemy import select

from app.auth.models import User
from app.db.session import sync_session
from app.media.models import Video
from app.notifications.models import Notification
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
