"""Reports are weighted: every report reaches the moderators, but only trusted reporters (verified,
account older than MEDIA_REPORT_TRUSTED_AFTER_HOURS) count toward the auto-hide threshold, so
fresh or unverified accounts cannot hide a video on their own."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import Role, User
from app.db.session import async_session_scope
from app.media import moderation
from app.media.models import ReportReason, Video, VideoStatus
from tests.media.helpers import settled, video_row

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
def threshold(settings: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(settings, "media_reports_auto_hide", 3)
    monkeypatch.setattr(settings, "media_report_trusted_after_hours", 72)
    return 3


async def _report(client: httpx.AsyncClient, headers: dict[str, str], video: Video) -> dict[str, Any]:
    r = await client.post(f"/api/v1/videos/{video.id}/reports", json={"reason": "spam"}, headers=headers)
    assert r.status_code == 201, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_a_swarm_of_fresh_accounts_cannot_hide_a_video(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    threshold: int,
) -> None:
    video = make_video(instructor)
    fresh = [make_user() for _ in range(threshold * 3)]  # verified, created a moment ago
    for user in fresh:
        assert (await _report(client, auth_headers(user), video))["trusted"] is False
    row = video_row(video.id)
    assert row.status == VideoStatus.published and row.open_report_count == len(fresh)
    assert row.trusted_report_count == 0
    # The moderators still see every report, weighted.
    queue = await client.get(
        "/api/v1/admin/moderation/queue", params={"limit": 100}, headers=auth_headers(admin)
    )
    item = next(i for i in queue.json()["items"] if i["video"]["id"] == str(video.id))
    assert (item["open_reports"], item["trusted_reports"]) == (len(fresh), 0)


async def test_unverified_accounts_are_never_trusted_reporters(
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    settings: Any,
    threshold: int,
) -> None:
    """The rule itself (the route also refuses unverified accounts: require_verified)."""
    video = make_video(instructor)
    old_unverified = [settled(make_user(verified=False), days=400) for _ in range(threshold)]
    async with async_session_scope() as session:
        for user in old_unverified:
            row = await moderation.report(session, settings, user, video.id, ReportReason.spam, "")
            assert row.trusted is False
    assert video_row(video.id).status == VideoStatus.published


async def test_trusted_reporters_hide_it_and_untrusted_ones_do_not_tip_the_balance(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    threshold: int,
) -> None:
    video = make_video(instructor)
    trusted = [settled(make_user(), days=4) for _ in range(threshold)]
    for user in trusted[:-1]:
        assert (await _report(client, auth_headers(user), video))["trusted"] is True
    for _ in range(5):
        await _report(client, auth_headers(make_user()), video)
    assert video_row(video.id).status == VideoStatus.published  # 2 trusted + 5 fresh < 3 trusted
    await _report(client, auth_headers(trusted[-1]), video)
    row = video_row(video.id)
    assert row.status == VideoStatus.in_review and row.trusted_report_count == threshold
    detail = (await client.get(f"/api/v1/admin/videos/{video.id}", headers=auth_headers(admin))).json()
    assert detail["video"]["review_note"] == "Hidden after 3 reports from trusted accounts"
    assert sorted(r["trusted"] for r in detail["reports"]) == [False] * 5 + [True] * threshold
    italian = await client.get(
        f"/api/v1/admin/videos/{video.id}", headers={**auth_headers(admin), "Accept-Language": "it-IT"}
    )
    assert italian.json()["video"]["review_note"] == "Nascosto dopo 3 segnalazioni da account affidabili"
    approved = await client.post(f"/api/v1/admin/videos/{video.id}/approve", headers=auth_headers(admin))
    assert approved.json()["trusted_report_count"] == 0 and approved.json()["open_report_count"] == 0


async def test_an_instructor_or_admin_account_is_trusted_on_the_same_terms(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
    threshold: int,
) -> None:
    video = make_video(instructor)
    new_colleague = make_user(role=Role.instructor)
    assert (await _report(client, auth_headers(new_colleague), video))["trusted"] is False
    senior = settled(make_user(role=Role.instructor), days=10)
    assert (await _report(client, auth_headers(senior), video))["trusted"] is True
