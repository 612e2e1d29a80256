"""The synthetic voice to start from: the provider voice nearest the profile, so the conversion
has little left to do (large F0 shifts of a synthetic voice cost Whisper words: docs/VOICE.md).

Provider-independent: `choose_base_voice` only synthesizes with the `TextToSpeech` interface and
measures the result. A provider offers candidates through `base_voice_candidates` (espeak-ng: its
variants, each with the `-p` pitch that puts its median F0 on the profile's; other providers: their
default voice alone, nothing to choose). Among the candidates whose median F0 lands within
`MAX_F0_GAP_ST` of the profile's, the one whose calibration sentence sounds most like the profile
to the speaker encoder wins; when none gets that close, the one with the smallest F0 gap.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

import numpy as np
import numpy.typing as npt

from video_studio.providers.base import TextToSpeech, Voice
from video_studio.voice.audio import ANALYSIS_RATE, FloatArray, resample
from video_studio.voice.stats import analyse

# espeak-ng variants tried as the base per language (the default voice plus male and female
# variants; the bench's target speakers f3, m7, f5 and klatt are deliberately not among them).
ESPEAK_VARIANTS: Final = {
    "it": ("it", "it+m1", "it+m3", "it+f1", "it+f2", "it+f4"),
    "en": ("en-us", "en-us+m1", "en-us+m3", "en-us+f1", "en-us+f2", "en-us+f4"),
}
PROBE_PITCHES: Final = (20, 80)  # espeak-ng -p values measured to place each variant's F0
MAX_F0_GAP_ST: Final = 2.0


@dataclass(frozen=True)
class BaseChoice:
    voice: Voice
    scores: dict[str, float]  # candidate label -> similarity to the profile
    f0_gap_semitones: float  # chosen voice's median F0 against the profile's


def label(voice: Voice) -> str:
    return voice.id if voice.pitch is None else f"{voice.id} p{voice.pitch}"


def base_voice_candidates(tts: TextToSpeech, language: str) -> tuple[str, ...]:
    if tts.name == "espeak-ng":
        return ESPEAK_VARIANTS.get(language, ())
    return ()


def median_f0(samples: FloatArray, rate: int) -> float:
    world = analyse(resample(samples, rate, ANALYSIS_RATE), ANALYSIS_RATE, aperiodicity=False)
    voiced = world.f0[world.f0 > 0]
    return float(np.median(voiced)) if len(voiced) else 0.0


def pitch_for(target_hz: float, probes: dict[int, float]) -> int:
    """The espeak-ng pitch (0-99) whose median F0 is `target_hz`, by a line through the probes in
    log F0 (espeak-ng's pitch scale is close to that), clamped."""
    (p1, f1), (p2, f2) = sorted(probes.items())
    if f1 <= 0 or f2 <= 0 or abs(np.log(f2 / f1)) < 1e-6:
        return 50
    p = p1 + (np.log(target_hz / f1)) * (p2 - p1) / np.log(f2 / f1)
    return int(np.clip(round(float(p)), 0, 99))


def choose_base_voice(
    tts: TextToSpeech,
    language: str,
    text: str,
    target_median_hz: float,
    target_embedding: npt.NDArray[np.float32],
    *,
    candidates: tuple[str, ...] | None = None,
) -> BaseChoice:
    from video_studio.voice.embedding import cosine, embed

    ids = base_voice_candidates(tts, language) if candidates is None else candidates
    if not ids:
        return BaseChoice(tts.default_voice(language), {}, 0.0)
    scored: list[tuple[float, float, Voice]] = []
    scores: dict[str, float] = {}
    for vid in ids:
        probes = {}
        for p in PROBE_PITCHES:
            speech = tts.synthesize(text, language=language, voice=Voice(vid, p))
            probes[p] = median_f0(speech.samples, speech.sample_rate)
        voice = Voice(vid, pitch_for(target_median_hz, probes))
        speech = tts.synthesize(text, language=language, voice=voice)
        f0 = median_f0(speech.samples, speech.sample_rate)
        gap = abs(12 * float(np.log2(max(f0, 1.0) / target_median_hz)))
        vector = embed(resample(speech.samples, speech.sample_rate, ANALYSIS_RATE))
        sim = cosine(vector, target_embedding) if vector is not None else -1.0
        scores[label(voice)] = round(sim, 4)
        scored.append((gap, sim, voice))
    close = [s for s in scored if s[0] <= MAX_F0_GAP_ST]
    gap, _, voice = max(close, key=lambda s: s[1]) if close else min(scored, key=lambda s: s[0])
    return BaseChoice(voice, scores, round(gap, 2))
