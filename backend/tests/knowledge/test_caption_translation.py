"""Captions are translated cue by cue: the translation memory first; the LLM (the shared
OpenAI client, here against the local stand-in of the chat.completions protocol) only with a key.
Offline only memory hits become cues, and the answer says so in the instructor's language."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr

from app.auth.models import User
from app.core.config import Settings
from app.knowledge.hls import vtt_cues
from tests.knowledge.conftest import API
from tests.support.llm_standin import llm_stand_in

Headers = Callable[[User], dict[str, str]]
VTT_IT = (
    "WEBVTT\n\n1\n00:00:00.500 --> 00:00:03.000 line:90%\ncalcio frontale\n\n"
    "00:00:03.000 --> 00:00:06.500\nTenere il gomito basso durante la rotazione\n"
)
MACHINE = "Keep the elbow low during the rotation."


async def _italian_track(client: httpx.AsyncClient, teacher: dict[str, str], video_id: Any) -> str:
    made = await client.post(
        f"{API}/videos/{video_id}/captions", json={"lang": "it", "vtt": VTT_IT}, headers=teacher
    )
    assert made.status_code == 201, made.text
    return str(made.json()["id"])


async def test_offline_only_memory_hits_are_translated_and_the_answer_says_so(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Any, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    monkeypatch.setattr(settings, "openai_api_key", None)
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    track_id = await _italian_track(client, teacher, video.id)
    resp = await client.post(
        f"{API}/captions/{track_id}/translate",
        json={"target": "en"},
        headers={**teacher, "Accept-Language": "it"},
    )
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["offline"], body["translated"], body["total"]) == (True, 1, 2)
    assert "memoria di traduzione" in body["message"] and "1 di 2" in body["message"]
    track = body["track"]
    assert (track["lang"], track["source"], track["review_state"]) == ("en", "tm", "unreviewed")
    vtt = (await client.get(f"{API}/captions/{track['id']}", headers=teacher)).text
    assert [(c.timing, c.text) for c in vtt_cues(vtt)] == [
        ("00:00:00.500 --> 00:00:03.000 line:90%", "front kick")
    ]
    assert (await client.get(f"{API}/videos/{video.id}")).json()["captions"] == []  # unreviewed

    same = await client.post(f"{API}/captions/{track_id}/translate", json={"target": "it"}, headers=teacher)
    assert same.status_code == 422 and same.json()["error"]["code"] == "same_language"


async def test_with_a_key_the_llm_translates_what_the_memory_does_not_hold(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Any, settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    track_id = await _italian_track(client, teacher, video.id)
    with llm_stand_in() as (base, state):
        state.reply = MACHINE
        monkeypatch.setattr(settings, "openai_api_key", SecretStr("sk-standin"))
        monkeypatch.setattr(settings, "openai_base_url", f"{base}/v1")
        resp = await client.post(
            f"{API}/captions/{track_id}/translate", json={"target": "en"}, headers=teacher
        )
        requests = [r for r in state.requests if r["path"].endswith("/chat/completions")]
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert (body["offline"], body["translated"], body["total"], body["message"]) == (False, 2, 2, None)
    assert body["track"]["source"] == "machine"
    vtt = (await client.get(f"{API}/captions/{body['track']['id']}", headers=teacher)).text
    assert [c.text for c in vtt_cues(vtt)] == ["front kick", MACHINE]  # the memory's hit, then the LLM's
    assert len(requests) == 1  # only the cue the memory does not hold went to the LLM
    sent = str(requests[0]["body"]["messages"])
    assert "Tenere il gomito basso" in sent and "calcio frontale" not in sent
    assert requests[0]["headers"]["authorization"] == "Bearer sk-standin"


async def test_only_the_videos_instructor_translates_its_captions(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any, make_video: Any
) -> None:
    from app.auth.models import Role

    video = make_video(instructor)
    track_id = await _italian_track(client, auth_headers(instructor), video.id)
    other = auth_headers(make_user(role=Role.instructor))
    denied = await client.post(f"{API}/captions/{track_id}/translate", json={"target": "en"}, headers=other)
    assert denied.status_code == 404


async def test_the_knowledge_apis_errors_answer_in_italian_under_accept_language_it(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_video: Any
) -> None:
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    track_id = await _italian_track(client, teacher, video.id)
    italian = {**teacher, "Accept-Language": "it-IT,it;q=0.9,en;q=0.5"}

    same = await client.post(f"{API}/captions/{track_id}/translate", json={"target": "it"}, headers=italian)
    assert same.status_code == 422
    assert same.json()["error"] == {
        "code": "same_language",
        "message": "I sottotitoli sono già in quella lingua.",
    }

    missing = await client.get(f"{API}/captions/{video.id}", headers=italian)  # a video id, not a track's
    assert missing.status_code == 404
    assert missing.json()["error"] == {
        "code": "caption_not_found",
        "message": "Traccia di sottotitoli non trovata.",
    }

    english = await client.post(
        f"{API}/captions/{track_id}/translate", json={"target": "it"}, headers=teacher
    )
    assert english.json()["error"]["message"] == "The captions are already in that language."
