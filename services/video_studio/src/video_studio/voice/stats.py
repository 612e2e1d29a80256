"""Voice statistics with the WORLD vocoder (pyworld, MIT): F0 track (DIO + StoneMask) and the
spectral envelope (CheapTrick), summarised on a fixed frequency grid so profiles made at any
sample rate compare with each other and with the converter's analysis."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from video_studio.voice.audio import FloatArray

FRAME_MS: Final = 5.0
F0_FLOOR: Final = 60.0
F0_CEIL: Final = 500.0
# 48 mel-spaced points from 80 Hz to 7.6 kHz: the envelope summary's grid (Hz).
ENVELOPE_GRID: Final = 700.0 * (
    10 ** (np.linspace(2595 * np.log10(1 + 80 / 700), 2595 * np.log10(1 + 7600 / 700), 48) / 2595) - 1
)
Float64 = npt.NDArray[np.float64]


@dataclass(frozen=True)
class World:
    """WORLD's analysis of one signal: per-frame F0 (0 = unvoiced), spectral envelope (power) and
    aperiodicity, `FRAME_MS` apart."""

    f0: Float64
    sp: Float64
    ap: Float64
    rate: int

    @property
    def voiced(self) -> npt.NDArray[np.bool_]:
        return np.asarray(self.f0 > 0)

    def bin_freqs(self) -> Float64:
        return np.linspace(0.0, self.rate / 2, self.sp.shape[1])


def analyse(samples: FloatArray, rate: int, *, aperiodicity: bool = True) -> World:
    import pyworld

    x = samples.astype(np.float64)
    f0, times = pyworld.dio(x, rate, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_MS)
    f0 = pyworld.stonemask(x, f0, times, rate)
    sp = pyworld.cheaptrick(x, f0, times, rate)
    ap = pyworld.d4c(x, f0, times, rate) if aperiodicity else np.zeros((0, 0))
    return World(np.asarray(f0), np.asarray(sp), np.asarray(ap), rate)


def mean_log_envelope(world: World) -> Float64:
    """Mean log-power envelope of the voiced frames, on ENVELOPE_GRID."""
    frames = world.sp[world.voiced] if world.voiced.any() else world.sp
    mean = np.log(np.maximum(frames, 1e-16)).mean(axis=0)
    return np.asarray(np.interp(ENVELOPE_GRID, world.bin_freqs(), mean))


@dataclass(frozen=True)
class VoiceStats:
    f0_log_mean: float  # mean of ln F0 over voiced frames
    f0_log_std: float
    f0_min_hz: float  # 5th percentile
    f0_median_hz: float
    f0_max_hz: float  # 95th percentile
    voiced_fraction: float
    envelope: tuple[float, ...]  # mean log-power on ENVELOPE_GRID (natural log)

    def to_dict(self) -> dict[str, Any]:
        return {
            "f0_log_mean": round(self.f0_log_mean, 5),
            "f0_log_std": round(self.f0_log_std, 5),
            "f0_min_hz": round(self.f0_min_hz, 2),
            "f0_median_hz": round(self.f0_median_hz, 2),
            "f0_max_hz": round(self.f0_max_hz, 2),
            "voiced_fraction": round(self.voiced_fraction, 4),
            "envelope_grid_hz": [round(float(f), 1) for f in ENVELOPE_GRID],
            "envelope": [round(v, 4) for v in self.envelope],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceStats:
        envelope = tuple(float(v) for v in data["envelope"])
        if len(envelope) != len(ENVELOPE_GRID):
            raise ValueError("the profile's envelope is on another grid")
        return cls(
            float(data["f0_log_mean"]), float(data["f0_log_std"]), float(data["f0_min_hz"]),
            float(data["f0_median_hz"]), float(data["f0_max_hz"]), float(data["voiced_fraction"]), envelope,
        )  # fmt: skip


def voice_stats(worlds: list[World]) -> VoiceStats:
    """Statistics over several analysed recordings (frames pooled, envelopes frame-weighted)."""
    f0 = np.concatenate([w.f0[w.voiced] for w in worlds])
    frames = sum(len(w.f0) for w in worlds)
    if len(f0) < 20:
        raise ValueError("too few voiced frames for voice statistics")
    log_f0 = np.log(f0)
    weights = np.array([max(1, int(w.voiced.sum())) for w in worlds], dtype=np.float64)
    envelope = np.average(np.stack([mean_log_envelope(w) for w in worlds]), axis=0, weights=weights)
    return VoiceStats(
        f0_log_mean=float(log_f0.mean()),
        f0_log_std=float(log_f0.std()),
        f0_min_hz=float(np.percentile(f0, 5)),
        f0_median_hz=float(np.median(f0)),
        f0_max_hz=float(np.percentile(f0, 95)),
        voiced_fraction=float(len(f0) / max(1, frames)),
        envelope=tuple(float(v) for v in envelope),
    )
