"""Speaker embeddings: resemblyzer's GE2E encoder (Apache-2.0; its 17 MB `pretrained.pt` ships in
the PyPI package, nothing is downloaded). 256 numbers per utterance, unit length, compared by
cosine similarity (same speaker: about 0.75 and up; different speakers: lower)."""

from __future__ import annotations

import threading
from typing import TYPE_CHECKING, Final

import numpy as np
import numpy.typing as npt

from video_studio.providers.base import ProviderError
from video_studio.voice.audio import ANALYSIS_RATE, FloatArray

if TYPE_CHECKING:
    from resemblyzer import VoiceEncoder

ENCODER: Final = "resemblyzer-ge2e-0.1.4"
MIN_SECONDS: Final = 0.5  # shorter than this the encoder's answer means little
_lock = threading.Lock()
_encoder: list[VoiceEncoder] = []


def encoder() -> VoiceEncoder:
    with _lock:
        if not _encoder:
            try:
                from resemblyzer import VoiceEncoder
            except ImportError as exc:
                raise ProviderError(
                    "the speaker encoder (resemblyzer, torch) is not installed", code="model_missing",
                    retryable=False,
                ) from exc  # fmt: skip
            _encoder.append(VoiceEncoder("cpu", verbose=False))
        return _encoder[0]


def embed(samples: FloatArray, rate: int = ANALYSIS_RATE) -> npt.NDArray[np.float32] | None:
    """The utterance's embedding, or None when there is too little speech in it."""
    from resemblyzer import preprocess_wav

    wav = preprocess_wav(samples.astype(np.float32), source_sr=rate)  # 16 kHz, level, long pauses out
    if len(wav) < MIN_SECONDS * ANALYSIS_RATE:
        return None
    vector = encoder().embed_utterance(wav)
    return np.asarray(vector, dtype=np.float32)


def cosine(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> float:
    na, nb = float(np.linalg.norm(a)), float(np.linalg.norm(b))
    if na == 0.0 or nb == 0.0:
        return 0.0
    return float(np.dot(a, b) / (na * nb))
