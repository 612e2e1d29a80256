"""Voice profiles: from 1-5 minutes of an instructor's recordings to a JSON document holding the
speaker embedding (resemblyzer) and the voice statistics (F0 range, spectral envelope) that the
converter maps toward. Consent, ownership and storage are the platform's; this is the compute.

    analyse_samples([Path, ...]) -> ProfileAnalysis   (.profile is None when a check failed)
    VoiceProfile.to_dict() / VoiceProfile.from_dict()
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from video_studio.voice.audio import ANALYSIS_RATE, AudioInputError, FloatArray, decode
from video_studio.voice.checks import Reason, SignalReport, check_signal
from video_studio.voice.embedding import ENCODER, cosine, embed
from video_studio.voice.stats import VoiceStats, World, analyse, voice_stats

PROFILE_VERSION: Final = 1
MIN_TOTAL_S: Final = 60.0
MAX_TOTAL_S: Final = 330.0  # five minutes and a margin
MAX_FILE_S: Final = 330.0
MIN_SAME_SPEAKER: Final = 0.6  # samples less alike than this are not one person


@dataclass(frozen=True)
class VoiceProfile:
    embedding: tuple[float, ...]
    stats: VoiceStats
    encoder: str = ENCODER
    duration_s: float = 0.0
    speech_s: float = 0.0
    version: int = PROFILE_VERSION

    def vector(self) -> npt.NDArray[np.float32]:
        return np.asarray(self.embedding, dtype=np.float32)

    def to_dict(self) -> dict[str, Any]:
        return {
            "version": self.version,
            "encoder": self.encoder,
            "embedding": [round(v, 6) for v in self.embedding],
            "stats": self.stats.to_dict(),
            "duration_s": round(self.duration_s, 3),
            "speech_s": round(self.speech_s, 3),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> VoiceProfile:
        if data.get("version") != PROFILE_VERSION or data.get("encoder") != ENCODER:
            raise ValueError("not a voice profile of this version (make it again)")
        return cls(
            embedding=tuple(float(v) for v in data["embedding"]),
            stats=VoiceStats.from_dict(data["stats"]),
            duration_s=float(data.get("duration_s", 0.0)),
            speech_s=float(data.get("speech_s", 0.0)),
        )


@dataclass(frozen=True)
class SampleCheck:
    name: str
    report: SignalReport

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, **self.report.to_dict()}


@dataclass(frozen=True)
class ProfileAnalysis:
    samples: tuple[SampleCheck, ...]
    reasons: tuple[Reason, ...]  # everything that stops the profile, per sample and overall
    profile: VoiceProfile | None

    @property
    def accepted(self) -> bool:
        return self.profile is not None

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "samples": [s.to_dict() for s in self.samples],
            "reasons": [r.to_dict() for r in self.reasons],
            "profile": self.profile.to_dict() if self.profile else None,
        }


def analyse_samples(paths: list[Path]) -> ProfileAnalysis:
    """Decode and check every sample, then (when all pass) build the profile. An unreadable file
    raises AudioInputError (the upload itself is wrong); other findings come back as reasons."""
    if not paths:
        raise AudioInputError("voice.reason.no_samples", "no voice samples given")
    decoded: list[tuple[str, FloatArray]] = [
        (path.name, decode(path, rate=ANALYSIS_RATE, max_seconds=MAX_FILE_S)) for path in paths
    ]
    checks: list[SampleCheck] = []
    reasons: list[Reason] = []
    worlds: list[World] = []
    for name, samples in decoded:
        world = analyse(samples, ANALYSIS_RATE, aperiodicity=False) if len(samples) else None
        f0 = world.f0 if world is not None else np.zeros(0)
        report = check_signal(samples, f0, name)
        checks.append(SampleCheck(name, report))
        reasons.extend(report.reasons)
        if world is not None:
            worlds.append(world)
    total = sum(c.report.duration_s for c in checks)
    if not reasons and total < MIN_TOTAL_S:
        reasons.append(Reason("voice.reason.too_short", {"seconds": round(total), "min": round(MIN_TOTAL_S)}))
    if total > MAX_TOTAL_S:
        reasons.append(Reason("voice.reason.too_long", {"seconds": round(total), "max": round(MAX_TOTAL_S)}))
    if reasons:
        return ProfileAnalysis(tuple(checks), tuple(reasons), None)
    vectors = [v for _, samples in decoded if (v := embed(samples)) is not None]
    if not vectors:
        reasons.append(Reason("voice.reason.no_speech", {"name": paths[0].name, "percent": 0}))
        return ProfileAnalysis(tuple(checks), tuple(reasons), None)
    lowest = min((cosine(a, b) for i, a in enumerate(vectors) for b in vectors[i + 1 :]), default=1.0)
    if lowest < MIN_SAME_SPEAKER:
        reasons.append(Reason("voice.reason.different_speakers", {"similarity": round(lowest, 2)}))
        return ProfileAnalysis(tuple(checks), tuple(reasons), None)
    mean = np.mean(np.stack(vectors), axis=0)
    mean = mean / max(float(np.linalg.norm(mean)), 1e-9)
    profile = VoiceProfile(
        embedding=tuple(float(v) for v in mean),
        stats=voice_stats(worlds),
        duration_s=total,
        speech_s=sum(c.report.speech_s for c in checks),
    )
    return ProfileAnalysis(tuple(checks), (), profile)
