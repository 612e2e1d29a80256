"""Attempt uploads started and never completed: the beat reaper aborts them in the store (the
local store and moto's S3 server) and the attempt fails with "upload abandoned"."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from functools import partial
from typing import Any

import httpx
import pytest

from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.storage import S3ObjectStore, get_object_store
from app.studio import keys
from app.studio.models import StudioReference
from app.uploads import reap_every_kind
from app.uploads.tasks import reap_abandoned
from tests.media.helpers import put_part
from tests.support.s3 import moto_s3
from tests.support.sse import parse_events

AGE_S = 2
Headers = Callable[[User], dict[str, str]]


@pytest.fixture(params=["local", "s3"])
def store_kind(request: pytest.FixtureRequest, settings: Settings) -> Iterator[str]:
    if request.param == "local":
        yield "local"
        return
    with moto_s3(settings):
        yield "s3"


async def _start_attempt(
    client: httpx.AsyncClient, headers: dict[str, str], reference_id: uuid.UUID
) -> dict[str, Any]:
    """Create an attempt and send its one part, but never complete it."""
    created = await client.post(
        f"/api/v1/studio/references/{reference_id}/attempts",
        json={"filename": "try.mp4", "content_type": "video/mp4", "size_bytes": 1000},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body: dict[str, Any] = created.json()
    (part,) = body["upload"]["parts"]
    assert (await put_part(client, part["url"], b"v" * 1000)).status_code == 200
    return body["attempt"]


def _open_uploads() -> set[str]:
    return {u.upload_id for u in get_object_store().list_multipart_uploads("studio/attempts/")}


async def test_unfinished_attempt_uploads_are_aborted_and_the_attempts_fail(
    store_kind: str,
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    student: User,
    make_reference: Callable[..., StudioReference],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "studio_upload_abandon_seconds", AGE_S)
    assert isinstance(get_object_store(), S3ObjectStore) == (store_kind == "s3")
    headers = auth_headers(student)
    reference = make_reference(instructor)
    store = get_object_store()

    stale = await _start_attempt(client, headers, reference.id)
    gone = await _start_attempt(client, headers, reference.id)
    gone_key = keys.attempt_source(uuid.UUID(gone["id"]))
    gone_upload = next(u for u in store.list_multipart_uploads(gone_key) if u.key == gone_key)
    store.abort_multipart(gone_key, gone_upload.upload_id)  # a bucket lifecycle rule got there first
    orphan_key = keys.attempt_source(uuid.uuid4())
    orphan_id = store.create_multipart(orphan_key, "video/mp4")
    # The reaper runs as it would AGE_S after this instant: what started before is stale, what
    # starts after is not (both the rows and the store keep microseconds; no waiting needed).
    between = utcnow()
    fresh = await _start_attempt(client, headers, reference.id)
    before = {u.key: u.upload_id for u in store.list_multipart_uploads("studio/attempts/")}
    stale_key, fresh_key = (keys.attempt_source(uuid.UUID(a["id"])) for a in (stale, fresh))

    later = between + timedelta(seconds=AGE_S)
    report = (await asyncio.to_thread(partial(reap_every_kind, settings, now=later)))["studio"]  # its hook

    assert {u.key for u in report.aborted} >= {stale_key, orphan_key}
    assert fresh_key not in {u.key for u in report.aborted} and report.errors == 0
    assert before[stale_key] not in _open_uploads() and orphan_id not in _open_uploads()
    assert before[fresh_key] in _open_uploads()

    for attempt in (stale, gone):
        url = f"/api/v1/studio/attempts/{attempt['id']}"
        shown = (await client.get(url, headers=headers)).json()
        assert (shown["status"], shown["stage"], shown["failure_reason"]) == (
            "failed",
            "failed",
            "upload abandoned",
        )
        # Completing now changes nothing; resuming is refused; the stream ends at once.
        done = await client.post(
            f"{url}/complete", json={"parts": [{"part_number": 1, "etag": "x"}]}, headers=headers
        )
        assert done.status_code == 202 and done.json()["status"] == "failed"
        assert (await client.get(f"{url}/upload", headers=headers)).status_code == 409
        retry = await client.post(f"{url}/retry", headers=headers)
        assert retry.status_code == 409 and retry.json()["error"]["code"] == "job_not_failed"
        events = parse_events((await asyncio.wait_for(client.get(f"{url}/events", headers=headers), 30)).text)
        assert events[-1] == (
            "end",
            {"status": "failed", "percent": 0, "stage": "failed", "failure_reason": "upload abandoned"},
        )

    # The fresh attempt is untouched and still resumable.
    fresh_url = f"/api/v1/studio/attempts/{fresh['id']}"
    assert (await client.get(fresh_url, headers=headers)).json()["status"] == "uploading"
    resumed = await client.get(f"{fresh_url}/upload", headers=headers)
    assert resumed.status_code == 200 and len(resumed.json()["uploaded_parts"]) == 1

    # The one beat task (what celery beat runs hourly, every kind): at the usual age nothing more is
    # stale (at AGE_S the fresh upload could be, on a slow machine, by the time this runs).
    monkeypatch.setattr(settings, "studio_upload_abandon_seconds", 3600)
    assert reap_abandoned.apply().get() == 0
