"""Offline voice conversion and time-stretching with the WORLD vocoder (pyworld).

One analysis (F0, spectral envelope, aperiodicity; 5 ms frames), three edits, one synthesis:

1. F0 mapping: ln F0 of the voiced frames standardised with the source's mean and deviation and
   rescaled to the profile's (the classic log-F0 mean/variance mapping).
2. Spectral-envelope warping: the frequency axis is scaled by the factor alpha (0.8-1.25) that best
   lines the source's mean envelope up with the profile's (vocal-tract length: formants move
   together); optionally (`ConversionPlan.gain_db` > 0) a smooth per-band gain then moves the
   warped mean onto the profile's. Aperiodicity is warped with the envelope.
3. Time-stretch without pitch change: frames are resampled in time; F0 and the envelope per frame
   stay, so the pitch and timbre do not move with the tempo.

The warp factor estimated from mean envelopes alone is unreliable (measured on espeak-ng voices it
picked 0.87 for a voice whose best factor is 1.0 and lost similarity), so `calibrate` settles the
plan by analysis-by-synthesis: it converts a calibration sentence with each candidate plan and
keeps the one whose speaker embedding is closest to the profile's. The dub calibrates once per
voice and converts every segment with it.

The candidates keep the formant structure: one global warp factor of at most 12 % (VTLN-style:
formants move together, their pattern stays) and no per-band envelope gain. Stronger warps (up to
25 %) and the per-band gain bought more similarity but cost 20 points of WER (Whisper could not
read a male voice's formants pushed up 25 %), and a low-order spectral-tilt correction cost
intelligibility without gaining similarity (tests/bench/bench_voice.py; docs/VOICE.md).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from video_studio.voice.audio import FloatArray
from video_studio.voice.stats import (
    ENVELOPE_GRID,
    FRAME_MS,
    Float64,
    VoiceStats,
    World,
    analyse,
    mean_log_envelope,
)

WARP_RANGE: Final = (0.8, 1.25)
MAX_GAIN_DB: Final = 10.0
STD_RATIO_RANGE: Final = (0.5, 2.0)
_DB_TO_LN_POWER: Final = np.log(10.0) / 10.0


@dataclass(frozen=True)
class ConversionPlan:
    warp: float | None = None  # None: estimated from the mean envelopes (best_warp)
    gain_db: float = MAX_GAIN_DB  # limit of the per-band envelope gain; 0 = warp only
    identity: bool = False  # no conversion (the synthetic voice is already the closest)
    # How far F0 moves toward the profile's (1: all the way; 0.5: half the shift in semitones and
    # half the change of its spread). Large shifts cost intelligibility (docs/VOICE.md, bench).
    f0_strength: float = 1.0
    # Map the F0 mean only and keep the synthetic contour's spread (for a base voice already close).
    keep_f0_range: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "warp": self.warp,
            "gain_db": self.gain_db,
            "identity": self.identity,
            "f0_strength": self.f0_strength,
            "keep_f0_range": self.keep_f0_range,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ConversionPlan:
        warp = data.get("warp")
        return cls(
            None if warp is None else float(warp),
            float(data["gain_db"]),
            bool(data["identity"]),
            float(data.get("f0_strength", 1.0)),
            bool(data.get("keep_f0_range", False)),
        )


@dataclass(frozen=True)
class ConversionInfo:
    warp: float  # frequency-axis factor (>1 moves formants up)
    f0_shift_semitones: float  # between the source's and the profile's mean F0
    f0_std_ratio: float
    stretch: float

    def to_dict(self) -> dict[str, Any]:
        return {
            "warp": round(self.warp, 4),
            "f0_shift_semitones": round(self.f0_shift_semitones, 2),
            "f0_std_ratio": round(self.f0_std_ratio, 3),
            "stretch": round(self.stretch, 4),
        }


def best_warp(source_env: Float64, target_env: Float64) -> float:
    """The alpha in WARP_RANGE whose warped source envelope correlates best with the target's."""
    target = target_env - target_env.mean()
    best, best_score = 1.0, -np.inf
    for alpha in np.linspace(*WARP_RANGE, 46):
        warped = np.interp(ENVELOPE_GRID / alpha, ENVELOPE_GRID, source_env)
        warped = warped - warped.mean()
        score = float(np.dot(warped, target) / (np.linalg.norm(warped) * np.linalg.norm(target) + 1e-12))
        if score > best_score:
            best, best_score = float(alpha), score
    return best


def _warp_bins(frames: Float64, freqs: Float64, alpha: float) -> Float64:
    """Each frame's value at f becomes its value at f/alpha (linear between bins)."""
    position = np.clip(freqs / alpha / freqs[-1] * (len(freqs) - 1), 0, len(freqs) - 1)
    low = np.floor(position).astype(int)
    high = np.minimum(low + 1, len(freqs) - 1)
    frac = position - low
    return np.asarray(frames[:, low] * (1 - frac) + frames[:, high] * frac)


def _stretch_frames(world: World, factor: float) -> World:
    n = len(world.f0)
    m = max(1, round(n * factor))
    if m == n:
        return world
    pos = np.linspace(0, n - 1, m)
    low = np.floor(pos).astype(int)
    high = np.minimum(low + 1, n - 1)
    frac = (pos - low)[:, None]
    sp = world.sp[low] * (1 - frac) + world.sp[high] * frac
    ap = world.ap[low] * (1 - frac) + world.ap[high] * frac
    nearest = np.rint(pos).astype(int)
    both = (world.f0[low] > 0) & (world.f0[high] > 0)
    f0 = np.where(both, world.f0[low] * (1 - frac[:, 0]) + world.f0[high] * frac[:, 0], world.f0[nearest])
    f0 = np.where(world.f0[nearest] > 0, f0, 0.0)
    return World(np.ascontiguousarray(f0), np.ascontiguousarray(sp), np.ascontiguousarray(ap), world.rate)


def convert(
    samples: FloatArray,
    rate: int,
    target: VoiceStats | None,
    *,
    stretch: float = 1.0,
    source: VoiceStats | None = None,
    plan: ConversionPlan = ConversionPlan(),
) -> tuple[FloatArray, ConversionInfo]:
    """`target` None (or an identity plan): only stretch (`stretch` 1.25 = 25% longer). `source`:
    the synthetic voice's own statistics over many sentences (steadier than one segment's)."""
    return synthesize(analyse(samples, rate), target, stretch=stretch, source=source, plan=plan)


def synthesize(
    world: World,
    target: VoiceStats | None,
    *,
    stretch: float = 1.0,
    source: VoiceStats | None = None,
    plan: ConversionPlan = ConversionPlan(),
) -> tuple[FloatArray, ConversionInfo]:
    """`convert` on an analysis already made (calibration converts one analysis many ways)."""
    import pyworld

    rate = world.rate
    warp, shift, ratio = 1.0, 0.0, 1.0
    if target is not None and not plan.identity and world.voiced.sum() >= 10:
        lf0 = np.log(world.f0[world.voiced])
        mu_s = source.f0_log_mean if source else float(lf0.mean())
        sd_s = source.f0_log_std if source else float(lf0.std())
        full = (
            1.0
            if plan.keep_f0_range
            else float(np.clip(target.f0_log_std / max(sd_s, 1e-3), *STD_RATIO_RANGE))
        )
        ratio = 1.0 + plan.f0_strength * (full - 1.0)
        mean = mu_s + plan.f0_strength * (target.f0_log_mean - mu_s)
        f0 = world.f0.copy()
        f0[world.voiced] = np.exp((lf0 - mu_s) * ratio + mean)
        shift = float(12 * (mean - mu_s) / np.log(2))
        source_env = np.asarray(source.envelope) if source else mean_log_envelope(world)
        target_env = np.asarray(target.envelope)
        warp = plan.warp if plan.warp is not None else best_warp(source_env, target_env)
        freqs = world.bin_freqs()
        sp = _warp_bins(world.sp, freqs, warp)
        ap = _warp_bins(world.ap, freqs, warp)
        warped_env = np.interp(ENVELOPE_GRID / warp, ENVELOPE_GRID, source_env)
        gain = np.convolve(target_env - warped_env, np.ones(5) / 5, mode="same")
        limit = plan.gain_db * _DB_TO_LN_POWER
        gain = np.clip(gain - np.median(gain), -limit, limit)  # shape only; loudness is set later
        sp = sp * np.exp(np.interp(freqs, ENVELOPE_GRID, gain))[None, :]
        world = World(f0, np.ascontiguousarray(sp), np.ascontiguousarray(np.clip(ap, 0, 1)), rate)
    if abs(stretch - 1.0) > 1e-3:
        world = _stretch_frames(world, stretch)
    out = pyworld.synthesize(world.f0, world.sp, world.ap, rate, FRAME_MS)
    return np.asarray(out, dtype=np.float32), ConversionInfo(warp, shift, ratio, stretch)


# Mild VTLN-style warps only: at most 12 % either way keeps the speech readable (bench_voice.py).
CANDIDATE_WARPS: Final = (0.94, 1.0, 1.06, 1.12)


def candidate_plans() -> list[ConversionPlan]:
    """No conversion, or full F0 mapping with one global envelope warp and no per-band gain."""
    return [ConversionPlan(identity=True)] + [ConversionPlan(warp=w, gain_db=0.0) for w in CANDIDATE_WARPS]


def calibrate(
    utterances: list[FloatArray],
    rate: int,
    target: VoiceStats,
    target_embedding: npt.NDArray[np.float32],
    *,
    source: VoiceStats | None = None,
    candidates: Sequence[ConversionPlan] | None = None,
) -> tuple[ConversionPlan, dict[str, float]]:
    """The candidate plan (`candidate_plans()` unless given) whose conversions of `utterances`
    (synthetic speech, a few seconds each) sound most like the profile to the speaker encoder;
    with every candidate's mean similarity."""
    from video_studio.voice.audio import ANALYSIS_RATE, resample
    from video_studio.voice.embedding import cosine, embed

    # The plan does not depend on the rate: calibrate at 16 kHz, a third cheaper than 24 kHz.
    worlds = [analyse(resample(u, rate, ANALYSIS_RATE), ANALYSIS_RATE) for u in utterances]
    scores: dict[str, float] = {}
    best, best_score = ConversionPlan(identity=True), -np.inf
    for plan in candidate_plans() if candidates is None else candidates:
        sims = []
        for world in worlds:
            audio, _ = synthesize(world, target, source=source, plan=plan)
            vector = embed(audio)
            if vector is not None:
                sims.append(cosine(vector, target_embedding))
        score = float(np.mean(sims)) if sims else -1.0
        scores["identity" if plan.identity else f"warp={plan.warp:.2f},gain={plan.gain_db:g}dB"] = round(
            score, 4
        )
        if score > best_score:
            best, best_score = plan, score
    return best, scores
