"""Checks of a voice sample before it becomes a profile: is there sound, is it speech (not music),
how noisy and how clipped it is. Every finding is a catalogue key (voice.reason.*) with fields,
so the platform shows it in it or en.

- Speech: WebRTC's VAD (the `webrtcvad` package resemblyzer uses), aggressiveness 3, 30 ms frames.
- Music: the VAD calls sustained tones speech too. Speech intonation glides (about 2% of espeak-ng's
  voiced frames, fewer of a person's, hold within a quarter semitone for 60 ms); notes hold still
  (87% of the test melody's frames). `music_only` is most voiced frames holding still. (The
  2-8 Hz loudness modulation of syllables was tried and dropped: plucked notes have it too.)
- SNR: mean power of the speech frames against the noise floor (the quietest tenth of the frames).
- Clipping: samples in runs of 3+ at full scale (a lossy codec's overshoot is not a run).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Final

import numpy as np

from video_studio.voice.audio import ANALYSIS_RATE, FloatArray

FRAME_S: Final = 0.03
SILENCE_DBFS: Final = -55.0  # RMS of the whole sample below this: nothing was recorded
MIN_SPEECH_FRACTION: Final = 0.3
MIN_SNR_DB: Final = 15.0
MAX_CLIPPED: Final = 0.002  # fraction of samples
MUSIC_FLAT_PITCH: Final = 0.5  # above: notes, not intonation
SNR_CAP_DB: Final = 60.0


@dataclass(frozen=True)
class Reason:
    key: str  # studio catalogue key
    params: dict[str, str | int | float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"key": self.key, "params": dict(self.params)}


@dataclass(frozen=True)
class SignalReport:
    duration_s: float
    rms_dbfs: float
    speech_s: float
    speech_fraction: float
    snr_db: float
    clipped_fraction: float
    flat_pitch_fraction: float  # voiced frames whose pitch holds still
    reasons: tuple[Reason, ...]

    @property
    def ok(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        return {
            "duration_s": round(self.duration_s, 3),
            "rms_dbfs": round(self.rms_dbfs, 2),
            "speech_s": round(self.speech_s, 3),
            "speech_fraction": round(self.speech_fraction, 4),
            "snr_db": round(self.snr_db, 2),
            "clipped_fraction": round(self.clipped_fraction, 6),
            "flat_pitch_fraction": round(self.flat_pitch_fraction, 4),
            "reasons": [r.to_dict() for r in self.reasons],
        }


def speech_frames(samples: FloatArray, rate: int = ANALYSIS_RATE) -> np.ndarray[Any, np.dtype[np.bool_]]:
    """One flag per 30 ms frame: WebRTC's VAD heard speech."""
    import webrtcvad

    vad = webrtcvad.Vad(3)
    step = int(rate * FRAME_S)
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2")
    n = len(pcm) // step
    return np.array([vad.is_speech(pcm[k * step : (k + 1) * step].tobytes(), rate) for k in range(n)], bool)


def _frame_power(samples: FloatArray, step: int) -> np.ndarray[Any, np.dtype[np.float64]]:
    n = len(samples) // step
    frames = samples[: n * step].astype(np.float64).reshape(n, step)
    return np.asarray((frames**2).mean(axis=1))


def clipped_fraction(samples: FloatArray) -> float:
    hot = np.abs(samples) >= 0.98
    if not hot.any():
        return 0.0
    edges = np.diff(np.concatenate(([0], hot.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    runs = ends - starts
    return float(runs[runs >= 3].sum() / len(samples))


def flat_pitch_fraction(f0: np.ndarray[Any, np.dtype[np.float64]]) -> float:
    """Voiced 5 ms frames whose pitch stays within 0.25 semitone over the surrounding 60 ms."""
    voiced = f0 > 0
    if voiced.sum() < 40:
        return 0.0
    semis = np.where(voiced, 12 * np.log2(np.maximum(f0, 1e-3) / 100.0), np.nan)
    half = 6
    flat = 0
    count = 0
    for k in np.flatnonzero(voiced):
        window = semis[max(0, k - half) : k + half + 1]
        if np.isnan(window).any():
            continue
        count += 1
        flat += int(window.max() - window.min() < 0.25)
    return flat / count if count else 0.0


def check_signal(samples: FloatArray, f0: np.ndarray[Any, np.dtype[np.float64]], name: str) -> SignalReport:
    """Findings for one recording at ANALYSIS_RATE; `f0` is its WORLD F0 track (5 ms frames)."""
    rate = ANALYSIS_RATE
    duration = len(samples) / rate
    rms = float(np.sqrt(np.mean(samples.astype(np.float64) ** 2))) if len(samples) else 0.0
    rms_db = 20 * np.log10(max(rms, 1e-10))
    reasons: list[Reason] = []
    if rms_db < SILENCE_DBFS or duration < 1.0:
        silent = (Reason("voice.reason.silence", {"name": name}),)
        return SignalReport(duration, rms_db, 0.0, 0.0, 0.0, 0.0, 0.0, silent)
    speech = speech_frames(samples, rate)
    power = _frame_power(samples, int(rate * FRAME_S))[: len(speech)]
    speech_s = float(speech.sum() * FRAME_S)
    fraction = float(speech.mean()) if len(speech) else 0.0
    noise = float(np.percentile(power, 10))
    signal = float(power[speech].mean()) if speech.any() else noise
    snr = SNR_CAP_DB if noise <= 1e-12 else min(SNR_CAP_DB, 10 * np.log10(max(signal, 1e-12) / noise))
    clipped = clipped_fraction(samples)
    flat = flat_pitch_fraction(f0)
    if flat > MUSIC_FLAT_PITCH:
        reasons.append(Reason("voice.reason.music_only", {"name": name}))
    elif fraction < MIN_SPEECH_FRACTION:
        reasons.append(Reason("voice.reason.no_speech", {"name": name, "percent": round(100 * fraction)}))
    if snr < MIN_SNR_DB and not reasons:
        fields: dict[str, str | int | float] = {"name": name, "snr_db": round(snr, 1), "min_db": MIN_SNR_DB}
        reasons.append(Reason("voice.reason.noisy", fields))
    if clipped > MAX_CLIPPED:
        reasons.append(Reason("voice.reason.clipped", {"name": name, "percent": round(100 * clipped, 2)}))
    return SignalReport(duration, rms_db, speech_s, fraction, snr, clipped, flat, tuple(reasons))
