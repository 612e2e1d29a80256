"""Uploads started and never completed: the beat reaper aborts them in the store (the local store
and moto's S3 server) and the video goes back to draft with a reason its instructor sees.

(moto reports every multipart upload as initiated in 2010; the reaper also asks the row when the
upload started, so the fresh upload below survives on both stores.)"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from app.auth.models import User
from app.core.config import Settings
from app.core.storage import S3ObjectStore, get_object_store
from app.media import service, tasks
from app.worker.celery_app import BEAT_SCHEDULE
from tests.media.helpers import create_video, upload_file, video_row
from tests.support.s3 import moto_s3

AGE_S = 2
Headers = Callable[[User], dict[str, str]]


@pytest.fixture(params=["local", "s3"])
def store_kind(request: pytest.FixtureRequest, settings: Settings) -> Iterator[str]:
    if request.param == "local":
        yield "local"
        return
    with moto_s3(settings):
        yield "s3"


def _open_uploads() -> dict[str, str]:
    return {u.upload_id: u.key for u in get_object_store().list_multipart_uploads("videos/")}


async def test_unfinished_uploads_are_aborted_and_their_videos_go_back_to_draft(
    store_kind: str,
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "media_upload_abandon_seconds", AGE_S)
    assert isinstance(get_object_store(), S3ObjectStore) == (store_kind == "s3")
    headers = auth_headers(instructor)
    data = b"k" * 1000

    # An upload with a part stored but never completed...
    stale = await create_video(client, headers)
    await upload_file(client, headers, stale["id"], data, complete=False)
    stale_row = video_row(stale["id"])
    # ...one a bucket lifecycle rule already removed from the store...
    gone = await create_video(client, headers)
    await upload_file(client, headers, gone["id"], data, complete=False)
    gone_row = video_row(gone["id"])
    assert gone_row.source_key and gone_row.upload_id
    get_object_store().abort_multipart(gone_row.source_key, gone_row.upload_id)
    # ...and one no row knows about (the API died between creating it and committing).
    orphan_key = service.source_key(uuid.uuid4())
    orphan_id = get_object_store().create_multipart(orphan_key, "video/mp4")
    await asyncio.sleep(AGE_S + 0.5)
    fresh = await create_video(client, headers)
    await upload_file(client, headers, fresh["id"], data, complete=False)
    fresh_row = video_row(fresh["id"])
    assert {stale_row.upload_id, orphan_id, fresh_row.upload_id} <= set(_open_uploads())

    report = await asyncio.to_thread(service.reap_abandoned_uploads, settings)

    aborted = {u.upload_id: u.key for u in report.aborted}
    assert aborted[stale_row.upload_id or ""] == stale_row.source_key
    assert aborted[orphan_id] == orphan_key
    assert fresh_row.upload_id not in aborted and report.errors == 0
    still_open = _open_uploads()
    assert stale_row.upload_id not in still_open and orphan_id not in still_open
    assert fresh_row.upload_id in still_open

    for video in (stale, gone):
        shown = (await client.get(f"/api/v1/videos/{video['id']}", headers=headers)).json()
        assert shown["status"] == "draft"
        # A reason code with its number of hours, shown by the apps in it/en.
        hours = settings.media_upload_abandon_seconds / 3600
        assert shown["failure_reason"] == f"upload_abandoned_after?hours={hours:g}"
        history = (await client.get(f"/api/v1/videos/{video['id']}/history", headers=headers)).json()
        assert (history[-1]["from_status"], history[-1]["to_status"]) == ("uploading", "draft")
        assert history[-1]["reason"] == "upload abandoned" and history[-1]["actor_id"] is None
        resume = await client.get(f"/api/v1/videos/{video['id']}/upload", headers=headers)
        assert resume.status_code == 409 and resume.json()["error"]["code"] == "no_upload"
    assert video_row(stale["id"]).upload_id is None

    # The fresh upload is untouched and still resumable; the instructor restarts the stale one.
    assert video_row(fresh["id"]).status.value == "uploading"
    resumed = await client.get(f"/api/v1/videos/{fresh['id']}/upload", headers=headers)
    assert resumed.status_code == 200 and len(resumed.json()["uploaded_parts"]) == 1
    done = await upload_file(client, headers, stale["id"], data, complete=False)
    assert done is None and video_row(stale["id"]).status.value == "uploading"
    assert video_row(stale["id"]).failure_reason is None

    # The beat task (what celery beat runs hourly): nothing more is stale right now.
    assert BEAT_SCHEDULE["media-reap-abandoned-uploads"]["task"] == "default.media.reap_abandoned_uploads"
    assert tasks.reap_abandoned_uploads.apply().get() == 0


def test_a_source_key_maps_back_to_its_video_only_when_it_is_one() -> None:
    video_id = uuid.uuid4()
    assert service.VIDEO_UPLOAD.id_of_key(service.source_key(video_id)) == video_id
    for key in (
        f"videos/{video_id}/source/other",
        f"videos/{str(video_id).upper()}/source/original",
        "videos/not-a-uuid/source/original",
        f"videos/{video_id}/hls/720p/seg_00001.ts",
    ):
        assert service.VIDEO_UPLOAD.id_of_key(key) is None
