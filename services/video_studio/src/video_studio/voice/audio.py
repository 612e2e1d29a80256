"""Audio in and out: any container FFmpeg reads (wav, ogg, webm, m4a, mp3, a video's first audio
track) decoded in-process with PyAV to mono float32 at the rate asked; 16-bit WAV written with
the standard library."""

from __future__ import annotations

import wave
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from video_studio.errors import InvalidInputError
from video_studio.providers.audio import read_wav_bytes

FloatArray = npt.NDArray[np.float32]
__all__ = [
    "ANALYSIS_RATE",
    "WORLD_RATE",
    "AudioInputError",
    "decode",
    "read_wav_bytes",
    "resample",
    "write_wav",
]
ANALYSIS_RATE: Final = 16_000  # Hz: VAD, speaker embeddings, STT
WORLD_RATE: Final = 24_000  # Hz: analysis/synthesis and the dub's tracks


class AudioInputError(InvalidInputError):
    """Bad audio input; `reason` is a studio catalogue key (voice.reason.*), `params` its fields."""

    def __init__(self, reason: str, message: str, **params: str | int | float) -> None:
        super().__init__(message)
        self.reason = reason
        self.params = params


def decode(path: Path, *, rate: int = ANALYSIS_RATE, max_seconds: float | None = None) -> FloatArray:
    """The first audio stream of `path`, downmixed to mono and resampled to `rate`."""
    import av

    try:
        container = av.open(str(path))
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise AudioInputError(
            "voice.reason.unreadable", f"{path.name}: not an audio file FFmpeg can read", name=path.name
        ) from exc
    chunks: list[FloatArray] = []
    total = 0
    limit = int(max_seconds * rate) if max_seconds else None
    with container:
        if not container.streams.audio:
            raise AudioInputError("voice.reason.no_audio", f"{path.name}: has no audio track", name=path.name)
        stream = container.streams.audio[0]
        resampler = av.AudioResampler(format="flt", layout="mono", rate=rate)
        try:
            for frame in container.decode(stream):
                for out in resampler.resample(frame):
                    block = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
                    chunks.append(block)
                    total += len(block)
                if limit is not None and total >= limit:
                    break
            for out in resampler.resample(None):
                chunks.append(out.to_ndarray().reshape(-1).astype(np.float32, copy=False))
        except av.FFmpegError as exc:
            raise AudioInputError(
                "voice.reason.unreadable", f"{path.name}: the audio does not decode", name=path.name
            ) from exc
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    return samples[:limit] if limit is not None else samples


def write_wav(path: Path, samples: FloatArray, rate: int) -> Path:
    """Mono 16-bit PCM; samples beyond -1..1 are clipped (clipping is measured before this)."""
    pcm = (np.clip(samples, -1.0, 1.0) * 32767.0).round().astype("<i2")
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(rate)
        out.writeframes(pcm.tobytes())
    return path


def resample(samples: FloatArray, source_rate: int, target_rate: int) -> FloatArray:
    """Band-limited resampling (soxr, which librosa brings)."""
    if source_rate == target_rate:
        return samples.astype(np.float32, copy=False)
    import soxr

    return np.asarray(soxr.resample(samples, source_rate, target_rate), dtype=np.float32)
