"""End to end with a real Celery worker process and real ffmpeg: upload in parts → processing in
the worker (progress over SSE) → admin approval → ffmpeg plays the HLS back through the signed
URL served by uvicorn. And a worker SIGKILLed mid-transcode: the job still completes, once."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.media import processing
from app.media.models import JobState, VideoEvent, VideoJob, VideoStatus
from tests.media.helpers import create_video, ffmpeg_read, jobs_of, upload_file, video_row
from tests.support.sse import parse_events

pytestmark = pytest.mark.slow
Headers = Callable[[User], dict[str, str]]


async def _wait_for(predicate: Callable[[], bool], seconds: float, what: str, worker: Any = None) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if predicate():
            return
        await asyncio.sleep(0.1)
    logs = worker.logs()[-4000:] if worker is not None else ""
    raise AssertionError(f"timed out waiting for {what}\n{logs}")


async def test_worker_processes_upload_then_approved_video_plays_in_ffmpeg_through_signed_url(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    make_clip: Callable[..., Path],
    celery_worker: Any,
    live_server: str,
    tmp_path: Path,
) -> None:
    headers = auth_headers(instructor)
    video = await create_video(client, headers)
    done = await upload_file(client, headers, video["id"], make_clip().read_bytes())
    assert done is not None and done.status_code == 202
    assert done.json()["status"] == "processing"  # enqueued, not run inline

    # Progress pushed over SSE until processing ends (the ASGI client hands the whole stream
    # over once it ends with the `end` event).
    stream = await asyncio.wait_for(
        client.get(f"/api/v1/videos/{video['id']}/events", headers=headers), timeout=180
    )
    assert stream.status_code == 200
    assert stream.headers["content-type"].startswith("text/event-stream")
    events = parse_events(stream.text)
    assert events[-1][0] == "end" and events[-1][1]["status"] == "ready", (
        events,
        celery_worker.logs()[-3000:],
    )
    percents = [data["percent"] for name, data in events if name == "progress"]
    assert percents == sorted(percents) and percents[-1] == 100
    assert {data["stage"] for _, data in events} >= {"done"}

    (job,) = jobs_of(video["id"])
    assert job.state == JobState.succeeded and job.attempts == 1
    assert job.started_at is not None and job.finished_at is not None

    assert (await client.post(f"/api/v1/videos/{video['id']}/submit", headers=headers)).status_code == 200
    approve = await client.post(
        f"/api/v1/admin/videos/{video['id']}/approve",
        json={"reason": "clear and safe"},
        headers=auth_headers(admin),
    )
    assert approve.status_code == 200 and approve.json()["status"] == "published"

    student = make_user()
    playback = await client.get(f"/api/v1/videos/{video['id']}/playback", headers=auth_headers(student))
    assert playback.status_code == 200, playback.text
    url = playback.json()["url"]
    assert url.startswith(f"{live_server}/media/t/")

    played = ffmpeg_read(url, tmp_path / "played.ts")
    assert played.returncode == 0, played.stderr.decode()
    from video_studio.transcode import probe

    info = probe(tmp_path / "played.ts")
    assert info.video_codec == "h264" and info.audio_codec == "aac"
    assert info.height == 480 and info.duration_s == pytest.approx(6.0, abs=0.5)

    # ffmpeg itself is refused with a tampered or missing signature.
    token = playback.json()["token"]
    tampered = url.replace(token, token[:-3] + ("AAA" if not token.endswith("AAA") else "BBB"))
    refused = ffmpeg_read(tampered, tmp_path / "refused.ts")
    assert refused.returncode != 0 and b"403" in refused.stderr
    async with httpx.AsyncClient() as outside:
        assert (await outside.get(tampered)).status_code == 403
        assert (await outside.get(url.replace(f"/t/{token}", ""))).status_code == 403


async def test_worker_killed_mid_transcode_job_completes_exactly_once(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_clip: Callable[..., Path],
    celery_worker: Any,
) -> None:
    headers = auth_headers(instructor)
    video = await create_video(client, headers)
    clip = make_clip(seconds=40.0)
    done = await upload_file(client, headers, video["id"], clip.read_bytes())
    assert done is not None and done.status_code == 202

    def transcoding() -> bool:
        jobs = jobs_of(video["id"])
        return bool(jobs) and jobs[0].state == JobState.running and jobs[0].stage == "transcode"

    await _wait_for(transcoding, 120, "the job to be transcoding", celery_worker)
    celery_worker.kill()  # SIGKILL the worker's process group: main process, pool child, ffmpeg
    (job,) = jobs_of(video["id"])
    assert job.state == JobState.running and job.attempts == 1
    assert video_row(video["id"]).status == VideoStatus.processing

    # Nothing finishes it while no worker runs; the reaper sees the stale heartbeat.
    celery_worker.start()
    await asyncio.sleep(1.5)
    assert processing.reap_stuck_jobs(stale_seconds=1, only=[job.id]) == [job.id]

    await _wait_for(
        lambda: video_row(video["id"]).status == VideoStatus.ready, 180, "the requeued job", celery_worker
    )
    (job,) = jobs_of(video["id"])
    assert job.state == JobState.succeeded
    assert job.attempts == 2 and job.requeues == 1

    # A late redelivery of the original message (acks_late) finds the job done: a no-op.
    assert processing.run_job(job.id) == "skipped"
    assert processing.reap_stuck_jobs(stale_seconds=1, only=[job.id]) == []

    with sync_session() as session:
        to_ready = session.scalars(
            select(VideoEvent).where(
                VideoEvent.video_id == uuid.UUID(video["id"]), VideoEvent.to_status == "ready"
            )
        ).all()
        assert len(to_ready) == 1 and to_ready[0].job_id == job.id
        assert session.scalar(select(VideoJob.attempts).where(VideoJob.id == job.id)) == 2

    row = video_row(video["id"])
    assert row.duration_s == pytest.approx(40.0, abs=0.5)
    keys = [info.key for info in get_object_store().list_objects(f"videos/{row.id}/")]
    # One source, one job prefix; the rerun overwrote the killed run's keys.
    assert {k.split("/")[2] for k in keys} == {"source", str(job.id)}
    master = get_object_store().get_bytes(f"{row.media_prefix}hls/master.m3u8").decode()
    for rung in ("480p", "360p"):
        assert f"{rung}/index.m3u8" in master
        variant = get_object_store().get_bytes(f"{row.media_prefix}hls/{rung}/index.m3u8").decode()
        segments = [ln for ln in variant.splitlines() if ln.endswith(".ts")]
        stored = [k for k in keys if k.startswith(f"{row.media_prefix}hls/{rung}/seg_")]
        assert len(segments) == len(stored) == 7  # 40 s in 6 s segments
