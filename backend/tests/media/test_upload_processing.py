"""Upload in parts → processing (eager, in-process) → in_review, and every bad input ending as
`failed` with a reason the instructor can read — with nothing else lost."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth.models import Role, User
from app.core.storage import get_object_store
from app.media import service
from app.media.models import JobState, VideoStatus
from tests.media.helpers import create_video, jobs_of, put_part, upload_file, video_row


@pytest.fixture
def small_parts(settings: Any, monkeypatch: pytest.MonkeyPatch) -> int:
    monkeypatch.setattr(settings, "media_part_size_bytes", 64 * 1024)
    return 64 * 1024


async def test_upload_in_parts_with_retry_and_resume_then_processing_reaches_review(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    instructor: User,
    make_clip: Callable[..., Path],
    small_parts: int,
) -> None:
    headers = auth_headers(instructor)
    data = make_clip().read_bytes()
    assert len(data) > 2 * small_parts
    video = await create_video(client, headers, price_cents=1500, currency="EUR")
    assert video["status"] == "draft" and video["is_free"] is False

    start = await client.post(
        f"/api/v1/videos/{video['id']}/upload",
        json={"filename": "kata.mp4", "size_bytes": len(data)},
        headers=headers,
    )
    assert start.status_code == 201, start.text
    session = start.json()
    assert session["part_count"] == -(-len(data) // small_parts) >= 3
    urls = {p["part_number"]: p["url"] for p in session["parts"]}

    # Part 1 goes up; part 2 goes up with wrong bytes first and is retried (same number overwrites).
    # A part of another size than planned is refused outright.
    assert (await put_part(client, urls[1], data[:small_parts])).status_code == 200
    assert (await put_part(client, urls[2], b"garbage")).status_code == 422
    assert (await put_part(client, urls[2], b"g" * small_parts)).status_code == 200
    retry = await client.post(
        f"/api/v1/videos/{video['id']}/upload/parts", json={"part_numbers": [2]}, headers=headers
    )
    assert retry.status_code == 200
    assert (
        await put_part(client, retry.json()["parts"][0]["url"], data[small_parts : 2 * small_parts])
    ).status_code == 200

    # The connection drops; the client resumes: the store says which parts it holds.
    resumed = await client.get(f"/api/v1/videos/{video['id']}/upload", headers=headers)
    assert resumed.status_code == 200
    body = resumed.json()
    assert [p["part_number"] for p in body["uploaded_parts"]] == [1, 2]
    missing = [p["part_number"] for p in body["parts"]]
    assert missing == list(range(3, session["part_count"] + 1))
    for part in body["parts"]:
        n = part["part_number"]
        resp = await put_part(client, part["url"], data[(n - 1) * small_parts : n * small_parts])
        assert resp.status_code == 200

    # Complete without listing parts: everything the store holds, in order. Processing runs
    # inline here (eager Celery); test_worker.py runs it in a real worker process.
    done = await client.post(f"/api/v1/videos/{video['id']}/upload/complete", headers=headers)
    assert done.status_code == 202, done.text

    row = video_row(video["id"])
    assert row.status == VideoStatus.ready, row.failure_reason  # waits for the instructor to submit
    assert row.source_size_bytes == len(data)
    assert row.renditions == ["480p", "360p"]  # 640x480 source: never upscaled to 720p/1080p
    assert row.width == 640 and row.height == 480 and row.duration_s == pytest.approx(6.0, abs=0.2)
    assert row.progress_percent == 100
    assert not row.has_trailer  # 6 s: shorter than MEDIA_TRAILER_MIN_VIDEO_SECONDS, no automatic trailer
    assert get_object_store().get_bytes(service.source_key(row.id)) == data

    store = get_object_store()
    master = store.get_bytes(f"{row.media_prefix}hls/master.m3u8").decode()
    assert "480p/index.m3u8" in master and "360p/index.m3u8" in master
    assert "avc1." in master and "mp4a.40.2" in master
    variant = store.get_bytes(f"{row.media_prefix}hls/480p/index.m3u8").decode()
    assert "#EXT-X-TARGETDURATION:6" in variant and "#EXT-X-ENDLIST" in variant
    for name in ("poster.jpg", "sprite.jpg", "sprite.vtt"):
        assert store.head(row.media_prefix + name) is not None, name
    assert store.head(row.media_prefix + "trailer/master.m3u8") is None

    (job,) = jobs_of(video["id"])
    assert job.state == JobState.succeeded and job.attempts == 1
    assert row.media_prefix == f"videos/{row.id}/{job.id}/"

    owner_view = (await client.get(f"/api/v1/videos/{video['id']}", headers=headers)).json()
    assert owner_view["status"] == "ready"
    assert owner_view["progress"] == {"percent": 100, "stage": "done"}
    submitted = await client.post(f"/api/v1/videos/{video['id']}/submit", headers=headers)
    assert submitted.status_code == 200 and submitted.json()["status"] == "in_review"
    assert submitted.json()["review_note"] == "Submitted by the instructor"
    history = (await client.get(f"/api/v1/videos/{video['id']}/history", headers=headers)).json()
    assert [h["to_status"] for h in history] == ["draft", "uploading", "processing", "ready", "in_review"]


async def _failed_upload(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, **kwargs: Any
) -> dict[str, Any]:
    video = await create_video(client, headers)
    done = await upload_file(client, headers, video["id"], data, **kwargs)
    assert done is not None and done.status_code == 202, done.text
    view = (await client.get(f"/api/v1/videos/{video['id']}", headers=headers)).json()
    assert view["status"] == "failed", view
    return dict(view)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"This is my kata notes file, not a video at all.\n" * 20, "not_a_video"),
        (b"%PDF-1.7\n" + b"\x00" * 2000, "not_a_video"),
        (b"", "empty_file"),
    ],
    ids=["text", "pdf", "zero-bytes"],
)
async def test_non_video_and_empty_uploads_fail_with_a_clear_reason(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    instructor: User,
    content: bytes,
    reason: str,
) -> None:
    view = await _failed_upload(client, auth_headers(instructor), content)
    assert view["failure_reason"] == reason  # a reason code the apps show in it/en
    (job,) = jobs_of(view["id"])
    assert job.state == JobState.failed and job.attempts == 1


async def test_truncated_video_fails_and_the_instructor_can_upload_again(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    instructor: User,
    make_clip: Callable[..., Path],
) -> None:
    headers = auth_headers(instructor)
    data = make_clip().read_bytes()
    view = await _failed_upload(client, headers, data[: len(data) // 2])
    assert view["failure_reason"] == "corrupt_video"
    assert view["title"] == "Heian Shodan step by step"  # metadata untouched

    # Nothing else is lost: the same video takes a new, complete upload.
    again = await upload_file(client, headers, view["id"], data)
    assert again is not None and again.status_code == 202
    row = video_row(view["id"])
    assert row.status == VideoStatus.ready and row.failure_reason is None
    failed_job, good_job = sorted(jobs_of(view["id"]), key=lambda j: j.id)
    assert failed_job.state == JobState.failed and good_job.state == JobState.succeeded
    # the failed job left no outputs behind
    assert list(get_object_store().list_objects(f"videos/{row.id}/{failed_job.id}/")) == []


async def test_oversized_uploads_are_refused(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    instructor: User,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = auth_headers(instructor)
    monkeypatch.setattr(settings, "media_max_upload_bytes", 10_000)
    video = await create_video(client, headers)
    declared = await client.post(
        f"/api/v1/videos/{video['id']}/upload",
        json={"filename": "big.mp4", "size_bytes": 10_001},
        headers=headers,
    )
    assert declared.status_code == 413
    assert declared.json()["error"]["code"] == "upload_too_large"

    # A client that lies about the size: the part is refused beyond its declared size
    # (tests/storage/test_part_uploads.py) and the upload cannot complete without it.
    video = await create_video(client, headers)
    start = await client.post(
        f"/api/v1/videos/{video['id']}/upload",
        json={"filename": "big.mp4", "size_bytes": 5_000},
        headers=headers,
    )
    [part] = start.json()["parts"]
    assert (await put_part(client, part["url"], b"\x00" * 20_000)).status_code == 413
    done = await client.post(f"/api/v1/videos/{video['id']}/upload/complete", headers=headers)
    assert done.status_code == 422 and done.json()["error"]["code"] == "invalid_parts"
    assert get_object_store().head(service.source_key(uuid.UUID(video["id"]))) is None
    assert jobs_of(video["id"]) == []  # never reached a worker


async def test_only_the_owner_can_complete_an_upload(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    instructor: User,
    make_user: Callable[..., User],
    make_clip: Callable[..., Path],
) -> None:
    headers = auth_headers(instructor)
    intruder = make_user(role=Role.instructor)
    student = make_user()
    video = await create_video(client, headers)
    await upload_file(client, headers, video["id"], make_clip().read_bytes(), complete=False)

    for other in (intruder, student):
        resp = await client.post(f"/api/v1/videos/{video['id']}/upload/complete", headers=auth_headers(other))
        assert resp.status_code == 403, resp.text
        assert (
            await client.get(f"/api/v1/videos/{video['id']}/upload", headers=auth_headers(other))
        ).status_code == 403
    assert video_row(video["id"]).status == VideoStatus.uploading  # unchanged

    done = await client.post(f"/api/v1/videos/{video['id']}/upload/complete", headers=headers)
    assert done.status_code == 202
    assert video_row(video["id"]).status == VideoStatus.ready


async def test_students_cannot_create_videos_and_pricing_is_validated(
    client: httpx.AsyncClient, auth_headers: Callable[[User], dict[str, str]], make_user: Callable[..., User]
) -> None:
    student = make_user()
    resp = await client.post(
        "/api/v1/videos", json={"title": "x", "discipline": "judo"}, headers=auth_headers(student)
    )
    assert resp.status_code == 403
    teacher = make_user(role=Role.instructor)
    bad = await client.post(
        "/api/v1/videos",
        json={"title": "x", "discipline": "judo", "rental_price_cents": 300},
        headers=auth_headers(teacher),
    )
    assert bad.status_code == 422


async def test_abort_returns_to_draft_and_completion_needs_an_open_upload(
    client: httpx.AsyncClient, auth_headers: Callable[[User], dict[str, str]], instructor: User
) -> None:
    headers = auth_headers(instructor)
    video = await create_video(client, headers)
    await upload_file(client, headers, video["id"], b"abc", complete=False)
    aborted = await client.delete(f"/api/v1/videos/{video['id']}/upload", headers=headers)
    assert aborted.status_code == 200 and aborted.json()["status"] == "draft"
    again = await client.post(f"/api/v1/videos/{video['id']}/upload/complete", headers=headers)
    assert again.status_code == 409 and again.json()["error"]["code"] == "no_upload"
