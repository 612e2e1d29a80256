"""Likes on videos, following instructors and the following feed."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import httpx

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.media.models import Video, VideoStatus
from tests.media.helpers import settled
from tests.social.conftest import Headers


async def test_like_toggles_and_counts_each_user_once(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, other_student: User, free_video: Video
) -> None:
    url = f"/api/v1/videos/{free_video.id}"
    assert (await client.get(f"{url}/likes")).json() == {"count": 0, "liked": False}
    assert (await client.put(f"{url}/like")).status_code == 401
    assert (await client.put(f"{url}/like", headers=auth_headers(student))).json() == {
        "count": 1,
        "liked": True,
    }
    assert (await client.put(f"{url}/like", headers=auth_headers(student))).json() == {
        "count": 1,
        "liked": True,
    }
    assert (await client.put(f"{url}/like", headers=auth_headers(other_student))).json() == {
        "count": 2,
        "liked": True,
    }
    assert (await client.delete(f"{url}/like", headers=auth_headers(student))).json() == {
        "count": 1,
        "liked": False,
    }
    assert (await client.get(f"{url}/likes", headers=auth_headers(other_student))).json() == {
        "count": 1,
        "liked": True,
    }


async def test_cannot_like_unpublished_video(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    instructor: User,
    make_video: Callable[..., Video],
) -> None:
    draft = make_video(instructor, status=VideoStatus.ready)
    assert (
        await client.put(f"/api/v1/videos/{draft.id}/like", headers=auth_headers(student))
    ).status_code == 404


async def test_follow_only_instructors_and_not_yourself(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, other_student: User, instructor: User
) -> None:
    url = f"/api/v1/instructors/{instructor.id}/follow"
    assert (await client.put(url, headers=auth_headers(student))).json() == {
        "followers": 1,
        "following": True,
    }
    assert (await client.put(url, headers=auth_headers(student))).json() == {
        "followers": 1,
        "following": True,
    }
    assert (await client.get(url)).json() == {"followers": 1, "following": False}
    r = await client.put(f"/api/v1/instructors/{other_student.id}/follow", headers=auth_headers(student))
    assert r.status_code == 404 and r.json()["error"]["code"] == "instructor_not_found"
    assert (await client.put(url, headers=auth_headers(instructor))).json()["error"]["code"] == "follow_self"
    assert (await client.delete(url, headers=auth_headers(student))).json() == {
        "followers": 0,
        "following": False,
    }


async def test_feed_lists_followed_instructors_published_videos_newest_first_in_pages(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    instructor: User,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    other = settled(make_user(role=Role.instructor, display_name="Not followed"))
    now = utcnow()
    made = [
        make_video(
            instructor, title=f"Lesson {i}", processed=False, published_at=now - timedelta(hours=10 - i)
        )
        for i in range(3)
    ]
    make_video(instructor, title="Draft", status=VideoStatus.ready, processed=False)
    make_video(other, title="Elsewhere", processed=False)
    assert (await client.get("/api/v1/me/feed", headers=auth_headers(student))).json() == {
        "items": [],
        "next_cursor": None,
    }
    await client.put(f"/api/v1/instructors/{instructor.id}/follow", headers=auth_headers(student))

    first = (await client.get("/api/v1/me/feed?limit=2", headers=auth_headers(student))).json()
    assert [v["title"] for v in first["items"]] == ["Lesson 2", "Lesson 1"]
    assert first["items"][0]["instructor_name"] == "Sensei Kato"
    second = (
        await client.get(
            f"/api/v1/me/feed?limit=2&cursor={first['next_cursor']}", headers=auth_headers(student)
        )
    ).json()
    assert [v["title"] for v in second["items"]] == ["Lesson 0"]
    assert second["next_cursor"] is None
    assert {v["id"] for v in first["items"] + second["items"]} == {str(v.id) for v in made}
