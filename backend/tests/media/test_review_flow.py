"""Moderation cannot be bypassed: a processed video waits for its instructor to submit it;
public-facing edits of a published video (title, description, poster, price) wait for review
while the published version stays live; instructor powers follow the role."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

import httpx

from app.auth.models import Role, User
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from tests.media.helpers import video_row

Headers = Callable[[User], dict[str, str]]
PNG = b"\x89PNG\r\n\x1a\n" + b"\x01" * 64


async def _queue_ids(client: httpx.AsyncClient, admin_headers: dict[str, str]) -> list[str]:
    page = await client.get("/api/v1/admin/moderation/queue", params={"limit": 100}, headers=admin_headers)
    assert page.status_code == 200
    return [item["video"]["id"] for item in page.json()["items"]]


async def test_a_processed_video_waits_for_its_instructor_to_submit_it(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_video: Callable[..., Video],
) -> None:
    video = make_video(instructor, status=VideoStatus.ready, price_cents=1200, currency="EUR")
    assert str(video.id) not in await _queue_ids(client, auth_headers(admin))
    approve = await client.post(f"/api/v1/admin/videos/{video.id}/approve", headers=auth_headers(admin))
    assert approve.status_code == 409  # nothing to approve until it is submitted
    submitted = await client.post(f"/api/v1/videos/{video.id}/submit", headers=auth_headers(instructor))
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    assert str(video.id) in await _queue_ids(client, auth_headers(admin))
    again = await client.post(f"/api/v1/videos/{video.id}/submit", headers=auth_headers(instructor))
    assert again.status_code == 409


async def test_public_edits_of_a_published_video_wait_for_review_while_the_old_version_stays_live(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_video: Callable[..., Video],
) -> None:
    tag = f"pe{instructor.id.hex[:8]}"
    video = make_video(
        instructor,
        title="Clean title",
        description="Honest description",
        price_cents=1000,
        currency="EUR",
        tags=[tag],
    )
    headers, admin_headers = auth_headers(instructor), auth_headers(admin)
    edit = await client.patch(
        f"/api/v1/videos/{video.id}",
        json={
            "title": "BUY CHEAP PILLS",
            "description": "spam link",
            "price_cents": None,
            "tags": [tag, "new"],
        },
        headers=headers,
    )
    assert edit.status_code == 200, edit.text
    owner = edit.json()
    assert (owner["title"], owner["price_cents"], owner["tags"]) == ("Clean title", 1000, [tag, "new"])
    pending = owner["pending_edit"]
    assert pending["changed"] == ["description", "price_cents", "title"]
    assert (pending["title"], pending["description"], pending["price_cents"]) == (
        "BUY CHEAP PILLS",
        "spam link",
        None,
    )
    # The public sees the published version: card, catalog, search, price at checkout.
    public = (await client.get(f"/api/v1/videos/{video.id}")).json()
    assert (public["title"], public["description"], public["price_cents"]) == (
        "Clean title",
        "Honest description",
        1000,
    )
    assert "pending_edit" not in public
    listed = (await client.get("/api/v1/videos", params={"q": tag})).json()["items"]
    assert [(v["title"], v["is_free"]) for v in listed] == [("Clean title", False)]
    assert (await client.get("/api/v1/videos", params={"q": "pills"})).json()["items"] == []
    # A poster change waits too; only the owner and admins can look at the proposed one.
    poster = await client.put(
        f"/api/v1/videos/{video.id}/poster", content=PNG, headers={**headers, "Content-Type": "image/png"}
    )
    assert poster.status_code == 200 and poster.json()["poster_url"] == public["poster_url"]
    proposed = poster.json()["pending_edit"]["poster_url"]
    # a signed link (an <img> sends no bearer token), only ever given to the owner and admins
    assert proposed and "pending=true" not in proposed
    signed = urlsplit(proposed)
    assert (await client.get(signed.path + (f"?{signed.query}" if signed.query else ""))).status_code == 200
    asked = f"/api/v1/videos/{video.id}/poster?pending=true"
    assert (await client.get(asked, headers=headers)).status_code == 302
    assert (await client.get(asked)).status_code == 404

    # The moderators see the edit next to the live version and decide.
    queue = (
        await client.get("/api/v1/admin/moderation/queue", params={"limit": 100}, headers=admin_headers)
    ).json()
    item = next(i for i in queue["items"] if i["video"]["id"] == str(video.id))
    assert item["has_pending_edit"] is True and item["review_note"] == "Published; an edit waits for review"
    rejected = await client.post(
        f"/api/v1/admin/videos/{video.id}/edit/reject",
        json={"reason": "Spam in the title"},
        headers=admin_headers,
    )
    assert rejected.status_code == 200
    assert (
        rejected.json()["pending_edit"] is None
        and rejected.json()["edit_rejection_reason"] == "Spam in the title"
    )
    assert rejected.json()["status"] == "published" and rejected.json()["title"] == "Clean title"
    assert str(video.id) not in await _queue_ids(client, admin_headers)

    # A decent edit is approved and goes live.
    await client.patch(
        f"/api/v1/videos/{video.id}",
        json={"title": "Clean title, part 2", "price_cents": 1500},
        headers=headers,
    )
    approved = await client.post(f"/api/v1/admin/videos/{video.id}/edit/approve", headers=admin_headers)
    assert approved.status_code == 200 and approved.json()["pending_edit"] is None
    public = (await client.get(f"/api/v1/videos/{video.id}")).json()
    assert (public["title"], public["price_cents"]) == ("Clean title, part 2", 1500)
    audit = await client.get(
        "/api/v1/admin/audit",
        params={"subject_type": "video", "subject_id": str(video.id)},
        headers=admin_headers,
    )
    actions = [e["action"] for e in audit.json()["items"]]
    assert sorted(actions) == ["media.video.edit_approve", "media.video.edit_reject"]
    nothing = await client.post(f"/api/v1/admin/videos/{video.id}/edit/approve", headers=admin_headers)
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "no_pending_edit"


async def test_an_instructor_can_withdraw_an_edit_and_unpublishing_keeps_it(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Callable[..., Video]
) -> None:
    video = make_video(instructor, title="Original")
    headers = auth_headers(instructor)
    await client.patch(f"/api/v1/videos/{video.id}", json={"title": "Second thoughts"}, headers=headers)
    withdrawn = await client.delete(f"/api/v1/videos/{video.id}/pending-edit", headers=headers)
    assert withdrawn.status_code == 200 and withdrawn.json()["pending_edit"] is None
    assert withdrawn.json()["title"] == "Original"
    # Setting a field back to its live value withdraws that field.
    await client.patch(f"/api/v1/videos/{video.id}", json={"title": "Draft idea"}, headers=headers)
    back = await client.patch(f"/api/v1/videos/{video.id}", json={"title": "Original"}, headers=headers)
    assert back.json()["pending_edit"] is None

    await client.patch(f"/api/v1/videos/{video.id}", json={"title": "Improved"}, headers=headers)
    down = await client.post(f"/api/v1/videos/{video.id}/unpublish", headers=headers)
    # Not live any more: the edit is the video's own, and the next submission reviews it.
    assert down.json()["status"] == "unpublished" and down.json()["title"] == "Improved"
    assert down.json()["pending_edit"] is None
    free_edit = await client.patch(
        f"/api/v1/videos/{video.id}", json={"title": "Improved again"}, headers=headers
    )
    assert free_edit.json()["title"] == "Improved again"
    resubmitted = await client.post(f"/api/v1/videos/{video.id}/submit", headers=headers)
    assert resubmitted.json()["status"] == "in_review"


async def test_instructor_powers_follow_the_role(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    admin: User,
    make_video: Callable[..., Video],
) -> None:
    teacher = make_user(role=Role.instructor)
    video = make_video(teacher, title="Mine")
    with sync_session() as session:  # an admin demotes the instructor
        row = session.get(User, teacher.id)
        assert row is not None
        row.role = Role.student
    headers = auth_headers(teacher)
    attempts: list[tuple[str, str, dict[str, Any]]] = [
        ("PATCH", f"/api/v1/videos/{video.id}", {"json": {"discipline": "karate"}}),
        ("POST", f"/api/v1/videos/{video.id}/unpublish", {}),
        ("POST", f"/api/v1/videos/{video.id}/submit", {}),
        ("DELETE", f"/api/v1/videos/{video.id}", {}),
        (
            "PUT",
            f"/api/v1/videos/{video.id}/poster",
            {"content": PNG, "headers": {"Content-Type": "image/png"}},
        ),
        ("POST", f"/api/v1/videos/{video.id}/upload", {"json": {"filename": "x.mp4", "size_bytes": 10}}),
        ("GET", f"/api/v1/videos/{video.id}/history", {}),
    ]
    for method, url, kwargs in attempts:
        extra = kwargs.pop("headers", {})
        r = await client.request(method, url, headers={**headers, **extra}, **kwargs)
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["error"]["code"] == "not_video_owner"
    row_after = video_row(video.id)
    assert (row_after.status, row_after.title, row_after.discipline) == (
        VideoStatus.published,
        "Mine",
        video.discipline,
    )
    # Still on sale and playable for buyers; an admin keeps every power.
    assert (
        await client.post(f"/api/v1/videos/{video.id}/unpublish", headers=auth_headers(admin))
    ).status_code == 200


async def test_the_owner_sees_the_cover_of_an_unpublished_video_and_strangers_do_not(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    """Before publishing, the studio shows the cover: the owner's view carries a signed link an
    <img> can load without a bearer token (covers answered 404 until published, issue 18)."""
    video = make_video(instructor, status=VideoStatus.in_review)
    headers = auth_headers(instructor)
    put = await client.put(
        f"/api/v1/videos/{video.id}/poster", content=PNG, headers={**headers, "Content-Type": "image/png"}
    )
    assert put.status_code == 200, put.text
    mine = (await client.get(f"/api/v1/videos/{video.id}", headers=headers)).json()
    cover = urlsplit(mine["poster_url"])
    got = await client.get(cover.path + (f"?{cover.query}" if cover.query else ""))  # no Authorization
    assert got.status_code == 200 and got.content == PNG
    assert (await client.get(f"/api/v1/videos/{video.id}/poster")).status_code == 404
    stranger = await client.get(f"/api/v1/videos/{video.id}", headers=auth_headers(make_user()))
    assert stranger.status_code == 404
