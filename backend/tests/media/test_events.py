"""GET /videos/{id}/events (app/progress): the processing stream without a worker process."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from app import progress
from app.auth.models import Role, User
from app.db.session import sync_session
from app.media import service
from app.media.models import Video, VideoStatus
from tests.media.helpers import create_video
from tests.support.sse import parse_events

Headers = Callable[[User], dict[str, str]]


async def test_a_draft_ends_at_once_and_only_its_owner_and_admins_may_listen(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
) -> None:
    video = await create_video(client, auth_headers(instructor))
    url = f"/api/v1/videos/{video['id']}/events"
    for viewer in (instructor, admin):
        resp = await asyncio.wait_for(client.get(url, headers=auth_headers(viewer)), 30)
        assert resp.status_code == 200
        assert resp.headers["content-type"].startswith("text/event-stream")
        state = {"status": "draft", "percent": 0, "stage": None, "failure_reason": None}
        assert parse_events(resp.text) == [("progress", state), ("end", state)]
    other = make_user(role=Role.instructor)
    assert (await client.get(url, headers=auth_headers(other))).status_code == 403
    missing = f"/api/v1/videos/{uuid.uuid4()}/events"
    assert (await client.get(missing, headers=auth_headers(admin))).status_code == 404


@pytest.mark.own_database  # a worker thread writes while the stream reads: connections of their own
async def test_processing_is_streamed_as_the_row_changes_until_review(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User
) -> None:
    video = await create_video(client, auth_headers(instructor))
    video_id = uuid.UUID(video["id"])

    def move(status: VideoStatus, percent: int, stage: str) -> None:
        with sync_session() as session:
            row = session.get(Video, video_id)
            assert row is not None
            row.status, row.progress_percent, row.progress_stage = status, percent, stage
            state = service.progress_state(row)
        progress.publish(
            service.progress_channel(video_id), state
        )  # as a worker does: the whole state, after the commit

    move(VideoStatus.processing, 0, "starting")
    stream = asyncio.create_task(
        client.get(f"/api/v1/videos/{video_id}/events", headers=auth_headers(instructor))
    )

    def worker_side() -> None:
        for percent, stage in ((40, "transcode"), (90, "publishing")):
            time.sleep(1.5)
            move(VideoStatus.processing, percent, stage)
        time.sleep(1.5)
        move(VideoStatus.in_review, 100, "done")

    await asyncio.to_thread(worker_side)
    events = parse_events((await asyncio.wait_for(stream, 30)).text)
    assert [(name, d["status"], d["percent"], d["stage"]) for name, d in events] == [
        ("progress", "processing", 0, "starting"),
        ("progress", "processing", 40, "transcode"),
        ("progress", "processing", 90, "publishing"),
        ("progress", "in_review", 100, "done"),
        ("end", "in_review", 100, "done"),
    ]
