"""Issue 17 wiring: approving a video notifies its owner and fires `video.published` to their
webhooks; rejecting it notifies the owner with the reason."""

from __future__ import annotations

from collections.abc import Callable

import httpx
from sqlalchemy import select

from app.auth.models import User
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from app.notifications.models import Notification
from app.webhooks.models import WebhookDelivery, WebhookEndpoint

Headers = Callable[[User], dict[str, str]]


async def test_decisions_reach_the_owner(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_video: Callable[..., Video],
) -> None:
    with sync_session() as s:
        s.add(WebhookEndpoint(owner_id=instructor.id, url="https://hooks.invalid/h",
                              events=["video.published"], secret="whsec_" + "A" * 43))  # fmt: skip
    good = make_video(instructor, status=VideoStatus.in_review, title="Kata Heian")
    bad = make_video(instructor, status=VideoStatus.in_review, title="Sparring")
    resp = await client.post(f"/api/v1/admin/videos/{good.id}/approve", json={}, headers=auth_headers(admin))
    assert resp.status_code == 200
    resp = await client.post(
        f"/api/v1/admin/videos/{bad.id}/reject", json={"reason": "No gear"}, headers=auth_headers(admin)
    )
    assert resp.status_code == 200

    with sync_session() as s:
        rows = s.scalars(
            select(Notification).where(Notification.user_id == instructor.id).order_by(Notification.id)
        )
        assert [(n.kind, n.params, n.link) for n in rows] == [
            ("video_approved", {"title": "Kata Heian"}, f"/studio/videos/{good.id}"),
            ("video_rejected", {"title": "Sparring", "reason": "No gear"}, f"/studio/videos/{bad.id}"),
        ]
        [delivery] = s.scalars(select(WebhookDelivery)).all()
        assert delivery.event_type == "video.published" and delivery.payload["data"]["video_id"] == str(
            good.id
        )
