"""Voice questions: espeak-ng speech through the offline recogniser (the bundled Whisper), and
every kind of bad audio refused with a clear error."""

from __future__ import annotations

import io
import wave
from collections.abc import Callable
from pathlib import Path

import httpx
import pytest

from app.auth.models import User
from app.core.config import Settings
from tests.coach.conftest import API, Headers, events, new_conversation

pytestmark = pytest.mark.slow


def _silence(seconds: float, rate: int = 16000) -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as writer:
        writer.setnchannels(1)
        writer.setsampwidth(2)
        writer.setframerate(rate)
        writer.writeframes(b"\x00\x00" * int(seconds * rate))
    return out.getvalue()


async def _send(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, data: bytes, content_type: str
) -> httpx.Response:
    return await client.post(
        f"{API}/transcribe",
        data={"conversation_id": conversation_id},
        files={"audio": ("question", data, content_type)},
        headers=headers,
    )


@pytest.mark.parametrize(
    ("voice", "sentence", "words"),
    [
        ("en", "How do I keep my balance in the front kick?", {"balance", "front", "kick"}),
        ("it", "Come mantengo l'equilibrio nel calcio frontale?", {"equilibrio", "calcio", "frontale"}),
    ],
)
async def test_a_spoken_question_comes_back_as_text_in_its_language(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    speak: Callable[[str, str], Path],
    voice: str,
    sentence: str,
    words: set[str],
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await _send(client, headers, conversation_id, speak(sentence, voice).read_bytes(), "audio/wav")
    assert resp.status_code == 200, resp.text  # short: answered at once
    body = resp.json()
    heard = set(body["text"].lower().replace("?", " ").replace(",", " ").replace(".", " ").split())
    assert len(words & heard) >= 2, body["text"]
    assert body["status"] == "done" and body["language"] == voice and 0 < body["confidence"] <= 1
    transcript = dict(await events(client, headers, conversation_id))["transcript"]
    assert transcript["transcription_id"] == body["transcription_id"] and transcript["text"] == body["text"]


async def test_bad_audio_gets_a_clear_error(
    client: httpx.AsyncClient, auth_headers: Headers, student: User
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    cases = [
        (b"", "audio/webm", 422, "audio_empty"),
        (b"this is not audio at all", "audio/webm", 415, "audio_unsupported"),
        (_silence(1.0), "text/plain", 415, "audio_unsupported"),
        (_silence(61.0), "audio/wav", 422, "audio_too_long"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * 9 * 1024 * 1024, "audio/webm", 413, "audio_too_large"),
    ]
    for data, content_type, status, code in cases:
        resp = await _send(client, headers, conversation_id, data, content_type)
        assert (resp.status_code, resp.json()["error"]["code"]) == (status, code), resp.text
        assert resp.json()["error"]["message"]


async def test_audio_that_cannot_be_decoded_fails_in_the_worker_with_a_reason(
    client: httpx.AsyncClient, auth_headers: Headers, student: User
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await _send(client, headers, conversation_id, b"\x1a\x45\xdf\xa3" + b"\x07" * 4000, "audio/webm")
    assert resp.status_code == 200
    body = resp.json()
    assert body["status"] == "failed" and body["error"]["code"] == "audio_unreadable"
    assert body["error"]["message"].startswith("The recording could not be decoded")


async def test_silence_is_no_speech(client: httpx.AsyncClient, auth_headers: Headers, student: User) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    body = (await _send(client, headers, conversation_id, _silence(2.0), "audio/wav")).json()
    assert body["status"] == "failed" and body["error"]["code"] == "no_speech"


async def test_a_transcript_not_ready_in_time_answers_202_and_can_be_polled(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The task is not sent here (no worker answers): the request waits its half second, then 202."""
    monkeypatch.setattr(settings, "coach_transcribe_wait_seconds", 0.5)
    monkeypatch.setattr("app.worker.dispatch.enqueue", lambda *args, **kwargs: "not-sent")
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await _send(client, headers, conversation_id, _silence(1.0), "audio/wav")
    assert resp.status_code == 202, resp.text
    body = resp.json()
    assert body["status"] == "pending" and body["text"] == "" and body["error"] is None
    polled = await client.get(f"{API}/transcriptions/{body['transcription_id']}", headers=headers)
    assert polled.status_code == 200 and polled.json()["status"] == "pending"
