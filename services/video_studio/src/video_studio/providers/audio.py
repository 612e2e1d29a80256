"""Getting speech audio out of a media file with the bundled ffmpeg (one place for every STT)."""

from __future__ import annotations

from pathlib import Path
from typing import Final

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
