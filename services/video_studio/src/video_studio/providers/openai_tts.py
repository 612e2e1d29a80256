"""OpenAI text-to-speech through the official `openai` SDK (`POST /v1/audio/speech`), WAV out.

OpenAI's voices are its own (no cloning): the dub converts them toward the profile like espeak-ng's.
`speed` (0.25-4.0) carries the rate that fits a segment's slot.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

from video_studio.providers.audio import read_wav_bytes
from video_studio.providers.base import LanguageSupport, ProviderError, SpeechAudio, Voice

DEFAULT_TTS_MODEL: Final = "gpt-4o-mini-tts"
DEFAULT_TTS_VOICE: Final = "alloy"


@dataclass
class OpenAITextToSpeech:
    api_key: str
    base_url: str | None = None
    model_name: str = DEFAULT_TTS_MODEL
    voice_name: str = DEFAULT_TTS_VOICE
    timeout_s: float = 120.0
    max_retries: int = 2
    name: str = "openai"

    def supports(self, language: str) -> LanguageSupport:
        return LanguageSupport(True)  # the model reads the text's language itself

    def default_voice(self, language: str) -> Voice:
        return Voice(self.voice_name)

    def _client(self) -> Any:
        import openai

        return openai.OpenAI(
            api_key=self.api_key, base_url=self.base_url, timeout=self.timeout_s, max_retries=self.max_retries
        )

    def synthesize(
        self, text: str, *, language: str, voice: Voice | None = None, rate: float = 1.0
    ) -> SpeechAudio:
        import openai

        chosen = voice or self.default_voice(language)
        try:
            response = self._client().audio.speech.create(
                model=self.model_name,
                voice=chosen.id,
                input=text,
                response_format="wav",
                speed=max(0.25, min(4.0, rate)),
            )
            data = response.content
        except openai.AuthenticationError as exc:
            raise ProviderError("OpenAI refused the API key", code="auth_failed", retryable=False) from exc
        except openai.BadRequestError as exc:
            raise ProviderError(
                f"OpenAI refused the text: {exc.message}", code="bad_request", retryable=False
            ) from exc
        except openai.APIError as exc:
            raise ProviderError(f"OpenAI speech failed: {exc.__class__.__name__}", code="tts_failed") from exc
        try:
            samples, sample_rate = read_wav_bytes(bytes(data))
        except (ValueError, EOFError) as exc:
            raise ProviderError("OpenAI answered something that is not WAV audio", code="tts_failed") from exc
        return SpeechAudio(samples, sample_rate, self.name, chosen.id)
