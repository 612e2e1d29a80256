"""The instructor's references list follows extraction live (SSE), and a reference can be renamed
and, while nobody has practised it, deleted (issue 18)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import httpx

from app.auth.models import Role, User
from app.core.storage import get_object_store
from app.studio.models import JobStatus, StudioAttempt, StudioReference
from tests.support.sse import parse_events

Headers = Callable[[User], dict[str, str]]


async def test_a_reference_streams_its_state_to_its_instructor_only(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    instructor: User,
    make_reference: Callable[..., StudioReference],
) -> None:
    reference = make_reference(instructor)
    url = f"/api/v1/studio/references/{reference.id}/events"
    resp = await asyncio.wait_for(client.get(url, headers=auth_headers(instructor)), 30)
    assert resp.status_code == 200, resp.text
    events = parse_events(resp.text)
    assert [name for name, _ in events] == ["progress", "end"]
    assert (events[-1][1]["status"], events[-1][1]["percent"]) == ("ready", 100)
    other = make_user(role=Role.instructor)
    assert (await client.get(url, headers=auth_headers(other))).status_code == 404


async def test_rename_and_delete_a_reference_but_never_one_students_practised(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    instructor: User,
    student: User,
    make_reference: Callable[..., StudioReference],
    make_attempt: Callable[..., StudioAttempt],
) -> None:
    h = auth_headers(instructor)
    lone = make_reference(instructor)
    url = f"/api/v1/studio/references/{lone.id}"
    renamed = await client.patch(url, json={"name": "  Yoko geri  "}, headers=h)
    assert renamed.status_code == 200 and renamed.json()["name"] == "Yoko geri"
    assert (await client.patch(url, json={"name": ""}, headers=h)).status_code == 422
    other = make_user(role=Role.instructor)
    assert (await client.patch(url, json={"name": "mine"}, headers=auth_headers(other))).status_code == 404
    assert (await client.delete(url, headers=auth_headers(other))).status_code == 404

    assert lone.skeleton_key is not None
    assert (await client.delete(url, headers=h)).status_code == 204
    assert (await client.get(url, headers=h)).status_code == 404
    assert get_object_store().head(lone.skeleton_key) is None

    practised = make_reference(instructor)
    make_attempt(practised, student, status=JobStatus.ready)
    kept = await client.delete(f"/api/v1/studio/references/{practised.id}", headers=h)
    assert kept.status_code == 409 and kept.json()["error"]["code"] == "reference_has_attempts"
    assert (await client.get(f"/api/v1/studio/references/{practised.id}", headers=h)).status_code == 200


async def test_a_ready_reference_links_its_clip_for_students(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    student: User,
    make_reference: Callable[..., StudioReference],
) -> None:
    from app.db.session import sync_session
    from app.studio import keys

    reference = make_reference(instructor)
    clip_key = keys.reference_clip(reference.id)
    get_object_store().put_bytes(clip_key, b"clip-bytes", "video/mp4")
    with sync_session() as session:
        row = session.get(StudioReference, reference.id)
        assert row is not None
        row.clip_key = clip_key
    got = (
        await client.get(f"/api/v1/studio/references/{reference.id}", headers=auth_headers(student))
    ).json()
    assert got["clip_url"]
    fetched = await client.get(got["clip_url"])
    assert fetched.status_code == 200 and fetched.content == b"clip-bytes"
    pending = make_reference(instructor, status=JobStatus.running)
    mine = (
        await client.get(f"/api/v1/studio/references/{pending.id}", headers=auth_headers(instructor))
    ).json()
    assert mine["clip_url"] is None
