"""Building a provider from plain arguments (the backend passes its settings)."""

from __future__ import annotations

from pathlib import Path
from typing import Final, Literal, TypeAlias

from video_studio.providers.base import ChatModel, Moderator, SpeechToText, TextToSpeech, Translator

SttProvider: TypeAlias = Literal["offline", "openai"]
STT_PROVIDERS: Final[tuple[SttProvider, ...]] = ("offline", "openai")
TtsProvider: TypeAlias = Literal["offline", "openai", "elevenlabs"]
TTS_PROVIDERS: Final[tuple[TtsProvider, ...]] = ("offline", "openai", "elevenlabs")


def make_speech_to_text(
    provider: str = "offline",
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    model_dir: Path | None = None,
    cpu_threads: int = 0,
) -> SpeechToText:
    """`offline`: the bundled Whisper (or `model_dir`); `openai`: needs `api_key`, `model`
    defaults to whisper-1, `base_url` to OpenAI's."""
    if provider == "offline":
        from video_studio.providers.whisper_local import LocalWhisper

        return LocalWhisper(model_dir=model_dir, cpu_threads=cpu_threads)
    if provider == "openai":
        if not api_key:
            raise ValueError("the openai speech-to-text provider needs an API key")
        from video_studio.providers.openai_stt import DEFAULT_MODEL, OpenAISpeechToText

        return OpenAISpeechToText(
            api_key=api_key, base_url=base_url or None, model_name=model or DEFAULT_MODEL
        )
    raise ValueError(f"unknown speech-to-text provider {provider!r} (choose from {', '.join(STT_PROVIDERS)})")


def make_text_to_speech(
    provider: str = "offline",
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    voice: str | None = None,
) -> TextToSpeech:
    """`offline`: espeak-ng; `openai`: OpenAI TTS (needs `api_key`); `elevenlabs`: the cloning API
    (needs `api_key`; `voice` is a stock voice id for speakers without a clone)."""
    if provider == "offline":
        from video_studio.providers.espeak_tts import EspeakTextToSpeech

        return EspeakTextToSpeech()
    if provider not in TTS_PROVIDERS:
        raise ValueError(
            f"unknown text-to-speech provider {provider!r} (choose from {', '.join(TTS_PROVIDERS)})"
        )
    if not api_key:
        raise ValueError(f"the {provider} text-to-speech provider needs an API key")
    if provider == "openai":
        from video_studio.providers.openai_tts import DEFAULT_TTS_MODEL, DEFAULT_TTS_VOICE, OpenAITextToSpeech

        return OpenAITextToSpeech(
            api_key=api_key,
            base_url=base_url or None,
            model_name=model or DEFAULT_TTS_MODEL,
            voice_name=voice or DEFAULT_TTS_VOICE,
        )
    from video_studio.providers.elevenlabs_tts import (
        DEFAULT_BASE_URL,
        DEFAULT_CLONE_MODEL,
        ElevenLabsVoiceCloning,
    )

    return ElevenLabsVoiceCloning(
        api_key=api_key,
        base_url=base_url or DEFAULT_BASE_URL,
        model_id=model or DEFAULT_CLONE_MODEL,
        stock_voice=voice,
    )


def make_translator(
    provider: str = "openai",
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
) -> Translator | None:
    """The machine translator, or None without a key (offline: only the translation memory)."""
    if not api_key:
        return None
    if provider == "openai":
        from video_studio.providers.openai_translate import DEFAULT_MODEL, OpenAITranslator

        return OpenAITranslator(api_key=api_key, base_url=base_url or None, model_name=model or DEFAULT_MODEL)
    raise ValueError(f"unknown translation provider {provider!r} (choose from openai)")


ChatProvider: TypeAlias = Literal["offline", "openai", "anthropic"]
CHAT_PROVIDERS: Final[tuple[ChatProvider, ...]] = ("offline", "openai", "anthropic")


def make_chat_model(
    provider: str = "offline",
    *,
    api_key: str | None = None,
    base_url: str | None = None,
    model: str | None = None,
    timeout_s: float = 60.0,
) -> ChatModel:
    """`offline`: the retrieval answerer; `openai` / `anthropic`: need `api_key`; `model`
    defaults to the module's DEFAULT_CHAT_MODEL, `base_url` to the vendor's."""
    if provider == "offline":
        from video_studio.providers.llm_offline import OfflineAnswerer

        return OfflineAnswerer()
    if provider not in CHAT_PROVIDERS:
        raise ValueError(f"unknown chat provider {provider!r} (choose from {', '.join(CHAT_PROVIDERS)})")
    if not api_key:
        raise ValueError(f"the {provider} chat provider needs an API key")
    if provider == "openai":
        from video_studio.providers import llm_openai

        return llm_openai.OpenAIChat(
            api_key=api_key,
            base_url=base_url or None,
            model_name=model or llm_openai.DEFAULT_CHAT_MODEL,
            timeout_s=timeout_s,
        )
    from video_studio.providers import llm_anthropic

    return llm_anthropic.AnthropicChat(
        api_key=api_key,
        base_url=base_url or None,
        model_name=model or llm_anthropic.DEFAULT_CHAT_MODEL,
        timeout_s=timeout_s,
    )


def make_moderator(*, api_key: str | None = None, base_url: str | None = None) -> Moderator:
    """OpenAI moderation with a key, the offline word list without."""
    if api_key:
        from video_studio.providers.llm_openai import OpenAIModeration

        return OpenAIModeration(api_key=api_key, base_url=base_url or None)
    from video_studio.providers.moderation_offline import WordListModerator

    return WordListModerator()
