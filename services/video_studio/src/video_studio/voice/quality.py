"""Quality of a dub, per segment and overall: speaker similarity to the profile (cosine of
resemblyzer embeddings), intelligibility (speech-to-text round trip, word error rate against the
script with jiwer), timing fit (overrun/underrun of the slot), loudness (EBU R128 with pyloudnorm,
-16 LUFS target) and clipping. Segments past a threshold carry flags (catalogue keys
voice.flag.*) for a retake or a manual edit."""

from __future__ import annotations

import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from video_studio.knowledge.glossary import normalise
from video_studio.providers.base import SpeechToText
from video_studio.voice.audio import ANALYSIS_RATE, FloatArray, resample, write_wav
from video_studio.voice.checks import clipped_fraction
from video_studio.voice.embedding import cosine, embed

TARGET_LUFS: Final = -16.0
MIN_SIMILARITY: Final = 0.75
MAX_WER: Final = 0.35
MAX_OVERRUN: Final = 0.10  # of the slot
MAX_UNDERRUN: Final = 0.35
MAX_LOUDNESS_DEVIATION: Final = 3.0  # LU
MAX_CLIPPED: Final = 0.001
_PUNCT = re.compile(r"[^\w\s']")


def loudness(samples: FloatArray, rate: int) -> float | None:
    """Integrated loudness in LUFS (EBU R128); None for audio under 0.4 s or silent."""
    import pyloudnorm

    if len(samples) < int(0.45 * rate):
        return None
    value = float(pyloudnorm.Meter(rate).integrated_loudness(samples.astype(np.float64)))
    return value if np.isfinite(value) else None


def normalise_loudness(
    samples: FloatArray, rate: int, target: float = TARGET_LUFS, peak_dbfs: float = -1.0
) -> FloatArray:
    """Gain to `target` LUFS, lowered if the sample peak would pass `peak_dbfs`."""
    measured = loudness(samples, rate)
    if measured is None:
        return samples
    gain = 10 ** ((target - measured) / 20)
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak * gain > 10 ** (peak_dbfs / 20):
        gain = 10 ** (peak_dbfs / 20) / max(peak, 1e-9)
    return (samples * gain).astype(np.float32)


def words(text: str) -> str:
    return " ".join(_PUNCT.sub(" ", normalise(text)).split())


def word_error_rate(reference: str, hypothesis: str) -> float:
    import jiwer

    ref, hyp = words(reference), words(hypothesis)
    if not ref:
        return 0.0 if not hyp else 1.0
    return float(jiwer.wer(ref, hyp or "<empty>"))


def transcribe_text(stt: SpeechToText, samples: FloatArray, rate: int, language: str) -> str:
    with tempfile.TemporaryDirectory(prefix="dub-stt-") as tmp:
        path = write_wav(Path(tmp) / "segment.wav", resample(samples, rate, ANALYSIS_RATE), ANALYSIS_RATE)
        return stt.transcribe(path, language=language).text


@dataclass(frozen=True)
class SegmentQuality:
    similarity: float | None
    wer: float | None
    heard: str | None  # what the recogniser heard
    timing: float  # (duration - slot) / slot: >0 overruns
    loudness_lufs: float | None
    clipped_fraction: float
    flags: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "similarity": None if self.similarity is None else round(self.similarity, 4),
            "wer": None if self.wer is None else round(self.wer, 4),
            "heard": self.heard,
            "timing": round(self.timing, 4),
            "loudness_lufs": None if self.loudness_lufs is None else round(self.loudness_lufs, 2),
            "clipped_fraction": round(self.clipped_fraction, 6),
            "flags": list(self.flags),
        }


def assess_segment(
    audio: FloatArray,
    rate: int,
    *,
    slot_s: float,
    text: str,
    language: str,
    profile: npt.NDArray[np.float32] | None,
    stt: SpeechToText | None,
) -> SegmentQuality:
    similarity = None
    if profile is not None:
        vector = embed(resample(audio, rate, ANALYSIS_RATE))
        similarity = cosine(vector, profile) if vector is not None else 0.0
    heard = transcribe_text(stt, audio, rate, language) if stt is not None else None
    wer = word_error_rate(text, heard) if heard is not None else None
    timing = (len(audio) / rate - slot_s) / max(slot_s, 1e-3)
    level = loudness(audio, rate)
    clipped = clipped_fraction(audio)
    flags = []
    if similarity is not None and similarity < MIN_SIMILARITY:
        flags.append("voice.flag.low_similarity")
    if wer is not None and wer > MAX_WER:
        flags.append("voice.flag.unintelligible")
    if timing > MAX_OVERRUN:
        flags.append("voice.flag.overrun")
    elif timing < -MAX_UNDERRUN:
        flags.append("voice.flag.underrun")
    if level is not None and abs(level - TARGET_LUFS) > MAX_LOUDNESS_DEVIATION:
        flags.append("voice.flag.loudness")
    if clipped > MAX_CLIPPED:
        flags.append("voice.flag.clipped")
    return SegmentQuality(similarity, wer, heard, timing, level, clipped, tuple(flags))


def overall(segments: list[tuple[str, SegmentQuality]], mix: FloatArray, rate: int) -> dict[str, Any]:
    """`segments`: (script text, quality) in order. WER over all words, not a mean of ratios."""
    sims = [q.similarity for _, q in segments if q.similarity is not None]
    heard = [(t, q.heard) for t, q in segments if q.heard is not None]
    wer = None
    if heard:
        wer = word_error_rate(" ".join(t for t, _ in heard), " ".join(h or "" for _, h in heard))
    level = loudness(mix, rate)
    return {
        "similarity": round(float(np.mean(sims)), 4) if sims else None,
        "wer": None if wer is None else round(wer, 4),
        "timing_max_overrun": round(max((q.timing for _, q in segments), default=0.0), 4),
        "loudness_lufs": None if level is None else round(level, 2),
        "target_lufs": TARGET_LUFS,
        "peak_dbfs": round(
            20 * float(np.log10(max(float(np.max(np.abs(mix))) if len(mix) else 0.0, 1e-9))), 2
        ),
        "clipped_fraction": round(clipped_fraction(mix), 6),
        "flagged": sum(1 for _, q in segments if q.flags),
        "segments": len(segments),
    }
