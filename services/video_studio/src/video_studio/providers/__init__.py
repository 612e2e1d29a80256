"""One client layer per outside AI capability, each with an offline default.

Capabilities are Protocols (see `base`): the backend picks an implementation from its settings
and passes plain arguments here (`make_speech_to_text(...)`); nothing in this package reads
settings or environment variables. Implemented now:

- speech-to-text: `LocalWhisper` (offline default, a Whisper model shipped in a PyPI package)
  and `OpenAISpeechToText` (OpenAI's transcription API through the official `openai` SDK);
- translation: `OpenAITranslator` (chat completions) behind the `Translator` Protocol; knowledge
  uses the translation memory first and a translator only when a key is set.

Later tasks add their capability next to these (one module per provider, a Protocol in `base`):
a chat LLM (issue 14), text-to-speech and voice cloning (issue 15).

Heavy libraries (faster-whisper, openai) are imported only when a provider is built, so the API
process can import the types without them.
"""

from video_studio.providers.base import (
    LanguageSupport,
    ProviderError,
    Segment,
    SpeechToText,
    Transcript,
    Translator,
    Word,
)
from video_studio.providers.factory import STT_PROVIDERS, make_speech_to_text, make_translator

__all__ = [
    "STT_PROVIDERS",
    "LanguageSupport",
    "ProviderError",
    "Segment",
    "SpeechToText",
    "Transcript",
    "Translator",
    "Word",
    "make_speech_to_text",
    "make_translator",
]
