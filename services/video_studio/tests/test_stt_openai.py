"""The OpenAI speech-to-text client against a local stand-in that speaks OpenAI's real
`POST /v1/audio/transcriptions` protocol (multipart form in, `verbose_json` out), so the
official SDK's code path runs end to end."""

from __future__ import annotations

import json
import wave
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any

import pytest

from video_studio.providers import ProviderError, make_speech_to_text
from video_studio.providers.openai_stt import OpenAISpeechToText, language_code

API_KEY = "sk-test-local-stand-in"

VERBOSE = {
    "task": "transcribe",
    "language": "italian",
    "duration": 4.2,
    "text": "Oggi alleniamo mae geri. Poi gyaku zuki.",
    "segments": [
        {"id": 0, "seek": 0, "start": 0.0, "end": 2.4, "text": " Oggi alleniamo mae geri.", "tokens": [1, 2],
         "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01},
        {"id": 1, "seek": 0, "start": 2.4, "end": 4.2, "text": " Poi gyaku zuki.", "tokens": [3],
         "temperature": 0.0, "avg_logprob": -0.4, "compression_ratio": 1.0, "no_speech_prob": 0.02},
    ],
    "words": [
        {"word": "Oggi", "start": 0.0, "end": 0.4}, {"word": "alleniamo", "start": 0.4, "end": 1.1},
        {"word": "mae", "start": 1.2, "end": 1.5}, {"word": "geri", "start": 1.5, "end": 2.3},
        {"word": "Poi", "start": 2.5, "end": 2.8}, {"word": "gyaku", "start": 2.9, "end": 3.4},
        {"word": "zuki", "start": 3.4, "end": 4.0},
    ],
    "usage": {"type": "duration", "seconds": 5},
}  # fmt: skip


class StandIn:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.status = 200


@pytest.fixture
def openai_stand_in(media: Any) -> Iterator[tuple[str, StandIn]]:
    state = StandIn()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            length = int(self.headers["Content-Length"])
            body = self.rfile.read(length)
            head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
            message = BytesParser(policy=HTTP).parsebytes(head + body)
            fields: dict[str, list[str]] = {}
            files: dict[str, tuple[str | None, bytes]] = {}
            for part in message.iter_parts():
                name = part.get_param("name", header="content-disposition")
                payload = part.get_payload(decode=True) or b""
                if part.get_filename():
                    files[str(name)] = (part.get_filename(), payload)
                else:
                    fields.setdefault(str(name), []).append(payload.decode())
            state.requests.append(
                {
                    "path": self.path,
                    "auth": self.headers.get("Authorization"),
                    "fields": fields,
                    "files": files,
                }
            )
            if self.headers.get("Authorization") != f"Bearer {API_KEY}":
                error = {"message": "Incorrect API key provided", "type": "invalid_request_error",
                         "param": None, "code": "invalid_api_key"}  # fmt: skip
                self._json(401, {"error": error})
                return
            if self.path != "/v1/audio/transcriptions" or "file" not in files:
                self._json(400, {"error": {"message": "bad request", "type": "invalid_request_error"}})
                return
            self._json(state.status, VERBOSE if state.status == 200 else {"error": {"message": "boom"}})

        def _json(self, status: int, data: object) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    for url in media.serve_local(Handler):
        yield url + "/v1", state


def _wav(path: Path, seconds: float = 0.5) -> Path:
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(16000)
        out.writeframes(b"\x00\x00" * int(16000 * seconds))
    return path


def test_openai_transcription_sends_the_documented_form_and_parses_verbose_json(
    openai_stand_in: tuple[str, StandIn], tmp_path: Path
) -> None:
    base_url, state = openai_stand_in
    stt = make_speech_to_text("openai", api_key=API_KEY, base_url=base_url)
    transcript = stt.transcribe(_wav(tmp_path / "speech.wav"), language="it", prompt="mae geri, gyaku zuki")

    sent = state.requests[-1]
    assert sent["path"] == "/v1/audio/transcriptions"
    assert sent["fields"]["model"] == ["whisper-1"]
    assert sent["fields"]["response_format"] == ["verbose_json"]
    assert sorted(sent["fields"]["timestamp_granularities[]"]) == ["segment", "word"]
    assert sent["fields"]["language"] == ["it"]
    assert sent["fields"]["prompt"] == ["mae geri, gyaku zuki"]
    filename, payload = sent["files"]["file"]
    assert filename == "speech.wav" and payload.startswith(b"RIFF")

    assert transcript.provider == "openai" and transcript.model == "whisper-1"
    assert transcript.language == "it"  # whisper-1 says "italian"
    assert transcript.duration_s == pytest.approx(4.2)
    assert [s.text for s in transcript.segments] == ["Oggi alleniamo mae geri.", "Poi gyaku zuki."]
    assert [w.text for w in transcript.segments[0].words] == ["Oggi", "alleniamo", "mae", "geri"]
    assert [w.text for w in transcript.segments[1].words] == ["Poi", "gyaku", "zuki"]
    assert transcript.segments[1].words[1].start == pytest.approx(2.9)
    assert 0 < (transcript.segments[0].confidence or 0) <= 1


def test_openai_wrong_key_is_a_non_retryable_provider_error(
    openai_stand_in: tuple[str, StandIn], tmp_path: Path
) -> None:
    base_url, _ = openai_stand_in
    stt = OpenAISpeechToText(api_key="sk-wrong", base_url=base_url, max_retries=0)
    with pytest.raises(ProviderError) as raised:
        stt.transcribe(_wav(tmp_path / "a.wav"))
    assert raised.value.code == "auth_failed" and not raised.value.retryable


def test_openai_server_error_is_a_retryable_provider_error(
    openai_stand_in: tuple[str, StandIn], tmp_path: Path
) -> None:
    base_url, state = openai_stand_in
    state.status = 503
    stt = OpenAISpeechToText(api_key=API_KEY, base_url=base_url, max_retries=0)
    with pytest.raises(ProviderError) as raised:
        stt.transcribe(_wav(tmp_path / "a.wav"))
    assert raised.value.code == "stt_failed" and raised.value.retryable


def test_openai_provider_needs_a_key_and_known_names() -> None:
    with pytest.raises(ValueError):
        make_speech_to_text("openai")
    with pytest.raises(ValueError):
        make_speech_to_text("watson")
    assert language_code("English") == "en" and language_code("it-IT") == "it" and language_code("") is None
