from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import Role
from app.core.storage import get_object_store
from app.studio import keys
from app.studio.models import JobStatus

from .conftest import REF_RANGE

API = "/api/v1/studio"


def _body(video_id: Any, **over: Any) -> dict[str, Any]:
    body = {"video_id": str(video_id), "name": "mae geri — front kick", "t_start": 0.5, "t_end": 1.5}
    return body | over


@pytest.mark.slow
async def test_instructor_marks_a_range_and_the_worker_stores_its_skeleton(
    client: httpx.AsyncClient, auth_headers: Any, instructor: Any, make_video: Any, clips: dict[str, bytes]
) -> None:
    video_id = make_video(instructor, clips["reference"])
    resp = await client.post(
        f"{API}/references",
        json=_body(video_id, joints=["right_knee", "right_hip", "right_knee"], technique="kick"),
        headers=auth_headers(instructor),
    )
    assert resp.status_code == 201, resp.text
    ref = resp.json()
    assert ref["joints"] == ["right_knee", "right_hip"] and ref["technique"] == "kick"
    # Tests run tasks inline (eager), so the extraction already happened.
    got = (await client.get(f"{API}/references/{ref['id']}")).json()
    assert got["status"] == "ready", got
    assert got["progress"] == 100 and got["stage"] == "done"

    doc = json.loads(get_object_store().get_bytes(keys.reference_skeleton(ref["id"])))
    assert doc["version"] == 2 and doc["fps"] == pytest.approx(10.0)
    assert doc["subject"]["policy"] == "most_prominent_at_start"
    clip = get_object_store().head(keys.reference_clip(ref["id"]))
    assert clip is not None and clip.size > 0  # kept for the reference side of overlays
    times = [f["t"] for f in doc["frames"]]
    assert times[0] == 0.0 and times[-1] == pytest.approx(REF_RANGE[1] - REF_RANGE[0], abs=0.11)
    assert sum(f["landmarks"] is not None for f in doc["frames"]) >= 8
    assert len(doc["frames"][0]["landmarks"] or []) == 33


@pytest.mark.slow
async def test_a_range_past_the_end_of_the_video_fails_with_a_reason(
    client: httpx.AsyncClient, auth_headers: Any, instructor: Any, make_video: Any, clips: dict[str, bytes]
) -> None:
    video_id = make_video(instructor, clips["reference"], duration_s=None)
    resp = await client.post(
        f"{API}/references", json=_body(video_id, t_start=1.0, t_end=9.0), headers=auth_headers(instructor)
    )
    if resp.status_code == 422:  # media reports the duration: rejected up front
        assert resp.json()["error"]["code"] == "range_outside_video"
        return
    assert resp.status_code == 201, resp.text
    got = (await client.get(f"{API}/references/{resp.json()['id']}", headers=auth_headers(instructor))).json()
    assert got["status"] == "failed"
    # A reason code with its numbers, shown by the apps in it/en.
    assert got["failure_reason"].startswith("range_past_end?start=1&end=9&duration=")


@pytest.mark.slow
async def test_a_range_without_a_person_fails_with_the_studio_message(
    client: httpx.AsyncClient, auth_headers: Any, instructor: Any, make_video: Any, clips: dict[str, bytes]
) -> None:
    video_id = make_video(instructor, clips["nobody"], duration_s=0.8)
    resp = await client.post(
        f"{API}/references", json=_body(video_id, t_start=0.1, t_end=0.7), headers=auth_headers(instructor)
    )
    assert resp.status_code == 201, resp.text
    got = (await client.get(f"{API}/references/{resp.json()['id']}", headers=auth_headers(instructor))).json()
    assert got["status"] == "failed"
    assert got["failure_reason"] in {"no_person", "no_person_in_range"}


async def test_only_instructors_mark_references_on_their_own_published_videos(
    client: httpx.AsyncClient,
    auth_headers: Callable[[Any], dict[str, str]],
    make_user: Any,
    instructor: Any,
    make_video: Any,
) -> None:
    student = make_user(role=Role.student)
    other = make_user(role=Role.instructor)
    mine = make_video(instructor, b"not decoded here")
    theirs = make_video(other, b"not decoded here")
    draft = make_video(instructor, b"x", status="in_review")
    h = auth_headers(instructor)

    async def post(body: dict[str, Any], headers: dict[str, str] = h) -> httpx.Response:
        return await client.post(f"{API}/references", json=body, headers=headers)

    assert (await post(_body(mine), auth_headers(student))).status_code == 403
    assert (await client.post(f"{API}/references", json=_body(mine))).status_code == 401
    resp = await post(_body(theirs))
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "video_not_found"
    resp = await post(_body(draft))
    assert resp.status_code == 409 and resp.json()["error"]["code"] == "video_not_published"
    cases: list[tuple[dict[str, Any], str]] = [
        ({"t_start": 1.5, "t_end": 1.0}, "invalid_range"),
        ({"t_start": 1.0, "t_end": 1.1}, "range_too_short"),
        ({"t_start": 0.0, "t_end": 45.0}, "range_too_long"),
        ({"joints": ["right_knee", "tail"]}, "unknown_joint"),
    ]
    for bad, code in cases:
        resp = await post(_body(mine, **bad))
        assert resp.status_code == 422, (bad, resp.text)
        assert resp.json()["error"]["code"] == code, resp.text
    resp = await post(_body(mine, t_start=-1))
    assert resp.status_code == 422
    resp = await post(_body(mine, technique="dance"))  # technique types are a fixed list
    assert resp.status_code == 422 and "technique" in resp.text


async def test_students_see_ready_references_and_the_instructor_sees_all(
    client: httpx.AsyncClient, auth_headers: Any, instructor: Any, student: Any, make_reference: Any
) -> None:
    ready = make_reference(instructor)
    pending = make_reference(instructor, status=JobStatus.pending)
    failed = make_reference(instructor, status=JobStatus.failed)
    url = f"{API}/references?instructor_id={instructor.id}"

    public = (await client.get(url)).json()
    assert [r["id"] for r in public["items"]] == [str(ready.id)]
    as_student = (await client.get(url, headers=auth_headers(student))).json()
    assert [r["id"] for r in as_student["items"]] == [str(ready.id)]
    own = (await client.get(url + "&limit=2", headers=auth_headers(instructor))).json()
    assert [r["id"] for r in own["items"]] == [str(failed.id), str(pending.id)]
    rest = (
        await client.get(url + f"&limit=2&cursor={own['next_cursor']}", headers=auth_headers(instructor))
    ).json()
    assert [r["id"] for r in rest["items"]] == [str(ready.id)] and rest["next_cursor"] is None

    assert (await client.get(f"{API}/references/{ready.id}")).status_code == 200
    hidden = await client.get(f"{API}/references/{pending.id}", headers=auth_headers(student))
    assert hidden.status_code == 404
    shown = await client.get(f"{API}/references/{pending.id}", headers=auth_headers(instructor))
    assert shown.status_code == 200 and shown.json()["status"] == "pending"
