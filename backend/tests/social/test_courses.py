"""Courses: an instructor's ordered series of their own videos, and the public course page."""

from __future__ import annotations

from collections.abc import Callable

import httpx

from app.auth.models import Role, User
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from tests.media.helpers import settled
from tests.social.conftest import Headers


async def test_instructor_orders_videos_and_the_public_page_shows_published_ones_in_order(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    student: User,
    make_video: Callable[..., Video],
) -> None:
    a = make_video(instructor, title="1. Stance", processed=False)
    b = make_video(instructor, title="2. Guard", processed=False, price_cents=900)
    draft = make_video(instructor, title="3. Not yet", status=VideoStatus.ready, processed=False)
    h = auth_headers(instructor)
    course = (await client.post("/api/v1/courses", json={"title": "Boxing basics"}, headers=h)).json()
    cid = course["id"]
    # nothing published in it yet: cannot publish, not public
    r = await client.patch(f"/api/v1/courses/{cid}", json={"published": True}, headers=h)
    assert r.status_code == 409 and r.json()["error"]["code"] == "course_empty"
    r = await client.put(
        f"/api/v1/courses/{cid}/videos", json={"video_ids": [str(b.id), str(draft.id), str(a.id)]}, headers=h
    )
    assert r.status_code == 200, r.text
    assert r.json()["video_ids"] == [str(b.id), str(draft.id), str(a.id)]
    assert (await client.get(f"/api/v1/courses/{cid}")).status_code == 404  # still a draft
    assert (
        await client.patch(f"/api/v1/courses/{cid}", json={"published": True}, headers=h)
    ).status_code == 200

    public = (await client.get(f"/api/v1/courses/{cid}", headers=auth_headers(student))).json()
    assert [v["title"] for v in public["videos"]] == ["2. Guard", "1. Stance"]
    assert public["video_ids"] == [str(b.id), str(a.id)]  # the draft's id stays private
    assert public["videos"][0]["price_cents"] == 900
    assert public["instructor_name"] == "Sensei Kato"
    listed = (await client.get(f"/api/v1/instructors/{instructor.id}/courses")).json()
    assert [c["title"] for c in listed] == ["Boxing basics"]

    # reordering replaces the whole order
    await client.put(f"/api/v1/courses/{cid}/videos", json={"video_ids": [str(a.id), str(b.id)]}, headers=h)
    public = (await client.get(f"/api/v1/courses/{cid}")).json()
    assert [v["title"] for v in public["videos"]] == ["1. Stance", "2. Guard"]


async def test_course_holds_only_its_instructors_videos_and_only_they_change_it(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    student: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    rival = settled(make_user(role=Role.instructor))
    theirs = make_video(rival, title="Not mine", processed=False)
    mine = make_video(instructor, processed=False)
    cid = (
        await client.post("/api/v1/courses", json={"title": "Mine"}, headers=auth_headers(instructor))
    ).json()["id"]
    r = await client.put(
        f"/api/v1/courses/{cid}/videos",
        json={"video_ids": [str(theirs.id)]},
        headers=auth_headers(instructor),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_own_video"
    r = await client.put(
        f"/api/v1/courses/{cid}/videos",
        json={"video_ids": [str(mine.id), str(mine.id)]},
        headers=auth_headers(instructor),
    )
    assert r.json()["error"]["code"] == "duplicate_video"
    r = await client.put(
        f"/api/v1/courses/{cid}/videos", json={"video_ids": [str(mine.id)]}, headers=auth_headers(rival)
    )
    assert r.status_code == 403 and r.json()["error"]["code"] == "not_course_owner"
    assert (
        await client.post("/api/v1/courses", json={"title": "x"}, headers=auth_headers(student))
    ).status_code == 403


async def test_catalog_lists_public_courses_newest_first_with_bundle_figures_and_no_media(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Callable[..., Video],
) -> None:
    h = auth_headers(instructor)
    first = make_video(instructor, title="Stance", price_cents=900, currency="eur")
    second = make_video(instructor, title="Guard", price_cents=600, currency="eur")
    lone = make_video(instructor, title="Soon unpublished")

    async def course(title: str, videos: list[Video], *, publish: bool = True, **price: object) -> str:
        cid = str((await client.post("/api/v1/courses", json={"title": title}, headers=h)).json()["id"])
        ids = [str(v.id) for v in videos]
        assert (
            await client.put(f"/api/v1/courses/{cid}/videos", json={"video_ids": ids}, headers=h)
        ).is_success
        r = await client.patch(f"/api/v1/courses/{cid}", json={"published": publish, **price}, headers=h)
        assert r.status_code == 200, r.text
        return cid

    bundle = await course("Boxing basics", [first, second], price_cents=1000, currency="eur")
    emptied = await course("Emptied", [lone])
    await course("Draft", [first], publish=False)
    with sync_session() as s:  # its only video leaves the catalog
        s.get_one(Video, lone.id).status = VideoStatus.ready

    page = await client.get("/api/v1/courses")
    assert page.status_code == 200, page.text
    items = page.json()["items"]
    assert [c["id"] for c in items] == [bundle]  # not the draft, not the one with no published video
    card = items[0]
    assert card["instructor_name"] == "Sensei Kato" and card["video_count"] == 2
    assert card["duration_s"] == 16.0
    assert (card["price_cents"], card["currency"]) == (1000, "eur")
    assert (card["videos_total_cents"], card["savings_cents"]) == (1500, 500)
    assert card["cover_url"].startswith(f"/api/v1/videos/{first.id}/poster")
    assert first.media_prefix and first.media_prefix not in page.text and "m3u8" not in page.text

    # a newer course comes first (publishing invalidates the cached page); pages follow the cursor
    newer = await course("Kicks", [second])
    assert [c["id"] for c in (await client.get("/api/v1/courses")).json()["items"]] == [newer, bundle]
    first_page = (await client.get("/api/v1/courses", params={"limit": 1})).json()
    assert [c["id"] for c in first_page["items"]] == [newer]
    assert first_page["items"][0]["price_cents"] is None and first_page["items"][0]["savings_cents"] is None
    rest = (
        await client.get("/api/v1/courses", params={"limit": 1, "cursor": first_page["next_cursor"]})
    ).json()
    assert [c["id"] for c in rest["items"]] == [bundle] and rest["next_cursor"] is None
    assert emptied not in {c["id"] for c in rest["items"]}
