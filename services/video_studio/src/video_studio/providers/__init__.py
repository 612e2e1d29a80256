"""One client layer per outside AI capability, each with an offline default.

Capabilities are Protocols (see `base`): the backend picks an implementation from its settings
and passes plain arguments here (`make_speech_to_text(...)`); nothing in this package reads
settings or environment variables. Implemented now:

- speech-to-text: `LocalWhisper` (offline default, a Whisper model shipped in a PyPI package)
  and `OpenAISpeechToText` (OpenAI's transcription API through the official `openai` SDK);
- translation: `OpenAITranslator` (chat completions) behind the `Translator` Protocol; knowledge
  uses the translation memory first and a translator only when a key is set.

- text-to-speech (issue 15): `EspeakTextToSpeech` (offline default, espeak-ng),
  `OpenAITextToSpeech` (official SDK) and `ElevenLabsVoiceCloning` (instant voice cloning over
  HTTP with httpx; also a `VoiceCloner`), built by `make_text_to_speech(...)`.

- chat (the coach, issue 14): `OpenAIChat` and `AnthropicChat` (streaming, official SDKs) and the
  offline `OfflineAnswerer`, built by `make_chat_model(...)`; moderation by `make_moderator(...)`
  (OpenAI's endpoint with a key, an offline word list without).

A new capability goes next to these: one module per provider, a Protocol in `base`.

Heavy libraries (faster-whisper, openai) are imported only when a provider is built, so the API
process can import the types without them.
"""

from video_studio.providers.base import (
    LanguageSupport,
    ProviderError,
    Segment,
    SpeechAudio,
    SpeechToText,
    TextToSpeech,
    Transcript,
    Translator,
    Voice,
    VoiceCloner,
    Word,
)
from video_studio.providers.factory import (
    STT_PROVIDERS,
    TTS_PROVIDERS,
    make_speech_to_text,
    make_text_to_speech,
    make_translator,
)

__all__ = [
    "STT_PROVIDERS",
    "TTS_PROVIDERS",
    "LanguageSupport",
    "ProviderError",
    "Segment",
    "SpeechAudio",
    "SpeechToText",
    "TextToSpeech",
    "Transcript",
    "Translator",
    "Voice",
    "VoiceCloner",
    "Word",
    "make_speech_to_text",
    "make_text_to_speech",
    "make_translator",
]
