"""Comment reports, the admin queue (hide / restore / dismiss, audited) and the instructor's pin
and hide on their own videos."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx
import pytest
from sqlalchemy import func, select

from app.audit.models import AuditEntry
from app.auth.models import Role, User
from app.core.config import Settings
from app.db.session import sync_session
from app.media.models import Video
from app.social.models import Comment
from tests.media.helpers import settled
from tests.social.conftest import Headers


async def _comment(
    client: httpx.AsyncClient, headers: dict[str, str], video: Video, body: str, **extra: str
) -> str:
    r = await client.post(
        f"/api/v1/videos/{video.id}/comments", json={"body": body, **extra}, headers=headers
    )
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _audit_actions(subject_id: str) -> list[str]:
    with sync_session() as session:
        rows = session.scalars(
            select(AuditEntry).where(AuditEntry.subject_id == subject_id).order_by(AuditEntry.id)
        )
        return [row.action for row in rows]


async def _bodies(
    client: httpx.AsyncClient, video: Video, headers: dict[str, str] | None = None
) -> list[str]:
    page = (await client.get(f"/api/v1/videos/{video.id}/comments", headers=headers or {})).json()
    return [c["body"] for c in page["items"]]


async def test_report_reaches_admin_queue_and_hide_is_audited(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    admin: User,
    free_video: Video,
) -> None:
    cid = await _comment(client, auth_headers(student), free_video, "buy cheap pills at spam.example")
    report = {"reason": "spam", "details": "advert"}
    url = f"/api/v1/comments/{cid}/reports"
    assert (await client.post(url, json=report, headers=auth_headers(other_student))).status_code == 204
    again = await client.post(url, json=report, headers=auth_headers(other_student))
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_reported"
    own = await client.post(url, json=report, headers=auth_headers(student))
    assert own.json()["error"]["code"] == "own_comment"

    assert (await client.get("/api/v1/admin/comments", headers=auth_headers(student))).status_code == 403
    queue = (await client.get("/api/v1/admin/comments", headers=auth_headers(admin))).json()
    assert [i["comment"]["id"] for i in queue["items"]] == [cid]
    assert queue["items"][0]["reports"][0]["reason"] == "spam"

    no_reason = await client.post(
        f"/api/v1/admin/comments/{cid}/hide", json={"reason": ""}, headers=auth_headers(admin)
    )
    assert no_reason.status_code == 422
    r = await client.post(
        f"/api/v1/admin/comments/{cid}/hide", json={"reason": "spam link"}, headers=auth_headers(admin)
    )
    assert r.status_code == 204
    assert await _bodies(client, free_video) == []
    assert (await client.get("/api/v1/admin/comments", headers=auth_headers(admin))).json()["items"] == []
    hidden = (await client.get("/api/v1/admin/comments?state=hidden", headers=auth_headers(admin))).json()
    assert [i["comment"]["id"] for i in hidden["items"]] == [cid]
    # the author still sees it, marked hidden, with the reason
    [mine] = (
        await client.get(f"/api/v1/videos/{free_video.id}/comments", headers=auth_headers(student))
    ).json()["items"]
    assert (
        mine["status"] == "hidden"
        and mine["hidden_by"] == "moderator"
        and mine["hidden_reason"] == "spam link"
    )

    r = await client.post(
        f"/api/v1/admin/comments/{cid}/restore", json={"reason": "on appeal"}, headers=auth_headers(admin)
    )
    assert r.status_code == 204
    assert await _bodies(client, free_video) == ["buy cheap pills at spam.example"]
    assert _audit_actions(cid) == ["social.comment.hide", "social.comment.restore"]


async def test_dismiss_clears_reports_and_keeps_comment(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    admin: User,
    free_video: Video,
) -> None:
    cid = await _comment(client, auth_headers(student), free_video, "Fine comment")
    await client.post(
        f"/api/v1/comments/{cid}/reports", json={"reason": "other"}, headers=auth_headers(other_student)
    )
    r = await client.post(
        f"/api/v1/admin/comments/{cid}/dismiss", json={"reason": "harmless"}, headers=auth_headers(admin)
    )
    assert r.status_code == 204
    assert (await client.get("/api/v1/admin/comments", headers=auth_headers(admin))).json()["items"] == []
    assert await _bodies(client, free_video) == ["Fine comment"]
    assert _audit_actions(cid) == ["social.comment.dismiss"]


async def test_unverified_user_cannot_report(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    student: User,
    free_video: Video,
) -> None:
    cid = await _comment(client, auth_headers(student), free_video, "Hello")
    throwaway = make_user(verified=False)
    r = await client.post(
        f"/api/v1/comments/{cid}/reports", json={"reason": "spam"}, headers=auth_headers(throwaway)
    )
    assert r.status_code == 403


async def test_instructor_pins_one_comment_which_leads_the_thread(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    free_video: Video,
) -> None:
    first = await _comment(client, auth_headers(student), free_video, "first")
    second = await _comment(client, auth_headers(other_student), free_video, "second")
    await _comment(client, auth_headers(student), free_video, "third")
    assert await _bodies(client, free_video) == ["third", "second", "first"]

    denied = await client.put(f"/api/v1/comments/{first}/pin", headers=auth_headers(student))
    assert denied.status_code == 403 and denied.json()["error"]["code"] == "not_video_owner"
    assert (
        await client.put(f"/api/v1/comments/{first}/pin", headers=auth_headers(instructor))
    ).status_code == 204
    assert await _bodies(client, free_video) == ["first", "third", "second"]
    assert (
        await client.put(f"/api/v1/comments/{second}/pin", headers=auth_headers(instructor))
    ).status_code == 204
    page = (await client.get(f"/api/v1/videos/{free_video.id}/comments")).json()
    assert [(c["body"], c["pinned"]) for c in page["items"]] == [
        ("second", True),
        ("third", False),
        ("first", False),
    ]


async def test_instructor_of_another_video_cannot_pin_or_hide(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    student: User,
    free_video: Video,
) -> None:
    cid = await _comment(client, auth_headers(student), free_video, "hello")
    rival = settled(make_user(role=Role.instructor))
    assert (await client.put(f"/api/v1/comments/{cid}/pin", headers=auth_headers(rival))).status_code == 403
    assert (
        await client.put(f"/api/v1/comments/{cid}/hidden", json={}, headers=auth_headers(rival))
    ).status_code == 403


async def test_instructor_hides_and_unhides_but_not_a_moderators_hide(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    admin: User,
    free_video: Video,
) -> None:
    cid = await _comment(client, auth_headers(student), free_video, "off-topic rant")
    r = await client.put(
        f"/api/v1/comments/{cid}/hidden", json={"reason": "off topic"}, headers=auth_headers(instructor)
    )
    assert r.status_code == 204
    assert await _bodies(client, free_video, auth_headers(other_student)) == []
    # the instructor still sees it in their thread, marked hidden
    [row] = (
        await client.get(f"/api/v1/videos/{free_video.id}/comments", headers=auth_headers(instructor))
    ).json()["items"]
    assert row["status"] == "hidden" and row["hidden_by"] == "instructor"
    assert (
        await client.delete(f"/api/v1/comments/{cid}/hidden", headers=auth_headers(instructor))
    ).status_code == 204
    assert await _bodies(client, free_video) == ["off-topic rant"]

    await client.post(
        f"/api/v1/admin/comments/{cid}/hide", json={"reason": "abuse"}, headers=auth_headers(admin)
    )
    r = await client.delete(f"/api/v1/comments/{cid}/hidden", headers=auth_headers(instructor))
    assert r.status_code == 403 and r.json()["error"]["code"] == "hidden_by_moderator"
    assert await _bodies(client, free_video) == []
    assert _audit_actions(cid) == [
        "social.comment.instructor_hide",
        "social.comment.instructor_unhide",
        "social.comment.hide",
    ]


async def test_hidden_comment_takes_no_replies(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    free_video: Video,
) -> None:
    cid = await _comment(client, auth_headers(student), free_video, "hmm")
    await client.put(f"/api/v1/comments/{cid}/hidden", json={}, headers=auth_headers(instructor))
    r = await client.post(
        f"/api/v1/videos/{free_video.id}/comments",
        json={"body": "reply", "parent_id": cid},
        headers=auth_headers(other_student),
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "comment_closed"


@pytest.mark.own_database  # requests race on their own connections
async def test_pins_at_the_same_moment_leave_exactly_one_pinned(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, instructor: User, free_video: Video
) -> None:
    ids = [await _comment(client, auth_headers(student), free_video, f"c{i}") for i in range(6)]
    for _ in range(3):
        responses = await asyncio.gather(
            *(client.put(f"/api/v1/comments/{cid}/pin", headers=auth_headers(instructor)) for cid in ids)
        )
        assert [r.status_code for r in responses] == [204] * len(ids), [r.text for r in responses]
        with sync_session() as session:
            pinned = session.scalar(
                select(func.count())
                .select_from(Comment)
                .where(Comment.video_id == free_video.id, Comment.pinned_at.is_not(None))
            )
        assert pinned == 1


async def test_trusted_reports_auto_hide_a_comment_and_fresh_accounts_cannot(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    make_user: Callable[..., User],
    free_video: Video,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "social_comment_reports_auto_hide", 2)
    cid = await _comment(client, auth_headers(student), free_video, "nasty")
    url = f"/api/v1/comments/{cid}/reports"
    for _ in range(3):  # verified but brand new: reach the moderators, hide nothing
        assert (
            await client.post(url, json={"reason": "abuse"}, headers=auth_headers(make_user()))
        ).status_code == 204
    assert await _bodies(client, free_video) == ["nasty"]
    for _ in range(2):
        reporter = settled(make_user())
        assert (
            await client.post(url, json={"reason": "abuse"}, headers=auth_headers(reporter))
        ).status_code == 204
    assert await _bodies(client, free_video) == []
    assert _audit_actions(cid) == ["social.comment.auto_hide"]
