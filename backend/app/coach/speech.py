"""Spoken replies. `synthesize` is the one place a reply becomes speech, through the studio's
text-to-speech providers: OpenAI TTS when OPENAI_API_KEY is set, espeak-ng offline otherwise."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Final

from app.core.config import Settings, get_settings
from video_studio.i18n import normalize_language
from video_studio.providers import TextToSpeech, make_text_to_speech

_CITATION: Final = re.compile(r"\[\d+\]")


def text_to_speech(settings: Settings) -> TextToSpeech:
    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if key:
        return make_text_to_speech("openai", api_key=key, base_url=settings.openai_base_url or None)
    return make_text_to_speech("offline")


def synthesize(text: str, language: str, out: Path, *, settings: Settings | None = None) -> Path:
    """`text` spoken in `language` (it/en) as a WAV file at `out`; citations like [1] are not read.
    Raises ProviderError when the provider fails."""
    from video_studio.voice.audio import write_wav

    spoken = _CITATION.sub("", text).strip()
    audio = text_to_speech(settings or get_settings()).synthesize(
        spoken, language=normalize_language(language)
    )
    return write_wav(out, audio.samples, audio.sample_rate)
