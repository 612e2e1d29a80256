"""Text-to-speech providers: espeak-ng for real; OpenAI's `POST /v1/audio/speech` and an
ElevenLabs-style cloning API against local stand-ins speaking those protocols."""

from __future__ import annotations

import io
import json
import wave
from collections.abc import Iterator
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import numpy as np
import pytest

from video_studio.providers import ProviderError, TextToSpeech, Voice, VoiceCloner, make_text_to_speech
from video_studio.providers.elevenlabs_tts import ElevenLabsVoiceCloning

KEY = "sk-test-local-stand-in"


def _dominant_pitch(samples: np.ndarray[Any, Any], rate: int) -> float:
    import pyworld

    f0, _ = pyworld.dio(samples.astype(np.float64), rate)
    return float(np.median(f0[f0 > 0]))


def test_espeak_speaks_italian_and_english_and_rate_shortens_the_speech() -> None:
    tts = make_text_to_speech("offline")
    assert isinstance(tts, TextToSpeech)
    it = tts.synthesize("Oggi alleniamo il calcio frontale.", language="it")
    en = tts.synthesize("Today we train the front kick.", language="en")
    fast = tts.synthesize("Oggi alleniamo il calcio frontale.", language="it", rate=1.6)
    assert it.voice == "it" and en.voice == "en-us" and it.provider == "espeak-ng"
    assert 1.0 < it.duration_s < 4.0 and 1.0 < en.duration_s < 4.0
    assert fast.duration_s < it.duration_s * 0.75
    assert float(np.sqrt(np.mean(it.samples**2))) > 0.05  # speech, not silence
    high = tts.synthesize("Oggi alleniamo.", language="it", voice=Voice("it", pitch=90))
    low = tts.synthesize("Oggi alleniamo.", language="it", voice=Voice("it", pitch=10))
    assert _dominant_pitch(high.samples, high.sample_rate) > 1.3 * _dominant_pitch(
        low.samples, low.sample_rate
    )
    assert not tts.supports("ja").supported


class Recorder:
    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []


def _tone_pcm(seconds: float, rate: int) -> bytes:
    t = np.arange(int(seconds * rate)) / rate
    return (0.3 * np.sin(2 * np.pi * 200 * t) * 32767).astype("<i2").tobytes()


@pytest.fixture
def openai_speech(media: Any) -> Iterator[tuple[str, Recorder]]:
    state = Recorder()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def do_POST(self) -> None:
            body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            state.requests.append(
                {"path": self.path, "auth": self.headers.get("Authorization"), "body": body}
            )
            if self.headers.get("Authorization") != f"Bearer {KEY}":
                self._reply(
                    401,
                    b'{"error": {"message": "bad key", "type": "invalid_request_error"}}',
                    "application/json",
                )
                return
            if self.path != "/v1/audio/speech" or not body.get("input"):
                self._reply(400, b'{"error": {"message": "bad request"}}', "application/json")
                return
            out = io.BytesIO()
            with wave.open(out, "wb") as w:  # what the API sends for response_format=wav: 24 kHz mono
                w.setnchannels(1)
                w.setsampwidth(2)
                w.setframerate(24000)
                w.writeframes(_tone_pcm(1.5 / float(body.get("speed", 1.0)), 24000))
            self._reply(200, out.getvalue(), "audio/wav")

        def _reply(self, status: int, data: bytes, kind: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    for url in media.serve_local(Handler):
        yield url + "/v1", state


def test_openai_tts_sends_the_documented_request_and_reads_the_wav(
    openai_speech: tuple[str, Recorder],
) -> None:
    url, state = openai_speech
    tts = make_text_to_speech("openai", api_key=KEY, base_url=url, voice="nova")
    audio = tts.synthesize("Oggi alleniamo.", language="it", rate=1.5)
    sent = state.requests[-1]
    assert sent["path"] == "/v1/audio/speech" and sent["auth"] == f"Bearer {KEY}"
    assert sent["body"]["input"] == "Oggi alleniamo." and sent["body"]["voice"] == "nova"
    assert sent["body"]["response_format"] == "wav" and sent["body"]["speed"] == 1.5
    assert sent["body"]["model"] == "gpt-4o-mini-tts"
    assert audio.sample_rate == 24000 and abs(audio.duration_s - 1.0) < 0.01


def test_openai_tts_wrong_key_is_a_permanent_provider_error(openai_speech: tuple[str, Recorder]) -> None:
    url, _ = openai_speech
    tts = make_text_to_speech("openai", api_key="sk-wrong", base_url=url)
    with pytest.raises(ProviderError) as caught:
        tts.synthesize("ciao", language="it")
    assert caught.value.code == "auth_failed" and not caught.value.retryable


@pytest.fixture
def elevenlabs(media: Any) -> Iterator[tuple[str, Recorder]]:
    state = Recorder()
    voices: dict[str, str] = {}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args: object) -> None:
            pass

        def _authorised(self) -> bool:
            if self.headers.get("xi-api-key") != KEY:
                self._json(401, {"detail": {"status": "invalid_api_key", "message": "Invalid API key"}})
                return False
            return True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if not self._authorised():
                return
            url = urlparse(self.path)
            if url.path == "/v1/voices/add":
                head = f"Content-Type: {self.headers['Content-Type']}\r\n\r\n".encode()
                message = BytesParser(policy=HTTP).parsebytes(head + body)
                fields, files = {}, []
                for part in message.iter_parts():
                    name = part.get_param("name", header="content-disposition")
                    payload = part.get_payload(decode=True) or b""
                    if part.get_filename():
                        files.append((name, part.get_filename(), len(payload)))
                    else:
                        fields[str(name)] = payload.decode()
                state.requests.append({"path": url.path, "fields": fields, "files": files})
                voice_id = f"cloned{len(voices) + 1}"
                voices[voice_id] = fields["name"]
                self._json(200, {"voice_id": voice_id, "requires_verification": False})
            elif url.path.startswith("/v1/text-to-speech/"):
                voice_id = url.path.rsplit("/", 1)[1]
                payload = json.loads(body)
                query = parse_qs(url.query)
                state.requests.append({"path": url.path, "json": payload, "query": query})
                if voice_id not in voices:
                    self._json(
                        404,
                        {
                            "detail": {
                                "status": "voice_not_found",
                                "message": "A voice with that id was not found",
                            }
                        },
                    )
                    return
                rate = int(query["output_format"][0].split("_")[1])
                raw = _tone_pcm(2.0, rate)
                self.send_response(200)
                self.send_header("Content-Type", "application/octet-stream")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)
            else:
                self._json(404, {"detail": "Not Found"})

        def do_DELETE(self) -> None:
            if not self._authorised():
                return
            voice_id = self.path.rsplit("/", 1)[1]
            state.requests.append({"path": self.path, "method": "DELETE"})
            if voices.pop(voice_id, None) is None:
                self._json(404, {"detail": {"status": "voice_not_found", "message": "not found"}})
                return
            self._json(200, {"status": "ok"})

        def _json(self, status: int, data: object) -> None:
            raw = json.dumps(data).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

    for url in media.serve_local(Handler):
        yield url, state


def test_elevenlabs_clones_from_samples_speaks_in_the_clone_and_deletes_it(
    elevenlabs: tuple[str, Recorder], tmp_path: Path
) -> None:
    url, state = elevenlabs
    tts = make_text_to_speech("elevenlabs", api_key=KEY, base_url=url)
    assert isinstance(tts, ElevenLabsVoiceCloning) and isinstance(tts, VoiceCloner)
    samples = [tmp_path / "a.wav", tmp_path / "b.wav"]
    for path in samples:
        path.write_bytes(b"RIFF" + b"\x00" * 400)
    voice = tts.clone("Maestro Rossi", samples, description="consented 2026-11-29")
    upload = state.requests[0]
    assert voice.id == "cloned1" and upload["fields"]["name"] == "Maestro Rossi"
    assert [(f[0], f[1]) for f in upload["files"]] == [("files", "a.wav"), ("files", "b.wav")]
    audio = tts.synthesize("Oggi alleniamo.", language="it", voice=voice)
    spoken = state.requests[1]
    assert spoken["path"] == "/v1/text-to-speech/cloned1" and spoken["query"]["output_format"] == [
        "pcm_24000"
    ]
    assert (
        spoken["json"]["text"] == "Oggi alleniamo." and spoken["json"]["model_id"] == "eleven_multilingual_v2"
    )
    assert audio.sample_rate == 24000 and abs(audio.duration_s - 2.0) < 0.01
    tts.delete_voice(voice)
    with pytest.raises(ProviderError) as gone:
        tts.synthesize("ancora", language="it", voice=voice)
    assert gone.value.code == "bad_request" and "not found" in str(gone.value)


def test_elevenlabs_wrong_key_and_missing_voice_are_permanent_errors(
    elevenlabs: tuple[str, Recorder],
) -> None:
    url, _ = elevenlabs
    with pytest.raises(ProviderError) as caught:
        make_text_to_speech("elevenlabs", api_key="wrong", base_url=url).synthesize(
            "ciao", language="it", voice=Voice("x")
        )
    assert caught.value.code == "auth_failed" and not caught.value.retryable
    with pytest.raises(ProviderError) as no_voice:
        make_text_to_speech("elevenlabs", api_key=KEY, base_url=url).synthesize("ciao", language="it")
    assert no_voice.value.code == "no_voice"


def test_factory_refuses_cloud_tts_without_a_key_and_unknown_names() -> None:
    with pytest.raises(ValueError, match="API key"):
        make_text_to_speech("openai")
    with pytest.raises(ValueError, match="unknown"):
        make_text_to_speech("festival")
