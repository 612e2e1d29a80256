"""Multi-speaker dubs: who speaks each segment (diarisation by clustering the segments' speaker
embeddings) and which voice each speaker gets, the same one for the whole video.

Clustering is agglomerative (average linkage, cosine distance, scipy) cut at `threshold`: two
segments of one person are about 0.75-0.95 alike, different people lower. Segments too short to
embed join the speaker of their nearest neighbour in time.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Final

import numpy as np
import numpy.typing as npt

from video_studio.providers.base import Voice
from video_studio.voice.audio import ANALYSIS_RATE, FloatArray
from video_studio.voice.embedding import cosine, embed

SAME_SPEAKER_DISTANCE: Final = 0.3  # 1 - cosine similarity
MIN_PROFILE_MATCH: Final = 0.6
# Stock espeak-ng voices, as distinct from each other as espeak-ng allows, per language.
STOCK_VOICES: Final = {
    "it": (Voice("it+m3", 40), Voice("it+f3", 70), Voice("it+m7", 25), Voice("it+f5", 85)),
    "en": (Voice("en-us+m3", 40), Voice("en-us+f3", 70), Voice("en-us+m7", 25), Voice("en-us+f5", 85)),
}


def diarise(
    audio: FloatArray, spans: Sequence[tuple[float, float]], *, threshold: float = SAME_SPEAKER_DISTANCE
) -> tuple[list[int], dict[int, npt.NDArray[np.float32]]]:
    """A speaker number per span (0 speaks most), and each speaker's mean embedding.
    `audio` is the source at ANALYSIS_RATE."""
    vectors: list[npt.NDArray[np.float32] | None] = []
    for start, end in spans:
        piece = audio[int(start * ANALYSIS_RATE) : int(end * ANALYSIS_RATE)]
        vectors.append(embed(piece) if len(piece) else None)
    known = [k for k, v in enumerate(vectors) if v is not None]
    labels = [-1] * len(spans)
    if len(known) == 1:
        labels[known[0]] = 0
    elif len(known) > 1:
        from scipy.cluster.hierarchy import fcluster, linkage

        matrix = np.stack([vectors[k] for k in known])  # type: ignore[misc]
        tree = linkage(matrix, method="average", metric="cosine")
        for k, label in zip(known, fcluster(tree, t=threshold, criterion="distance"), strict=True):
            labels[k] = int(label)
    for k in range(len(spans)):
        if labels[k] == -1 and known:
            nearest = min(known, key=lambda j: abs(spans[j][0] - spans[k][0]))
            labels[k] = labels[nearest]
        elif labels[k] == -1:
            labels[k] = 0
    talk: dict[int, float] = {}
    for (start, end), label in zip(spans, labels, strict=True):
        talk[label] = talk.get(label, 0.0) + (end - start)
    order = {label: rank for rank, label in enumerate(sorted(talk, key=lambda lb: (-talk[lb], lb)))}
    renumbered = [order[label] for label in labels]
    centroids: dict[int, npt.NDArray[np.float32]] = {}
    for speaker in set(renumbered):
        members = [
            vectors[k] for k in range(len(spans)) if renumbered[k] == speaker and vectors[k] is not None
        ]
        if members:
            mean = np.mean(np.stack(members), axis=0)  # type: ignore[arg-type]
            centroids[speaker] = (mean / max(float(np.linalg.norm(mean)), 1e-9)).astype(np.float32)
    return renumbered, centroids


@dataclass(frozen=True)
class Casting:
    """The voice of one speaker: a profile (by its index in the list given) converted from the
    provider's voice, or a stock voice."""

    speaker: int
    voice: Voice
    profile: int | None
    match: float | None  # similarity of the speaker to the profile, when matched by voice

    def to_dict(self) -> dict[str, Any]:
        return {
            "speaker": self.speaker,
            "voice": {"id": self.voice.id, "pitch": self.voice.pitch},
            "profile": self.profile,
            "match": None if self.match is None else round(self.match, 4),
        }


def cast(
    speakers: Sequence[int],
    centroids: dict[int, npt.NDArray[np.float32]],
    profiles: Sequence[npt.NDArray[np.float32]],
    *,
    base_voice: Voice,
    stock: Sequence[Voice],
) -> dict[int, Casting]:
    """Profiles go to the speakers that sound most like them (greedy, best pair first, at least
    MIN_PROFILE_MATCH); with one profile and no such match the main speaker (0) gets it - the
    instructor dubbing their own lesson. Everyone else gets the next stock voice."""
    chosen: dict[int, Casting] = {}
    pairs = sorted(
        (
            (cosine(centroids[s], p), s, i)
            for s in set(speakers)
            if s in centroids
            for i, p in enumerate(profiles)
        ),
        reverse=True,
    )
    used: set[int] = set()
    for score, speaker, index in pairs:
        if score >= MIN_PROFILE_MATCH and speaker not in chosen and index not in used:
            chosen[speaker] = Casting(speaker, base_voice, index, score)
            used.add(index)
    if len(profiles) == 1 and not chosen and 0 in set(speakers):
        chosen[0] = Casting(0, base_voice, 0, None)
    spare = iter(stock)
    for speaker in sorted(set(speakers)):
        if speaker not in chosen:
            chosen[speaker] = Casting(speaker, next(spare, base_voice), None, None)
    return chosen
