"""Live progress streams (app/progress): with Redis they follow the published states instead
of reading the database over and over, and each user may hold only so many at once."""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from sqlalchemy import event

from app import progress
from app.auth.models import User
from app.db.session import get_async_engine, sync_session
from app.media import service
from app.media.models import Video, VideoStatus
from tests.support.sse import parse_events

Headers = Callable[[User], dict[str, str]]


def _move(video_id: uuid.UUID, status: VideoStatus, percent: int, stage: str) -> None:
    """What a worker does: write the row, commit, publish its whole state."""
    with sync_session() as session:
        row = session.get(Video, video_id)
        assert row is not None
        row.status, row.progress_percent, row.progress_stage = status, percent, stage
        state = service.progress_state(row)
    progress.publish(service.progress_channel(video_id), state)


@pytest.fixture
def video_reads() -> Iterator[list[str]]:
    """Every statement the API's engine runs against the videos table (the stream's reads)."""
    seen: list[str] = []

    def record(_conn: Any, _cursor: Any, statement: str, *_: Any) -> None:
        if "FROM videos" in statement:
            seen.append(statement)

    engine = get_async_engine().sync_engine
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


@pytest.mark.own_database  # a worker thread writes while streams read: connections of their own
@pytest.mark.skipif(os.environ.get("MAMC_TEST_PROFILE") != "services", reason="needs Redis pub/sub")
async def test_with_redis_a_stream_follows_published_states_without_polling_the_database(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Callable[..., Video],
    video_reads: list[str],
) -> None:
    video = make_video(instructor, status=VideoStatus.processing, processed=False)
    stream = asyncio.create_task(
        client.get(f"/api/v1/videos/{video.id}/events", headers=auth_headers(instructor))
    )
    await asyncio.sleep(1.0)  # the stream subscribed and read the row once
    reads_at_start = len(video_reads)

    def worker() -> None:
        for percent in (10, 30, 50, 70, 90):
            _move(video.id, VideoStatus.processing, percent, "transcode")
            time.sleep(0.6)
        _move(video.id, VideoStatus.ready, 100, "done")

    started = time.monotonic()
    await asyncio.to_thread(worker)
    events = parse_events((await asyncio.wait_for(stream, 30)).text)
    elapsed = time.monotonic() - started
    assert [(name, d["percent"]) for name, d in events] == [
        ("progress", 0),
        *[("progress", p) for p in (10, 30, 50, 70, 90)],
        ("progress", 100),
        ("end", 100),
    ]
    assert events[-1][1]["status"] == "ready"
    # Over several seconds of progress: one read to start (the authorisation's and the first
    # state's) and one for the final state; a polling stream reads the row every second.
    assert reads_at_start <= 3
    assert len(video_reads) - reads_at_start == 1, (elapsed, video_reads)


@pytest.mark.own_database  # a worker thread writes while streams read: connections of their own
async def test_each_user_holds_at_most_the_configured_number_of_streams(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_video: Callable[..., Video],
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "sse_max_streams_per_user", 2)
    headers = auth_headers(instructor)
    busy = [make_video(instructor, status=VideoStatus.processing, processed=False) for _ in range(3)]
    open_streams = [
        asyncio.create_task(client.get(f"/api/v1/videos/{v.id}/events", headers=headers)) for v in busy[:2]
    ]
    await asyncio.sleep(1.5)
    refused = await asyncio.wait_for(client.get(f"/api/v1/videos/{busy[2].id}/events", headers=headers), 10)
    assert refused.status_code == 429
    assert refused.json()["error"]["code"] == "too_many_streams" and refused.headers["retry-after"]
    # Another user has a budget of their own.
    admin_stream = asyncio.create_task(
        client.get(f"/api/v1/videos/{busy[2].id}/events", headers=auth_headers(admin))
    )
    await asyncio.sleep(1.0)
    assert not admin_stream.done()  # accepted and streaming

    # A stream that ends gives its slot back.
    await asyncio.to_thread(_move, busy[0].id, VideoStatus.ready, 100, "done")
    first = await asyncio.wait_for(open_streams[0], 30)
    assert parse_events(first.text)[-1][0] == "end"
    accepted = asyncio.create_task(client.get(f"/api/v1/videos/{busy[2].id}/events", headers=headers))
    await asyncio.sleep(1.0)
    assert not accepted.done() or accepted.result().status_code == 200
    for video in busy[1:]:
        await asyncio.to_thread(_move, video.id, VideoStatus.ready, 100, "done")
    results = await asyncio.wait_for(asyncio.gather(open_streams[1], accepted, admin_stream), 30)
    assert [r.status_code for r in results] == [200, 200, 200]
