"""The social half of "Your data": export lists what the user wrote and did; erase removes it."""

from __future__ import annotations

import httpx
from sqlalchemy import func, select

from app.auth.models import User
from app.db.session import sync_session
from app.media.models import Video
from app.social import service
from app.social.models import Comment, CommentReaction, CommentReport, Follow, VideoLike
from tests.social.conftest import Headers


async def _activity(
    client: httpx.AsyncClient, h: Headers, student: User, other: User, instructor: User, video: Video
) -> str:
    mine = (
        await client.post(
            f"/api/v1/videos/{video.id}/comments", json={"body": "My words"}, headers=h(student)
        )
    ).json()
    theirs = (
        await client.post(f"/api/v1/videos/{video.id}/comments", json={"body": "Theirs"}, headers=h(other))
    ).json()
    await client.post(
        f"/api/v1/videos/{video.id}/comments",
        json={"body": "A reply to me", "parent_id": mine["id"]},
        headers=h(other),
    )
    await client.put(f"/api/v1/comments/{theirs['id']}/reactions/bow", headers=h(student))
    await client.post(
        f"/api/v1/comments/{theirs['id']}/reports",
        json={"reason": "other", "details": "my note"},
        headers=h(student),
    )
    await client.put(f"/api/v1/videos/{video.id}/like", headers=h(student))
    await client.put(f"/api/v1/instructors/{instructor.id}/follow", headers=h(student))
    return str(mine["id"])


async def test_export_lists_comments_reactions_reports_likes_follows(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    free_video: Video,
) -> None:
    await _activity(client, auth_headers, student, other_student, instructor, free_video)
    with sync_session() as session:
        data = service.export_user_data(session, student.id)
    assert [c["body"] for c in data["comments"]] == ["My words"]
    assert [r["kind"] for r in data["reactions"]] == ["bow"]
    assert [r["details"] for r in data["comment_reports"]] == ["my note"]
    assert [v["video_id"] for v in data["liked_videos"]] == [str(free_video.id)]
    assert [f["instructor_id"] for f in data["following"]] == [str(instructor.id)]


async def test_instructors_courses_are_exported_and_erased(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User
) -> None:
    await client.post("/api/v1/courses", json={"title": "Kihon"}, headers=auth_headers(instructor))
    with sync_session() as session:
        assert [c["title"] for c in service.export_user_data(session, instructor.id)["courses"]] == ["Kihon"]
        service.erase_user_data(session, instructor.id)
    with sync_session() as session:
        assert service.export_user_data(session, instructor.id)["courses"] == []


async def test_erase_removes_words_and_traces_but_keeps_others_replies(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    other_student: User,
    instructor: User,
    free_video: Video,
) -> None:
    mine = await _activity(client, auth_headers, student, other_student, instructor, free_video)
    with sync_session() as session:
        service.erase_user_data(session, student.id)
    with sync_session() as session:
        assert (
            session.scalar(select(func.count()).select_from(Comment).where(Comment.author_id == student.id))
            == 0
        )
        erased = session.get(Comment, __import__("uuid").UUID(mine))
        assert erased is not None and erased.body == "" and erased.author_id is None
        for model, column in (
            (CommentReaction, CommentReaction.user_id),
            (VideoLike, VideoLike.user_id),
            (Follow, Follow.follower_id),
            (CommentReport, CommentReport.reporter_id),
        ):
            assert session.scalar(select(func.count()).select_from(model).where(column == student.id)) == 0
        assert session.scalar(select(CommentReport.details)) == ""
        assert service.export_user_data(session, student.id)["comments"] == []
    page = (await client.get(f"/api/v1/videos/{free_video.id}/comments")).json()
    bodies = [(c["body"], [r["body"] for r in c["replies"]]) for c in page["items"]]
    assert ("", ["A reply to me"]) in bodies and ("Theirs", []) in bodies
    assert "My words" not in str(page)
