"""A real Celery worker on the `coach` queue answers while the API streams: the question is
recorded and enqueued (202), the worker streams the vendor's reply (a stand-in sending a token
every 0.1 s) and the conversation's SSE stream carries it in several `token` events, then `done`."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import User
from tests.coach.conftest import Headers, ask, events, new_conversation, reply_text
from tests.support.llm_standin import DEFAULT_REPLY, llm_stand_in

pytestmark = pytest.mark.slow


async def test_a_worker_streams_the_reply_to_the_conversation_while_it_is_written(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    worker_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with llm_stand_in() as (base, state):
        state.delay_s = 0.1
        monkeypatch.setenv("OPENAI_API_KEY", "sk-standin")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{base}/v1")
        monkeypatch.setenv("COACH_PROVIDER", "openai")
        worker_factory(queues=("coach",))
        headers = auth_headers(student)
        conversation_id = await new_conversation(client, headers)
        resp = await ask(client, headers, conversation_id, "How do I chamber a front kick?")
        assert resp.status_code == 202
        stream = await asyncio.wait_for(events(client, headers, conversation_id), 90)
    message_id = resp.json()["message_id"]
    tokens = [data for name, data in stream if name == "token"]
    assert len(tokens) >= 3  # arrived in pieces while the worker wrote them
    assert reply_text(stream, message_id) == DEFAULT_REPLY
    assert [name for name, _ in stream][-2:] == ["done", "end"]
    assert dict(stream)["done"]["status"] == "done"
