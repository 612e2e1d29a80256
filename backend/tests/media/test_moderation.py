"""Moderation: review queue, approve/reject with the audit log, reports and auto-hide; and the
instructor's side: resubmit, poster replacement, delete (objects purged, row kept), and the
service functions other domains call."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import Role, User
from app.core.errors import NotFound
from app.core.storage import get_object_store
from app.db.session import async_session_scope
from app.media import service
from app.media.models import Video, VideoStatus
from tests.media.helpers import settled, video_row

Headers = Callable[[User], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


async def _audit(
    client: httpx.AsyncClient, admin_headers: dict[str, str], video: Video
) -> list[dict[str, Any]]:
    resp = await client.get(
        "/api/v1/admin/audit",
        params={"subject_type": "video", "subject_id": str(video.id)},
        headers=admin_headers,
    )
    assert resp.status_code == 200, resp.text
    return list(resp.json()["items"])


async def test_admin_approves_and_rejects_from_the_queue_with_an_audit_trail(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_video: Callable[..., Video],
) -> None:
    good = make_video(instructor, status=VideoStatus.in_review, review_note="new upload")
    bad = make_video(instructor, status=VideoStatus.in_review)
    admin_headers = auth_headers(admin)

    queue = await client.get("/api/v1/admin/moderation/queue", params={"limit": 100}, headers=admin_headers)
    assert queue.status_code == 200
    queued = [item["video"]["id"] for item in queue.json()["items"]]
    assert str(good.id) in queued and str(bad.id) in queued
    assert queued.index(str(good.id)) < queued.index(str(bad.id))  # oldest first
    assert (
        await client.get("/api/v1/admin/moderation/queue", headers=auth_headers(instructor))
    ).status_code == 403

    approved = await client.post(
        f"/api/v1/admin/videos/{good.id}/approve",
        json={"reason": "technique shown safely"},
        headers=admin_headers,
    )
    assert approved.status_code == 200 and approved.json()["status"] == "published"
    assert approved.json()["published_at"] is not None
    missing_reason = await client.post(
        f"/api/v1/admin/videos/{bad.id}/reject", json={}, headers=admin_headers
    )
    assert missing_reason.status_code == 422
    rejected = await client.post(
        f"/api/v1/admin/videos/{bad.id}/reject",
        json={"reason": "Unsafe sparring without gear"},
        headers=admin_headers,
    )
    assert rejected.status_code == 200
    assert rejected.json()["status"] == "rejected"
    assert rejected.json()["rejection_reason"] == "Unsafe sparring without gear"
    assert (
        await client.post(f"/api/v1/admin/videos/{bad.id}/approve", headers=auth_headers(instructor))
    ).status_code == 403

    (entry,) = await _audit(client, admin_headers, good)
    assert entry["action"] == "media.video.approve" and entry["actor_id"] == str(admin.id)
    assert entry["reason"] == "technique shown safely" and entry["created_at"]
    (entry,) = await _audit(client, admin_headers, bad)
    assert entry["action"] == "media.video.reject" and entry["reason"] == "Unsafe sparring without gear"

    # The instructor sees why, fixes the description and resubmits: back in the queue.
    mine = await client.get(f"/api/v1/videos/{bad.id}", headers=auth_headers(instructor))
    assert mine.json()["rejection_reason"] == "Unsafe sparring without gear"
    resubmitted = await client.post(f"/api/v1/videos/{bad.id}/submit", headers=auth_headers(instructor))
    assert resubmitted.status_code == 200 and resubmitted.json()["status"] == "in_review"
    detail = await client.get(f"/api/v1/admin/videos/{bad.id}", headers=admin_headers)
    history = [h["to_status"] for h in detail.json()["history"]]
    assert history[-2:] == ["rejected", "in_review"]


async def test_reports_reach_the_queue_and_enough_of_them_hide_the_video(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "media_reports_auto_hide", 2)
    tag = f"rp{instructor.id.hex[:8]}"
    video = make_video(instructor, tags=[tag])
    first, second = settled(make_user()), settled(make_user())  # trusted reporters
    admin_headers = auth_headers(admin)

    resp = await client.post(
        f"/api/v1/videos/{video.id}/reports",
        json={"reason": "violence", "details": "Real fight, not training"},
        headers=auth_headers(first),
    )
    assert resp.status_code == 201 and resp.json()["reason"] == "violence"
    again = await client.post(
        f"/api/v1/videos/{video.id}/reports", json={"reason": "spam"}, headers=auth_headers(first)
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    assert (
        await client.post(f"/api/v1/videos/{video.id}/reports", json={"reason": "spam"})
    ).status_code == 401

    queue = (
        await client.get("/api/v1/admin/moderation/queue", params={"limit": 100}, headers=admin_headers)
    ).json()
    item = next(i for i in queue["items"] if i["video"]["id"] == str(video.id))
    assert item["open_reports"] == 1 and item["video"]["status"] == "published"
    assert [r["id"] for r in (await client.get("/api/v1/videos", params={"q": tag})).json()["items"]] == [
        str(video.id)
    ]

    await client.post(
        f"/api/v1/videos/{video.id}/reports", json={"reason": "inappropriate"}, headers=auth_headers(second)
    )
    assert video_row(video.id).status == VideoStatus.in_review  # auto-hidden pending review
    assert (await client.get("/api/v1/videos", params={"q": tag})).json()["items"] == []
    assert (await client.get(f"/api/v1/videos/{video.id}")).status_code == 404
    hidden = await _audit(client, admin_headers, video)
    assert [e["action"] for e in hidden] == ["media.video.auto_hide"] and hidden[0]["actor_id"] is None

    detail = (await client.get(f"/api/v1/admin/videos/{video.id}", headers=admin_headers)).json()
    assert len(detail["reports"]) == 2
    assert detail["video"]["review_note"] == "Hidden after 2 reports from trusted accounts"
    approved = await client.post(f"/api/v1/admin/videos/{video.id}/approve", headers=admin_headers)
    assert approved.status_code == 200 and approved.json()["open_report_count"] == 0
    reports = (await client.get(f"/api/v1/admin/videos/{video.id}/reports", headers=admin_headers)).json()
    assert {r["resolution"] for r in reports} == {"dismissed"}
    assert [r["id"] for r in (await client.get("/api/v1/videos", params={"q": tag})).json()["items"]] == [
        str(video.id)
    ]


async def test_poster_replacement_delete_and_service_contract(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    headers = auth_headers(instructor)
    video = make_video(instructor, price_cents=1500, rental_price_cents=300, rental_hours=48, currency="USD")
    store = get_object_store()

    not_image = await client.put(
        f"/api/v1/videos/{video.id}/poster",
        content=b"<svg/>",
        headers={**headers, "Content-Type": "image/png"},
    )
    assert not_image.status_code == 422
    poster = await client.put(
        f"/api/v1/videos/{video.id}/poster", content=PNG, headers={**headers, "Content-Type": "image/png"}
    )
    assert poster.status_code == 200
    # Published: the new poster waits for review (test_pending_edits.py); the old one stays live.
    row = video_row(video.id)
    new_key = (row.pending_edit or {}).get("poster_key")
    assert new_key is not None and new_key.endswith("/poster.png") and store.get_bytes(new_key) == PNG
    assert row.poster_key == video.poster_key
    redirect = await client.get(f"/api/v1/videos/{video.id}/poster")
    assert redirect.status_code == 302

    async with async_session_scope() as session:
        summary = await service.get_video_summary(session, video.id)
        assert summary.owner_id == instructor.id and summary.status == "published"
        assert (summary.price_cents, summary.rental_price_cents, summary.rental_hours) == (1500, 300, 48)
        assert (
            summary.currency == "USD" and summary.is_free is False and summary.subscription_included is False
        )
        with pytest.raises(NotFound):
            await service.get_video_summary(session, uuid.uuid4())
        with pytest.raises(NotFound):
            await service.get_source_object_key(session, video.id)  # made without an upload
        assert (await service.get_video_summary(session, video.id)).title == video.title

    # Delete: soft (row kept for purchases), objects removed by the worker task (eager here).
    assert (await client.delete(f"/api/v1/videos/{video.id}", headers=headers)).status_code == 204
    assert list(store.list_objects(f"videos/{video.id}/")) == []
    assert (await client.get(f"/api/v1/videos/{video.id}", headers=headers)).status_code == 404
    assert (await client.get(f"/api/v1/videos/{video.id}/playback", headers=headers)).status_code == 404
    row = video_row(video.id)
    assert row.status == VideoStatus.archived and row.deleted_at is not None
    async with async_session_scope() as session:
        assert (await service.get_video_summary(session, video.id)).status == "archived"
    mine = (await client.get("/api/v1/videos/mine", headers=headers)).json()["items"]
    assert str(video.id) not in [v["id"] for v in mine]


async def test_instructor_lists_own_videos_in_every_state(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    teacher = make_user(role=Role.instructor)
    made = {
        make_video(teacher, status=status, processed=False).id: status
        for status in (VideoStatus.draft, VideoStatus.failed, VideoStatus.published)
    }
    body = (await client.get("/api/v1/videos/mine", headers=auth_headers(teacher))).json()
    assert {uuid.UUID(v["id"]): VideoStatus(v["status"]) for v in body["items"]} == made
    only_failed = (
        await client.get("/api/v1/videos/mine", params={"status": "failed"}, headers=auth_headers(teacher))
    ).json()
    assert len(only_failed["items"]) == 1
    assert (await client.get("/api/v1/videos/mine", headers=auth_headers(make_user()))).status_code == 403
