"""An ElevenLabs-style voice-cloning API over HTTP (httpx): instant cloning from recordings
(`POST /v1/voices/add`, multipart), speech in the cloned voice
(`POST /v1/text-to-speech/{voice_id}?output_format=pcm_<rate>`, raw 16-bit PCM back) and deletion
(`DELETE /v1/voices/{voice_id}`, for revoked consent). Auth is the `xi-api-key` header.

The cloned voice is already the instructor's: the dub does not convert it again. The API has no
rate parameter for the multilingual models, so slot fitting stretches the audio afterwards.
"""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from video_studio.providers.audio import pcm16_to_float
from video_studio.providers.base import LanguageSupport, ProviderError, SpeechAudio, Voice

DEFAULT_BASE_URL: Final = "https://api.elevenlabs.io"
DEFAULT_CLONE_MODEL: Final = "eleven_multilingual_v2"
PCM_RATE: Final = 24_000


@dataclass
class ElevenLabsVoiceCloning:
    api_key: str
    base_url: str = DEFAULT_BASE_URL
    model_id: str = DEFAULT_CLONE_MODEL
    stock_voice: str | None = None  # a premade voice id for speakers without a clone
    timeout_s: float = 120.0
    name: str = "elevenlabs"

    def supports(self, language: str) -> LanguageSupport:
        return LanguageSupport(True)

    def default_voice(self, language: str) -> Voice:
        if not self.stock_voice:
            raise ProviderError(
                "no ElevenLabs voice given: clone one or set a stock voice id",
                code="no_voice",
                retryable=False,
            )
        return Voice(self.stock_voice)

    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        import httpx

        try:
            with httpx.Client(
                base_url=self.base_url, timeout=self.timeout_s, headers={"xi-api-key": self.api_key}
            ) as client:
                response = client.request(method, path, **kwargs)
        except httpx.HTTPError as exc:
            raise ProviderError(
                f"ElevenLabs request failed: {exc.__class__.__name__}", code="tts_failed"
            ) from exc
        if response.status_code == 401:
            raise ProviderError("ElevenLabs refused the API key", code="auth_failed", retryable=False)
        if response.status_code in (400, 404, 422):
            raise ProviderError(
                f"ElevenLabs refused the request: {_detail(response)}", code="bad_request", retryable=False
            )
        if response.status_code >= 400:
            raise ProviderError(f"ElevenLabs answered {response.status_code}", code="tts_failed")
        return response

    def synthesize(
        self, text: str, *, language: str, voice: Voice | None = None, rate: float = 1.0
    ) -> SpeechAudio:
        chosen = voice or self.default_voice(language)
        response = self._request(
            "POST",
            f"/v1/text-to-speech/{chosen.id}",
            params={"output_format": f"pcm_{PCM_RATE}"},
            json={"text": text, "model_id": self.model_id, "language_code": language},
        )
        samples = pcm16_to_float(response.content)
        if len(samples) == 0:
            raise ProviderError("ElevenLabs answered no audio", code="tts_failed")
        return SpeechAudio(samples, PCM_RATE, self.name, chosen.id)

    def clone(self, name: str, samples: list[Path], *, description: str = "") -> Voice:
        with contextlib.ExitStack() as stack:
            files = [
                ("files", (path.name, stack.enter_context(path.open("rb")), "application/octet-stream"))
                for path in samples
            ]
            response = self._request(
                "POST", "/v1/voices/add", data={"name": name, "description": description}, files=files
            )
        voice_id = response.json().get("voice_id")
        if not isinstance(voice_id, str) or not voice_id:
            raise ProviderError("ElevenLabs answered no voice id", code="tts_failed")
        return Voice(voice_id)

    def delete_voice(self, voice: Voice) -> None:
        self._request("DELETE", f"/v1/voices/{voice.id}")


def _detail(response: Any) -> str:
    try:
        detail = response.json().get("detail")
    except ValueError:
        return str(response.text)[:200]
    if isinstance(detail, dict):
        return str(detail.get("message") or detail.get("status") or detail)[:200]
    return str(detail)[:200]
