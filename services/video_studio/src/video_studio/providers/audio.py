"""Getting speech audio out of a media file with the bundled ffmpeg (one place for every STT)."""

from __future__ import annotations

import io
import wave
from pathlib import Path
from typing import Final

import numpy as np
import numpy.typing as npt

from video_studio.transcode.ffmpeg import SAFE_INPUT_OPTIONS, FfmpegFailed, input_url, run_ffmpeg

SPEECH_RATE: Final = 16_000  # Hz; what Whisper works at


def speech_wav(source: Path, out: Path, *, max_seconds: float | None = None, timeout_s: float = 1800) -> Path:
    """The first audio track as 16 kHz mono 16-bit WAV (the recognisers' native input)."""
    limit = ["-t", f"{max_seconds:.3f}"] if max_seconds else []
    run_ffmpeg(
        [*SAFE_INPUT_OPTIONS, "-i", input_url(source), *limit, "-vn", "-map", "0:a:0", "-ac", "1",
         "-ar", str(SPEECH_RATE), "-c:a", "pcm_s16le", "-y", str(out)],
        timeout_s=timeout_s,
    )  # fmt: skip
    return out


def compact_speech(source: Path, out: Path, *, bitrate_kbps: int = 24, timeout_s: float = 1800) -> Path:
    """Mono Opus in Ogg at a speech bitrate (about 11 MB per hour at 24 kb/s), for uploads to a
    cloud recogniser with a file-size cap."""
    try:
        run_ffmpeg(
            [*SAFE_INPUT_OPTIONS, "-i", input_url(source), "-vn", "-map", "0:a:0", "-ac", "1",
             "-ar", str(SPEECH_RATE), "-c:a", "libopus", "-b:a", f"{bitrate_kbps}k", "-application", "voip",
             "-y", str(out)],
            timeout_s=timeout_s,
        )  # fmt: skip
    except FfmpegFailed as exc:
        raise ValueError(f"cannot re-encode {source.name} for upload: {exc.stderr_tail[-300:]}") from exc
    return out


def read_wav_bytes(data: bytes) -> tuple[npt.NDArray[np.float32], int]:
    """A 16-bit PCM WAV in memory -> mono float32 in -1..1 and its rate. A header written to a pipe
    (espeak-ng --stdout, streamed TTS answers) cannot be patched afterwards and gives no true sizes,
    so the RIFF and data sizes are set from the real length first."""
    pos = data.find(b"data", 12)
    if data[:4] == b"RIFF" and pos >= 0:
        body = (len(data) - (pos + 8)) // 2 * 2
        data = (
            data[:4] + (pos + body).to_bytes(4, "little") + data[8 : pos + 4] + body.to_bytes(4, "little")
            + data[pos + 8 : pos + 8 + body]
        )  # fmt: skip
    with wave.open(io.BytesIO(data), "rb") as src:
        channels, width, rate = src.getnchannels(), src.getsampwidth(), src.getframerate()
        raw = src.readframes(src.getnframes())
    if width != 2:
        raise ValueError(f"expected 16-bit PCM, got {8 * width}-bit")
    pcm = np.frombuffer(raw, "<i2").astype(np.float32) / 32768.0
    if channels > 1:
        pcm = pcm.reshape(-1, channels).mean(axis=1)
    return pcm.astype(np.float32), rate


def pcm16_to_float(data: bytes) -> npt.NDArray[np.float32]:
    """Raw little-endian 16-bit mono PCM (ElevenLabs' pcm_* formats) -> float32 in -1..1."""
    usable = len(data) // 2 * 2
    return (np.frombuffer(data[:usable], "<i2").astype(np.float32) / 32768.0).astype(np.float32)
