"""One coach worker holds many chats at once: a real Celery worker with the production pool
(threads; docker-compose.prod.yml worker-coach) answers 20 questions sent together, each reply
streamed by the OpenAI stand-in at a realistic pace, and all 20 are being written at the same time
(the stand-in counts the replies it streams at once). `make bench` shows the same for 100."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import User
from tests.coach.conftest import Headers, ask, events, new_conversation, reply_text
from tests.support.llm_standin import llm_stand_in

pytestmark = pytest.mark.slow

CHATS = 20
REPLY = " ".join(f"word{k}" for k in range(40))  # 40 tokens, 0.1 s apart: 4 s per reply


async def test_one_threads_worker_holds_twenty_replies_at_once(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    worker_factory: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with llm_stand_in() as (base, state):
        state.delay_s, state.reply = 0.1, REPLY
        monkeypatch.setenv("OPENAI_API_KEY", "sk-standin")
        monkeypatch.setenv("OPENAI_BASE_URL", f"{base}/v1")
        monkeypatch.setenv("COACH_PROVIDER", "openai")
        worker_factory(queues=("coach",), pool="threads", concurrency=CHATS)
        students = [auth_headers(make_user()) for _ in range(CHATS)]  # per-user limits stay as they are
        conversations = await asyncio.gather(*(new_conversation(client, h) for h in students))
        asked = await asyncio.gather(
            *(ask(client, h, c, f"question {k}: how do I chamber a front kick?")
              for k, (h, c) in enumerate(zip(students, conversations, strict=True)))
        )  # fmt: skip
        assert all(r.status_code == 202 for r in asked), [r.text for r in asked]
        streams = await asyncio.wait_for(
            asyncio.gather(*(events(client, h, c) for h, c in zip(students, conversations, strict=True))), 120
        )
        most = state.most_open_streams
    for resp, stream in zip(asked, streams, strict=True):
        assert reply_text(stream, resp.json()["message_id"]) == REPLY
        assert dict(stream)["done"]["status"] == "done"
    assert most == CHATS, f"only {most} of {CHATS} replies were streamed at once"
