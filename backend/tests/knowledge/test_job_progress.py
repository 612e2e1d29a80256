"""Extraction progress goes through app/progress: the runner publishes each compute stage
(read, classify, ...) on the job's channel with a rising percent, and GET /jobs/{id}/events
streams it, ending with the job's final state."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app import progress
from app.auth.models import Role, User
from app.knowledge import service
from tests.knowledge.conftest import API
from tests.knowledge.test_documents import _upload, text_pdf
from tests.support.sse import parse_events

Headers = Callable[[User], dict[str, str]]


async def test_an_extraction_publishes_its_stages_and_its_stream_ends_with_the_result(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Callable[..., User],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    published: list[tuple[str, dict[str, Any]]] = []
    real_publish = progress.publish

    def record(channel: str, payload: progress.State) -> None:
        published.append((channel, dict(payload)))
        real_publish(channel, payload)

    monkeypatch.setattr(progress, "publish", record)
    teacher = auth_headers(instructor)
    data = text_pdf(tmp_path / "m.pdf", ["Mae geri: calcio frontale", "Alzare il ginocchio, poi calciare."])
    done = await _upload(client, teacher, data, "application/pdf")
    assert done.status_code == 202, done.text
    job = done.json()
    assert job["status"] == "ready", job  # the task ran inline

    mine = [p for c, p in published if c == service.progress_channel(job["id"])]
    stages = [p["stage"] for p in mine]
    assert stages[0] == "starting" and stages[-1] == "done" and mine[-1]["status"] == "ready"
    assert {"downloading", "read", "classify", "storing"} <= set(stages), stages
    running = [p["percent"] for p in mine if p["status"] == "running"]
    assert running == sorted(running) and running[-1] < 100 and mine[-1]["percent"] == 100

    events = parse_events(
        (await asyncio.wait_for(client.get(f"{API}/jobs/{job['id']}/events", headers=teacher), 30)).text
    )
    assert events[-1] == ("end", {"status": "ready", "percent": 100, "stage": "done", "failure_reason": None})

    listed = (await client.get(f"{API}/jobs", headers=teacher)).json()
    assert job["id"] in [j["id"] for j in listed]
    active = (await client.get(f"{API}/jobs", params={"active": "true"}, headers=teacher)).json()
    assert job["id"] not in [j["id"] for j in active]
    stranger = auth_headers(make_user(role=Role.instructor))
    assert (await client.get(f"{API}/jobs/{job['id']}/events", headers=stranger)).status_code == 404
    assert job["id"] not in [j["id"] for j in (await client.get(f"{API}/jobs", headers=stranger)).json()]
