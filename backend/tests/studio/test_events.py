"""GET /studio/attempts/{id}/events: the attempt's live progress over server-sent events, with
the same event shapes as a video's processing stream and the same audience as the attempt."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable

import httpx
import pytest

from app.auth.models import Role, User
from app.core.config import Settings
from app.studio import jobs
from app.studio.models import JobStatus, StudioAttempt, StudioReference
from tests.support.sse import parse_events

Headers = Callable[[User], dict[str, str]]


def _url(attempt_id: uuid.UUID | str) -> str:
    return f"/api/v1/studio/attempts/{attempt_id}/events"


async def test_a_finished_attempt_streams_its_state_then_end_to_its_audience_only(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    instructor: User,
    student: User,
    make_reference: Callable[..., StudioReference],
    make_ready_attempt: Callable[..., StudioAttempt],
) -> None:
    attempt = make_ready_attempt(make_reference(instructor), student)
    admin = make_user(role=Role.admin)
    final = {"status": "ready", "percent": 100, "stage": "done", "failure_reason": None}

    for viewer in (student, instructor, admin):
        resp = await asyncio.wait_for(client.get(_url(attempt.id), headers=auth_headers(viewer)), 30)
        assert resp.status_code == 200, resp.text
        assert resp.headers["content-type"].startswith("text/event-stream")
        assert resp.headers["cache-control"] == "no-cache"
        assert resp.headers["x-accel-buffering"] == "no"
        assert parse_events(resp.text) == [("progress", final), ("end", final)]

    strangers = (make_user(), make_user(role=Role.instructor))
    for stranger in strangers:
        resp = await client.get(_url(attempt.id), headers=auth_headers(stranger))
        assert resp.status_code == 404
        assert resp.json()["error"]["code"] == "attempt_not_found"
    assert (await client.get(_url(uuid.uuid4()), headers=auth_headers(admin))).status_code == 404
    assert (await client.get(_url(attempt.id))).status_code == 401


@pytest.mark.own_database  # a worker thread writes while the stream reads: connections of their own
async def test_a_running_analysis_is_followed_live_until_it_fails_with_its_reason(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    settings: Settings,
    instructor: User,
    student: User,
    make_reference: Callable[..., StudioReference],
    make_attempt: Callable[..., StudioAttempt],
) -> None:
    attempt = make_attempt(make_reference(instructor), student, status=JobStatus.pending)
    stream = asyncio.create_task(client.get(_url(attempt.id), headers=auth_headers(student)))

    def worker_side() -> None:
        """What a worker run does to the row (claim, progress, give up), paced so even the
        polling (no Redis) stream sees every step."""
        time.sleep(1.5)
        claimed = jobs.claim(StudioAttempt, attempt.id, "task-live", settings)
        assert isinstance(claimed, jobs.Claim)
        time.sleep(1.5)
        progress = jobs.Progress(StudioAttempt, claimed)
        progress.set(30, "extracting")
        time.sleep(1.5)
        progress.set(66, "rendering_overlay")
        time.sleep(1.5)
        assert jobs.fail_job("attempt", attempt.id, "The overlay could not be rendered.")

    await asyncio.to_thread(worker_side)
    resp = await asyncio.wait_for(stream, 30)
    assert resp.status_code == 200
    events = parse_events(resp.text)
    progress = [data for name, data in events if name == "progress"]
    assert [(p["status"], p["percent"], p["stage"]) for p in progress] == [
        ("pending", 0, "queued"),
        ("running", 0, "starting"),
        ("running", 30, "extracting"),
        ("running", 66, "rendering_overlay"),
        ("failed", 66, "failed"),
    ]
    assert events[-1] == (
        "end",
        {
            "status": "failed",
            "percent": 66,
            "stage": "failed",
            "failure_reason": "The overlay could not be rendered.",
        },
    )
    assert [name for name, _ in events].count("end") == 1
