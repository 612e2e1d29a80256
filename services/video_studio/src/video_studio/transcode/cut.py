"""Cut a time range out of a video: a frame-accurate, video-only re-encode (the studio decodes a
reference's marked range, plus a margin, instead of the whole instructor video)."""

from __future__ import annotations

import math
import os
from pathlib import Path

from video_studio.errors import InvalidInputError
from video_studio.transcode.ffmpeg import (
    SAFE_INPUT_OPTIONS,
    FfmpegFailed,
    ProgressCallback,
    input_url,
    run_ffmpeg,
)

CUT_TIMEOUT_S = 600.0


def cut_range(
    source: str | os.PathLike[str],
    out: str | os.PathLike[str],
    start_s: float,
    length_s: float,
    *,
    progress: ProgressCallback | None = None,
    timeout_s: float = CUT_TIMEOUT_S,
) -> Path:
    """Re-encode [start_s, start_s + length_s) of `source` into `out` (H.264 yuv420p, no audio,
    subtitles or data; input seek, so the cut is frame-accurate). A rerun overwrites `out`.

    `progress(fraction, stage)` gets monotonic fractions while ffmpeg encodes ("cut") and ends
    with (1.0, "done"). Raises InvalidInputError when the source cannot be decoded in the range
    or the range holds no video frames (e.g. it starts past the end); ValueError for a negative
    or non-finite start or a non-positive length (a caller bug, not bad input).
    """
    if not (math.isfinite(start_s) and math.isfinite(length_s)) or start_s < 0 or length_s <= 0:
        raise ValueError(f"invalid range: start_s={start_s!r}, length_s={length_s!r}")
    target = Path(out)
    if not os.path.isfile(source):
        raise InvalidInputError("The video file was not found")
    args = [
        *SAFE_INPUT_OPTIONS,
        "-ss", f"{start_s:.3f}",
        "-i", input_url(source),
        "-t", f"{length_s:.3f}",
        "-map", "0:v:0", "-an", "-sn", "-dn",
        "-c:v", "libx264", "-preset", "ultrafast", "-crf", "16", "-pix_fmt", "yuv420p",
        "-y", str(target),
    ]  # fmt: skip

    def on_fraction(fraction: float) -> None:
        if progress is not None:
            progress(fraction, "cut")

    try:
        run = run_ffmpeg(args, duration_s=length_s, on_progress=on_fraction, timeout_s=timeout_s)
    except FfmpegFailed as exc:
        raise InvalidInputError(
            "The video could not be decoded in the marked range.", reason_code="range_not_decodable"
        ) from exc
    # A range past the end exits 0 with a header-only file: ffmpeg says so on stderr.
    nothing = "output file is empty, nothing was encoded" in run.stderr.lower()
    if nothing or not target.is_file() or target.stat().st_size == 0:
        raise InvalidInputError("The marked range holds no video frames.", reason_code="range_empty")
    if progress is not None:
        progress(1.0, "done")
    return target
