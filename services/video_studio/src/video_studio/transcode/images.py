"""Poster frame and preview sprite sheet (+ WebVTT thumbnails track) for a video."""

from __future__ import annotations

import math
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from video_studio.errors import CorruptVideoError
from video_studio.transcode.ffmpeg import SAFE_INPUT_OPTIONS, input_url, run_ffmpeg
from video_studio.transcode.playlists import write_text_atomic
from video_studio.transcode.probe import ProbeResult, probe

# Long sources: decode keyframes only for the sprite (thumbnails land on the nearest keyframe).
KEYFRAMES_ONLY_AFTER_S = 600.0


@dataclass(frozen=True)
class Poster:
    path: str
    width: int
    height: int
    at_s: float


@dataclass(frozen=True)
class Sprite:
    path: str  # the JPEG sheet
    vtt_path: str  # WebVTT: one cue per tile, "<image>#xywh=x,y,w,h"
    tile_width: int
    tile_height: int
    columns: int
    rows: int
    count: int  # tiles (= cues)
    interval_s: float


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def _fit(width: int, height: int, max_short_side: int) -> tuple[int, int]:
    short = min(width, height)
    if short <= max_short_side:
        return _even(width), _even(height)
    factor = max_short_side / short
    return _even(width * factor), _even(height * factor)


def make_poster(
    input_path: str | os.PathLike[str],
    out_jpg: str | os.PathLike[str],
    at_s: float | None = None,
    *,
    probe_result: ProbeResult | None = None,
    max_short_side: int = 1080,
) -> Poster:
    """One JPEG frame at `at_s` (default: 10% into the video), display-oriented, short side
    capped at `max_short_side`. Written atomically to `out_jpg` (a rerun overwrites it)."""
    info = probe_result if probe_result is not None else probe(input_path)
    if at_s is None:
        at_s = info.duration_s * 0.10
    at_s = max(0.0, min(at_s, max(0.0, info.duration_s - 0.1)))
    width, height = _fit(info.width, info.height, max_short_side)
    out = Path(out_jpg)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(out.name + ".tmp.jpg")
    for seek in (at_s, 0.0):
        args = [
            "-y", "-ss", f"{seek:.3f}", *SAFE_INPUT_OPTIONS, "-i", input_url(input_path),
            "-map", "0:v:0", "-frames:v", "1",
            "-vf", f"scale={width}:{height},setsar=1",
            "-q:v", "3", "-update", "1", "-f", "image2", str(tmp),
        ]  # fmt: skip
        run_ffmpeg(args, check=seek == 0.0)
        if tmp.exists() and tmp.stat().st_size > 0:
            os.replace(tmp, out)
            return Poster(path=str(out), width=width, height=height, at_s=round(seek, 3))
    raise CorruptVideoError("The video file is truncated or corrupt: no frame could be decoded")


def _vtt_time(seconds: float) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def auto_interval(duration_s: float, max_tiles: int) -> float:
    """About 100 thumbnails, at least 2 s apart, never more than `max_tiles`."""
    interval = max(2.0, duration_s / 100.0)
    if duration_s / interval > max_tiles:
        interval = duration_s / max_tiles
    return round(interval, 3)


def make_sprite(
    input_path: str | os.PathLike[str],
    out_jpg: str | os.PathLike[str],
    out_vtt: str | os.PathLike[str],
    interval_s: float | None = None,
    *,
    tile_width: int = 160,
    columns: int = 10,
    max_tiles: int = 400,
    image_url: str | None = None,
    probe_result: ProbeResult | None = None,
) -> Sprite:
    """A sprite sheet of thumbnails every `interval_s` seconds (tiles `tile_width` wide, left to
    right, top to bottom) and a WebVTT file mapping each time range to its tile with #xywh.

    `image_url` is what the VTT cues reference (default: the sheet's file name, i.e. a URL
    relative to the VTT's own location).
    """
    info = probe_result if probe_result is not None else probe(input_path)
    if interval_s is None:
        interval_s = auto_interval(info.duration_s, max_tiles)
    if interval_s <= 0:
        raise ValueError("interval_s must be positive")
    tile_w = _even(tile_width)
    tile_h = _even(tile_w * info.height / info.width)
    out = Path(out_jpg)
    vtt = Path(out_vtt)
    out.parent.mkdir(parents=True, exist_ok=True)
    vtt.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="sprite-", dir=out.parent))
    try:
        decode_opts = ["-skip_frame", "nokey"] if info.duration_s > KEYFRAMES_ONLY_AFTER_S else []
        args = [
            "-y", *decode_opts, *SAFE_INPUT_OPTIONS, "-i", input_url(input_path),
            "-map", "0:v:0", "-frames:v", str(max_tiles),
            "-vf", f"fps=fps={1.0 / interval_s:.6f},scale={tile_w}:{tile_h},setsar=1",
            "-f", "image2", str(work / "t_%05d.png"),
        ]  # fmt: skip
        run_ffmpeg(args)
        count = len(list(work.glob("t_*.png")))
        if count == 0:
            raise CorruptVideoError("The video file is truncated or corrupt: no frame could be decoded")
        cols = min(columns, count)
        rows = math.ceil(count / cols)
        tmp = out.with_name(out.name + ".tmp.jpg")
        args = [
            "-y", "-framerate", "1", "-i", str(work / "t_%05d.png"),
            "-vf", f"tile={cols}x{rows}", "-frames:v", "1",
            "-q:v", "4", "-update", "1", "-f", "image2", str(tmp),
        ]  # fmt: skip
        run_ffmpeg(args)
        os.replace(tmp, out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    ref = image_url if image_url is not None else out.name
    lines = ["WEBVTT", ""]
    for i in range(count):
        start = i * interval_s
        end = info.duration_s if i == count - 1 else min((i + 1) * interval_s, info.duration_s)
        end = max(end, start + 0.001)
        x, y = (i % cols) * tile_w, (i // cols) * tile_h
        lines += [
            f"{_vtt_time(start)} --> {_vtt_time(end)}",
            f"{ref}#xywh={x},{y},{tile_w},{tile_h}",
            "",
        ]
    write_text_atomic(vtt, "\n".join(lines))
    return Sprite(
        path=str(out),
        vtt_path=str(vtt),
        tile_width=tile_w,
        tile_height=tile_h,
        columns=cols,
        rows=rows,
        count=count,
        interval_s=interval_s,
    )
