"""Who may comment, threads two levels deep, reactions, the comment.* hooks, rate limits."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import User
from app.core.config import Settings
from app.media.models import Video
from app.social import events
from tests.social.conftest import Headers, buy


async def post(
    client: httpx.AsyncClient, headers: dict[str, str], video: Video, body: str, **extra: Any
) -> httpx.Response:
    return await client.post(
        f"/api/v1/videos/{video.id}/comments", json={"body": body, **extra}, headers=headers
    )


async def test_student_comments_on_free_video_and_everyone_reads_it(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, free_video: Video
) -> None:
    r = await post(client, auth_headers(student), free_video, "Great drill at 1:23, thanks!")
    assert r.status_code == 201, r.text
    assert r.json()["author_name"] == "Giulia"
    page = (await client.get(f"/api/v1/videos/{free_video.id}/comments")).json()
    assert [c["body"] for c in page["items"]] == ["Great drill at 1:23, thanks!"]
    assert page["can_post"] is False and page["cannot_post_reason"] == "not_authenticated"


async def test_unpaid_user_cannot_comment_on_paid_video(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, paid_video: Video
) -> None:
    r = await post(client, auth_headers(student), paid_video, "Let me in")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "comment_not_entitled"
    buy(student, paid_video)
    assert (await post(client, auth_headers(student), paid_video, "Bought it, worth it")).status_code == 201
    page = (
        await client.get(f"/api/v1/videos/{paid_video.id}/comments", headers=auth_headers(student))
    ).json()
    assert page["can_post"] is True


async def test_unverified_account_cannot_comment(
    client: httpx.AsyncClient, auth_headers: Headers, make_user: Callable[..., User], free_video: Video
) -> None:
    from tests.media.helpers import settled

    user = settled(make_user(verified=False))
    r = await post(client, auth_headers(user), free_video, "spam")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "email_not_verified"


async def test_brand_new_account_cannot_comment(
    client: httpx.AsyncClient, auth_headers: Headers, make_user: Callable[..., User], free_video: Video
) -> None:
    fresh = make_user()  # verified, created just now
    r = await post(client, auth_headers(fresh), free_video, "first!")
    assert r.status_code == 403
    assert r.json()["error"]["code"] == "account_too_new"


async def test_comment_on_unpublished_video_is_404(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    make_video: Callable[..., Video],
    instructor: User,
) -> None:
    from app.media.models import VideoStatus

    draft = make_video(instructor, status=VideoStatus.in_review)
    r = await post(client, auth_headers(student), draft, "hello")
    assert r.status_code == 404


async def test_empty_and_too_long_comments_are_refused(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, free_video: Video, settings: Settings
) -> None:
    assert (await post(client, auth_headers(student), free_video, "   ")).json()["error"][
        "code"
    ] == "comment_empty"
    r = await post(client, auth_headers(student), free_video, "x" * (settings.social_comment_max_chars + 1))
    assert r.status_code == 422 and r.json()["error"]["code"] == "comment_too_long"


async def test_reply_to_a_reply_joins_the_same_thread(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, other_student: User, free_video: Video
) -> None:
    top = (await post(client, auth_headers(student), free_video, "How do you pivot?")).json()
    reply = (
        await post(client, auth_headers(other_student), free_video, "On the ball", parent_id=top["id"])
    ).json()
    deeper = (await post(client, auth_headers(student), free_video, "Thanks", parent_id=reply["id"])).json()
    assert reply["parent_id"] == top["id"]
    assert deeper["parent_id"] == top["id"]
    page = (await client.get(f"/api/v1/videos/{free_video.id}/comments")).json()
    assert len(page["items"]) == 1
    assert [r["body"] for r in page["items"][0]["replies"]] == ["On the ball", "Thanks"]


async def test_comment_hooks_tell_the_instructor_and_the_parent_author(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    free_video: Video,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []
    monkeypatch.setattr(events, "comment_created", lambda session, **kw: calls.append(("created", kw)))
    monkeypatch.setattr(events, "comment_reply", lambda session, **kw: calls.append(("reply", kw)))
    top = (await post(client, auth_headers(student), free_video, "Question")).json()
    await post(client, auth_headers(other_student), free_video, "Answer", parent_id=top["id"])
    await post(client, auth_headers(student), free_video, "Own follow-up", parent_id=top["id"])
    await post(client, auth_headers(instructor), free_video, "Instructor's own note")
    assert [(kind, kw["recipient_id"]) for kind, kw in calls] == [
        ("created", instructor.id),
        ("reply", student.id),
    ]


async def test_reactions_toggle_and_count_once_per_user(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, other_student: User, free_video: Video
) -> None:
    c = (await post(client, auth_headers(student), free_video, "Nice")).json()
    url = f"/api/v1/comments/{c['id']}/reactions"
    assert (await client.put(f"{url}/fire", headers=auth_headers(other_student))).json() == {"fire": 1}
    assert (await client.put(f"{url}/fire", headers=auth_headers(other_student))).json() == {"fire": 1}
    assert (await client.put(f"{url}/bow", headers=auth_headers(student))).json() == {"fire": 1, "bow": 1}
    assert (await client.put(f"{url}/nope", headers=auth_headers(student))).status_code == 422
    page = (
        await client.get(f"/api/v1/videos/{free_video.id}/comments", headers=auth_headers(other_student))
    ).json()
    assert page["items"][0]["my_reactions"] == ["fire"]
    assert (await client.delete(f"{url}/fire", headers=auth_headers(other_student))).json() == {"bow": 1}


async def test_author_deletes_comment_and_replies_stay(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, other_student: User, free_video: Video
) -> None:
    top = (await post(client, auth_headers(student), free_video, "Secret")).json()
    await post(client, auth_headers(other_student), free_video, "Reply", parent_id=top["id"])
    assert (
        await client.delete(f"/api/v1/comments/{top['id']}", headers=auth_headers(other_student))
    ).status_code == 403
    assert (
        await client.delete(f"/api/v1/comments/{top['id']}", headers=auth_headers(student))
    ).status_code == 204
    [head] = (await client.get(f"/api/v1/videos/{free_video.id}/comments")).json()["items"]
    assert head["status"] == "deleted" and head["body"] == "" and head["author_id"] is None
    assert [r["body"] for r in head["replies"]] == ["Reply"]


async def test_posting_is_rate_limited(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    free_video: Video,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "rate_limit_enabled", True)
    monkeypatch.setattr(settings, "social_comments_per_window", 2)
    codes = [(await post(client, auth_headers(student), free_video, f"n{i}")).status_code for i in range(3)]
    assert codes == [201, 201, 429]
