"""Documents are an UploadKind of app/uploads: an interrupted upload resumes (only the missing
parts are signed again), and the one reaper aborts uploads never completed and drops their rows."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable
from datetime import timedelta
from functools import partial

import httpx
import pytest

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.knowledge import pipeline
from app.knowledge.models import KnowledgeDocument, KnowledgeJob
from app.uploads import reap_every_kind
from app.uploads.tasks import reap_abandoned
from tests.knowledge.conftest import API
from tests.media.helpers import put_part

Headers = Callable[[User], dict[str, str]]
MIB = 1024 * 1024


async def _start(client: httpx.AsyncClient, headers: dict[str, str], size: int) -> dict[str, object]:
    start = await client.post(
        f"{API}/documents",
        json={"title": "Scheda", "filename": "scheda.png", "content_type": "image/png", "size_bytes": size},
        headers=headers,
    )
    assert start.status_code == 201, start.text
    body: dict[str, object] = start.json()
    return body


async def test_an_interrupted_document_upload_resumes_with_only_the_missing_parts(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "studio_upload_part_size", 5 * MIB)

    teacher = auth_headers(instructor)
    data = b"\x89PNG\r\n\x1a\n" + b"not really pixels " * 400_000  # ~7.2 MB: two parts
    ticket = await _start(client, teacher, len(data))
    doc_id = ticket["document"]["id"]  # type: ignore[index]
    assert ticket["part_count"] == 2 and ticket["uploaded_parts"] == []
    first = ticket["parts"][0]  # type: ignore[index]
    assert (await put_part(client, first["url"], data[: 5 * MIB])).status_code == 200
    # The connection drops here. Later the client asks what arrived:
    resumed = await client.get(f"{API}/documents/{doc_id}/upload", headers=teacher)
    assert resumed.status_code == 200, resumed.text
    body = resumed.json()
    assert [p["part_number"] for p in body["uploaded_parts"]] == [1]
    assert [p["part_number"] for p in body["parts"]] == [2]
    assert (await put_part(client, body["parts"][0]["url"], data[5 * MIB :])).status_code == 200
    # Nobody else resumes it.
    other = auth_headers(make_user(role=Role.instructor))
    assert (await client.get(f"{API}/documents/{doc_id}/upload", headers=other)).status_code == 404

    stored = (await client.get(f"{API}/documents/{doc_id}/upload", headers=teacher)).json()["uploaded_parts"]
    parts = [{"part_number": p["part_number"], "etag": p["etag"]} for p in stored]
    done = await client.post(f"{API}/documents/{doc_id}/complete", json={"parts": parts}, headers=teacher)
    assert done.status_code == 202, done.text
    info = get_object_store().head(pipeline.document_source_key(uuid.UUID(doc_id)))
    assert info is not None and info.size == len(data)
    assert (await client.get(f"{API}/documents/{doc_id}/upload", headers=teacher)).status_code == 409


async def test_a_document_part_of_the_wrong_size_is_refused_and_the_upload_stays_open(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User
) -> None:
    teacher = auth_headers(instructor)
    ticket = await _start(client, teacher, 1000)
    doc_id = ticket["document"]["id"]  # type: ignore[index]
    (part,) = ticket["parts"]  # type: ignore[misc]
    short = await put_part(client, part["url"], b"x" * 999)
    assert short.status_code >= 400
    resumed = (await client.get(f"{API}/documents/{doc_id}/upload", headers=teacher)).json()
    assert resumed["uploaded_parts"] == [] and len(resumed["parts"]) == 1


async def test_abandoned_document_uploads_are_aborted_and_their_rows_dropped(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    age = 2
    monkeypatch.setattr(settings, "knowledge_upload_abandon_seconds", age)
    teacher = auth_headers(instructor)
    store = get_object_store()
    stale = await _start(client, teacher, 1000)
    orphan_key = pipeline.document_source_key(uuid.uuid4())
    orphan_id = store.create_multipart(orphan_key, "image/png")
    between = utcnow()  # the reaper runs as it would `age` after this: the stale one goes, not the fresh
    fresh = await _start(client, teacher, 1000)
    stale_id, fresh_id = (uuid.UUID(t["document"]["id"]) for t in (stale, fresh))  # type: ignore[index]

    later = between + timedelta(seconds=age)
    report = (await asyncio.to_thread(partial(reap_every_kind, settings, now=later)))["knowledge"]

    aborted = {u.key for u in report.aborted}
    assert {pipeline.document_source_key(stale_id), orphan_key} <= aborted
    assert pipeline.document_source_key(fresh_id) not in aborted and report.errors == 0
    still_open = {u.upload_id for u in store.list_multipart_uploads("knowledge/documents/")}
    assert orphan_id not in still_open
    with sync_session() as session:
        assert session.get(KnowledgeDocument, stale_id) is None
        assert session.get(KnowledgeDocument, fresh_id) is not None
        assert session.query(KnowledgeJob).filter(KnowledgeJob.document_id == stale_id).count() == 0
    gone = await client.get(f"{API}/documents/{stale_id}/upload", headers=teacher)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "document_not_found"
    assert (await client.get(f"{API}/documents/{fresh_id}/upload", headers=teacher)).status_code == 200

    monkeypatch.setattr(settings, "knowledge_upload_abandon_seconds", 3600)  # the fresh one stays
    assert reap_abandoned.apply().get() == 0  # the one beat task, every kind: nothing stale is left
