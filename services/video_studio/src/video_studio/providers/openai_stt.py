"""OpenAI transcription through the official `openai` SDK (`/v1/audio/transcriptions`).

`verbose_json` with word and segment timestamps; the base URL is configurable (an
OpenAI-compatible server, or the tests' local stand-in). Files over the API's 25 MB cap are
re-encoded to Opus first; audio too long even then is refused (chunking is not done here).
"""

from __future__ import annotations

import math
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

from video_studio.providers.audio import compact_speech
from video_studio.providers.base import LanguageSupport, ProviderError, Segment, Transcript, Word

MAX_UPLOAD_BYTES: Final = 25 * 1024 * 1024
DEFAULT_MODEL: Final = "whisper-1"

# whisper-1 reports the language by English name; newer models and compatible servers may send
# the code. The names of the languages we handle, plus the common European ones.
_LANGUAGE_NAMES: Final = {
    "english": "en", "italian": "it", "japanese": "ja", "french": "fr", "german": "de",
    "spanish": "es", "portuguese": "pt", "dutch": "nl",
}  # fmt: skip


def language_code(value: str | None) -> str | None:
    if not value:
        return None
    lowered = value.strip().lower()
    if lowered in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[lowered]
    primary = lowered.replace("_", "-").split("-", 1)[0]
    return primary if len(primary) == 2 and primary.isalpha() else None


@dataclass
class OpenAISpeechToText:
    api_key: str
    base_url: str | None = None  # None: the SDK's default (api.openai.com)
    model_name: str = DEFAULT_MODEL
    timeout_s: float = 300.0
    max_retries: int = 2
    name: str = "openai"

    @property
    def model(self) -> str:
        return self.model_name

    def supports(self, language: str) -> LanguageSupport:
        return LanguageSupport(True)

    def _client(self) -> Any:
        import openai

        return openai.OpenAI(
            api_key=self.api_key, base_url=self.base_url, timeout=self.timeout_s, max_retries=self.max_retries
        )

    def transcribe(
        self, audio: Path, *, language: str | None = None, prompt: str | None = None
    ) -> Transcript:
        import openai

        with tempfile.TemporaryDirectory(prefix="stt-upload-") as tmp:
            upload = audio
            if audio.stat().st_size > MAX_UPLOAD_BYTES:
                upload = compact_speech(audio, Path(tmp) / "speech.ogg")
                if upload.stat().st_size > MAX_UPLOAD_BYTES:
                    raise ProviderError(
                        "the audio is too long for one OpenAI transcription request",
                        code="audio_too_long",
                        retryable=False,
                    )
            extra: dict[str, Any] = {}
            if language:
                extra["language"] = language
            if prompt:
                extra["prompt"] = prompt
            try:
                with upload.open("rb") as handle:
                    response = self._client().audio.transcriptions.create(
                        file=(upload.name, handle),
                        model=self.model_name,
                        response_format="verbose_json",
                        timestamp_granularities=["word", "segment"],
                        **extra,
                    )
            except openai.AuthenticationError as exc:
                raise ProviderError(
                    "OpenAI refused the API key", code="auth_failed", retryable=False
                ) from exc
            except openai.BadRequestError as exc:
                raise ProviderError(
                    f"OpenAI refused the audio: {exc.message}", code="bad_request", retryable=False
                ) from exc
            except openai.APIError as exc:  # connection errors, timeouts, 5xx, rate limits
                raise ProviderError(
                    f"OpenAI transcription failed: {exc.__class__.__name__}", code="stt_failed"
                ) from exc
        return parse_verbose(response, provider=self.name, model=self.model_name, language=language)


def parse_verbose(response: Any, *, provider: str, model: str, language: str | None) -> Transcript:
    """A `TranscriptionVerbose` -> Transcript; top-level words are given to the segment whose
    time range holds their midpoint."""
    words = [
        Word(str(w.word).strip(), round(float(w.start), 3), round(float(w.end), 3))
        for w in (getattr(response, "words", None) or ())
        if str(w.word).strip()
    ]
    raw_segments = list(getattr(response, "segments", None) or ())
    full_text = str(getattr(response, "text", None) or "")
    if not raw_segments and full_text.strip():
        end = max((w.end for w in words), default=float(getattr(response, "duration", None) or 0.0))
        raw_segments = [_Plain(0.0, end, full_text, None)]
    segments = []
    for k, s in enumerate(raw_segments):
        start, end = float(s.start), float(s.end)
        last = k == len(raw_segments) - 1
        inside = tuple(
            w
            for w in words
            if start <= (w.start + w.end) / 2 < end or (last and (w.start + w.end) / 2 >= start)
        )
        logprob = getattr(s, "avg_logprob", None)
        confidence = round(min(1.0, math.exp(float(logprob))), 4) if logprob is not None else None
        segments.append(Segment(round(start, 3), round(end, 3), str(s.text).strip(), inside, confidence))
    detected = language_code(getattr(response, "language", None)) or language
    return Transcript(
        language=detected,
        language_probability=None,
        duration_s=round(float(getattr(response, "duration", 0.0) or 0.0), 3),
        segments=tuple(segments),
        provider=provider,
        model=model,
    )


@dataclass(frozen=True)
class _Plain:
    start: float
    end: float
    text: str
    avg_logprob: float | None
