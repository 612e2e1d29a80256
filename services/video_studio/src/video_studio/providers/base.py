"""Capability Protocols and the value types they exchange (plain, JSON-serialisable)."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Protocol, runtime_checkable


class ProviderError(RuntimeError):
    """An outside service failed or answered something unusable (not the user's input: the job
    may be retried). `code` is stable for logs and job rows."""

    def __init__(self, message: str, *, code: str = "provider_error", retryable: bool = True) -> None:
        super().__init__(message)
        self.code = code
        self.retryable = retryable


@dataclass(frozen=True)
class Word:
    text: str
    start: float  # seconds from the start of the audio
    end: float
    probability: float | None = None  # the recogniser's confidence, when it gives one


@dataclass(frozen=True)
class Segment:
    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()
    # exp(mean token log-probability) where the recogniser reports it; a rough confidence.
    confidence: float | None = None


@dataclass(frozen=True)
class Transcript:
    language: str | None  # ISO 639-1 code the recogniser detected (or was told), None if unknown
    language_probability: float | None
    duration_s: float
    segments: tuple[Segment, ...]
    provider: str  # "offline-whisper", "openai"
    model: str

    @property
    def text(self) -> str:
        return " ".join(s.text.strip() for s in self.segments if s.text.strip())

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LanguageSupport:
    """Whether a provider can transcribe a language; `reason` is a catalogue key when not."""

    supported: bool
    reason: str | None = None
    params: Mapping[str, str] = field(default_factory=dict)


@runtime_checkable
class SpeechToText(Protocol):
    """Speech in an audio (or video) file -> a transcript with word timestamps."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    def supports(self, language: str) -> LanguageSupport:
        """Can this provider transcribe `language` (ISO 639-1)?"""
        ...

    def transcribe(
        self, audio: Path, *, language: str | None = None, prompt: str | None = None
    ) -> Transcript:
        """`language` None: detect it. `prompt`: vocabulary to bias the recogniser towards
        (glossary terms). Raises ProviderError when the service fails."""
        ...


@runtime_checkable
class Translator(Protocol):
    """Machine translation of short texts (the LLM-backed implementation comes with the coach).

    `glossary` maps source terms to their approved translations; an implementation must keep
    them. Knowledge calls it only for what the translation memory did not answer."""

    @property
    def name(self) -> str: ...

    def translate(self, text: str, *, source: str, target: str, glossary: Mapping[str, str]) -> str: ...


@dataclass(frozen=True)
class Voice:
    """Who speaks: a provider's voice id (espeak-ng `it`, `en-us+f3`; OpenAI `alloy`; a cloned
    voice's id) and, for espeak-ng, the pitch (0-99) that makes a stock variant distinct."""

    id: str
    pitch: int | None = None


@dataclass(frozen=True)
class SpeechAudio:
    """Synthesised speech: mono float32 samples in -1..1 at `sample_rate`."""

    samples: Any  # numpy float32 array, shape (n,)
    sample_rate: int
    provider: str
    voice: str

    @property
    def duration_s(self) -> float:
        return float(len(self.samples)) / self.sample_rate


@runtime_checkable
class TextToSpeech(Protocol):
    """Text in one language -> speech. `rate` scales the speaking rate (1.0 = the voice's normal,
    2.0 = twice as fast); providers clamp it to what they can do."""

    @property
    def name(self) -> str: ...

    def supports(self, language: str) -> LanguageSupport: ...

    def default_voice(self, language: str) -> Voice: ...

    def synthesize(
        self, text: str, *, language: str, voice: Voice | None = None, rate: float = 1.0
    ) -> SpeechAudio:
        """Raises ProviderError when the service fails."""
        ...


@runtime_checkable
class VoiceCloner(Protocol):
    """A provider that makes a voice of its own from recordings (ElevenLabs' instant cloning)."""

    @property
    def name(self) -> str: ...

    def clone(self, name: str, samples: list[Path], *, description: str = "") -> Voice:
        """Uploads the samples; the returned voice's id is the provider's. Raises ProviderError."""
        ...

    def delete_voice(self, voice: Voice) -> None:
        """Revoking consent removes the provider's copy too."""
        ...


# --- chat (the coach, issue 14) ------------------------------------------------------------------


@dataclass(frozen=True)
class ChatTurn:
    role: str  # "user" or "assistant"
    content: str


@dataclass(frozen=True)
class Passage:
    """A piece of retrieved context a reply may cite: a catalog video (or a moment of it), one of
    the student's pose reports, a knowledge item. `ref` is stable ("video:<id>", ...)."""

    ref: str
    kind: str  # "video", "pose_report", "knowledge"
    title: str
    text: str
    url: str | None = None
    start_s: float | None = None  # a moment inside a video
    score: float = 0.0  # retrieval relevance, higher is better

    def source(self) -> dict[str, Any]:
        """What the client gets in `done.sources` (no passage text)."""
        return {
            "ref": self.ref,
            "kind": self.kind,
            "title": self.title,
            "url": self.url,
            "start_s": self.start_s,
        }


@dataclass(frozen=True)
class ChatChunk:
    """A piece of a streamed reply; the last chunk of a provider that bills tokens carries the
    usage it reported (input and output tokens), with or without text."""

    text: str = ""
    input_tokens: int | None = None
    output_tokens: int | None = None


@runtime_checkable
class ChatModel(Protocol):
    """A streamed reply to a conversation, grounded in retrieved passages (every implementation
    gets the same passages: an LLM reads them in its prompt, the offline answerer quotes them)."""

    @property
    def name(self) -> str: ...

    @property
    def model(self) -> str: ...

    def stream(
        self,
        *,
        system: str,
        turns: Sequence[ChatTurn],
        passages: Sequence[Passage],
        language: str,
        max_tokens: int,
    ) -> Iterator[ChatChunk]:
        """Yields the reply's text as it is generated. Raises ProviderError when the service fails."""
        ...


@runtime_checkable
class Moderator(Protocol):
    """Is a text abusive? Returns the flagged categories (empty: acceptable)."""

    @property
    def name(self) -> str: ...

    def flagged(self, text: str) -> tuple[str, ...]: ...
