"""Voice recordings are an UploadKind of app/uploads: an upload cut off part-way resumes with the
parts already stored and fresh URLs for only the missing ones (the documents' resume shape)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import Role, User
from app.core.config import Settings
from app.core.storage import get_object_store
from app.voice import keys
from tests.voice.conftest import API, local_path, new_profile

Headers = Callable[[User], dict[str, str]]
MIB = 1024 * 1024


async def test_an_interrupted_sample_upload_resumes_with_only_the_missing_parts(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "voice_upload_part_size", 5 * MIB)
    teacher = auth_headers(instructor)
    profile = await new_profile(client, teacher)
    data = b"RIFF" + bytes(range(256)) * 28_000  # ~7.2 MB: two parts
    started = await client.post(
        f"{API}/profiles/{profile['id']}/samples",
        json={"filename": "take.wav", "content_type": "audio/wav", "size_bytes": len(data)},
        headers=teacher,
    )
    assert started.status_code == 201, started.text
    ticket: dict[str, Any] = started.json()
    sample_id = ticket["sample"]["id"]
    assert ticket["upload"]["part_count"] == 2 and ticket["upload"]["uploaded_parts"] == []
    first = ticket["upload"]["parts"][0]
    assert (await client.put(local_path(first["url"]), content=data[: 5 * MIB])).status_code == 200
    # The connection drops here. Later the client asks what arrived:
    resume_url = f"{API}/profiles/{profile['id']}/samples/{sample_id}/upload"
    resumed = await client.get(resume_url, headers=teacher)
    assert resumed.status_code == 200, resumed.text
    body = resumed.json()
    assert body["sample"]["id"] == sample_id
    assert [p["part_number"] for p in body["upload"]["uploaded_parts"]] == [1]
    assert [p["part_number"] for p in body["upload"]["parts"]] == [2]
    second = body["upload"]["parts"][0]
    assert (await client.put(local_path(second["url"]), content=data[5 * MIB :])).status_code == 200
    # Nobody else resumes it.
    other = auth_headers(make_user(role=Role.instructor))
    assert (await client.get(resume_url, headers=other)).status_code == 404

    stored = (await client.get(resume_url, headers=teacher)).json()["upload"]
    assert [p["part_number"] for p in stored["uploaded_parts"]] == [1, 2] and stored["parts"] == []
    parts = [{"part_number": p["part_number"], "etag": p["etag"]} for p in stored["uploaded_parts"]]
    done = await client.post(
        f"{API}/profiles/{profile['id']}/samples/{sample_id}/complete", json={"parts": parts}, headers=teacher
    )
    assert done.status_code == 200, done.text
    info = get_object_store().head(keys.sample_source(uuid.UUID(sample_id)))
    assert info is not None and info.size == len(data)
    again = await client.get(resume_url, headers=teacher)
    assert again.status_code == 409 and again.json()["error"]["code"] == "upload_already_completed"
