"""A moderator closes one report without deciding on the whole video: dismissed (unfounded) or
resolved (dealt with), always with a reason, in the audit log, once (issue 18)."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.auth.models import User
from app.media.models import Video
from tests.media.helpers import video_row

Headers = Callable[[User], dict[str, str]]


async def test_dismiss_and_resolve_reports_with_a_reason_audited_once(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    video = make_video(instructor)
    reports = []
    for reason in ("spam", "misleading"):
        r = await client.post(
            f"/api/v1/videos/{video.id}/reports", json={"reason": reason}, headers=auth_headers(make_user())
        )
        assert r.status_code == 201, r.text
        reports.append(r.json())
    assert video_row(video.id).open_report_count == 2
    h = auth_headers(admin)

    no_reason = await client.post(
        f"/api/v1/admin/reports/{reports[0]['id']}/close", json={"outcome": "dismissed"}, headers=h
    )
    assert no_reason.status_code == 422
    dismissed = await client.post(
        f"/api/v1/admin/reports/{reports[0]['id']}/close",
        json={"outcome": "dismissed", "reason": "Not spam: a real seminar"},
        headers=h,
    )
    assert dismissed.status_code == 200, dismissed.text
    assert dismissed.json()["resolution"] == "dismissed"
    assert dismissed.json()["resolution_note"] == "Not spam: a real seminar"
    again = await client.post(
        f"/api/v1/admin/reports/{reports[0]['id']}/close",
        json={"outcome": "resolved", "reason": "x" * 5},
        headers=h,
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "report_closed"
    resolved = await client.post(
        f"/api/v1/admin/reports/{reports[1]['id']}/close",
        json={"outcome": "resolved", "reason": "Instructor fixed the title"},
        headers=h,
    )
    assert resolved.status_code == 200 and resolved.json()["resolution"] == "resolved"
    assert video_row(video.id).open_report_count == 0

    student = await client.post(
        f"/api/v1/admin/reports/{reports[1]['id']}/close",
        json={"outcome": "dismissed", "reason": "mine"},
        headers=auth_headers(make_user()),
    )
    assert student.status_code == 403
    audit = await client.get("/api/v1/admin/audit", params={"subject_id": str(video.id)}, headers=h)
    entries = {e["action"]: e for e in audit.json()["items"]}
    assert entries["media.report.dismiss"]["reason"] == "Not spam: a real seminar"
    assert entries["media.report.resolve"]["data"]["report_id"] == reports[1]["id"]
    assert [e["action"] for e in audit.json()["items"]].count("media.report.dismiss") == 1


async def test_the_audit_log_shows_names_and_lists_its_real_action_names(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    video = make_video(instructor)
    r = await client.post(
        f"/api/v1/videos/{video.id}/reports", json={"reason": "spam"}, headers=auth_headers(make_user())
    )
    h = auth_headers(admin)
    closed = await client.post(
        f"/api/v1/admin/reports/{r.json()['id']}/close",
        json={"outcome": "dismissed", "reason": "Looks fine"},
        headers=h,
    )
    assert closed.status_code == 200
    audit = await client.get("/api/v1/admin/audit", params={"action": "media.report.dismiss"}, headers=h)
    [entry] = audit.json()["items"]
    assert entry["actor_name"] == admin.display_name
    assert entry["subject_name"] == video_row(video.id).title
    actions = await client.get("/api/v1/admin/audit/actions", headers=h)
    assert actions.status_code == 200 and "media.report.dismiss" in actions.json()
