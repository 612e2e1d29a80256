"""Replies from OpenAI and Anthropic (local stand-ins of their streaming protocols): retrieval feeds
the prompt, the tokens stream to the conversation, usage is billed to the month and the budget
then holds; a failing vendor ends the reply with a clear error; OpenAI moderation refuses."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import httpx
import pytest
from pydantic import SecretStr

from app.auth.models import User
from app.core.config import Settings
from app.media.models import Video
from tests.coach.conftest import API, Headers, ask, events, new_conversation, reply_text
from tests.support.llm_standin import DEFAULT_REPLY, StandInState, llm_stand_in


@pytest.fixture(params=["openai", "anthropic"])
def vendor(
    request: pytest.FixtureRequest, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[StandInState]:
    with llm_stand_in() as (base, state):
        if request.param == "openai":
            monkeypatch.setattr(settings, "openai_api_key", SecretStr("sk-standin"))
            monkeypatch.setattr(settings, "openai_base_url", f"{base}/v1")
        else:
            monkeypatch.setattr(settings, "anthropic_api_key", SecretStr("sk-ant-standin"))
            monkeypatch.setattr(settings, "anthropic_base_url", base)
        monkeypatch.setattr(settings, "coach_provider", request.param)
        yield state


async def test_a_vendor_reply_streams_with_rag_sources_and_bills_the_month(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    vendor: StandInState,
    publish_video: Callable[..., Video],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    video = publish_video(
        "Kokutsu dachi drills", "Weight on the back leg, seventy percent. Hips half facing."
    )
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await ask(client, headers, conversation_id, "Where does my weight go in kokutsu dachi?")
    stream = await events(client, headers, conversation_id)
    message_id = resp.json()["message_id"]
    assert reply_text(stream, message_id) == DEFAULT_REPLY
    assert dict(stream)["done"]["sources"][0]["ref"] == f"video:{video.id}"

    chat = [r for r in vendor.requests if not r["path"].endswith("/moderations")][-1]["body"]
    prompt = (
        chat["messages"][0]["content"]
        if "messages" in chat and chat["messages"][0]["role"] == "system"
        else chat["system"]
    )
    assert "no medical diagnosis" in prompt.lower() or "never give a medical diagnosis" in prompt.lower()
    assert "Answer in English" in prompt and "Kokutsu dachi drills: Weight on the back leg" in prompt

    used = (await client.get(f"{API}/usage", headers=headers)).json()["tokens_used"]
    assert used == vendor.input_tokens + len(vendor.tokens())
    monkeypatch.setattr(settings, "coach_monthly_token_budget", used)
    refused = await ask(client, headers, conversation_id, "And in zenkutsu dachi?")
    assert refused.status_code == 429 and refused.json()["error"]["code"] == "coach_budget_exhausted"


async def test_a_failing_vendor_ends_the_reply_with_an_error(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, vendor: StandInState
) -> None:
    vendor.status = 401  # not retryable: fails at once even on the first attempt
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    message_id = (await ask(client, headers, conversation_id, "how do I punch?")).json()["message_id"]
    done = dict(await events(client, headers, conversation_id))["done"]
    assert done["message_id"] == message_id and done["status"] == "failed"
    assert done["error"]["message"].startswith("The coach could not answer right now")
    assert (await client.get(f"{API}/usage", headers=headers)).json()["tokens_used"] == 0


async def test_openai_moderation_turns_a_flagged_question_into_a_refusal(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with llm_stand_in() as (base, state):
        monkeypatch.setattr(settings, "openai_api_key", SecretStr("sk-standin"))
        monkeypatch.setattr(settings, "openai_base_url", f"{base}/v1")
        headers = auth_headers(student)
        conversation_id = await new_conversation(client, headers)
        message_id = (await ask(client, headers, conversation_id, "FLAGME the instructor")).json()[
            "message_id"
        ]
        stream = await events(client, headers, conversation_id)
    assert dict(stream)["done"]["status"] == "rejected"
    assert reply_text(stream, message_id).startswith("The coach does not answer abusive messages")
    assert [r["path"] for r in state.requests] == ["/v1/moderations"]  # no chat request was made
