"""HLS ladder: one ffmpeg process decodes once, splits, scales and encodes every rung.

Why one process (measured in tests/bench/bench_hls.py, 2 cores): the source is decoded once
instead of once per rung, which dominates for 1080p/HEVC phone uploads; x264's own threads keep
both cores busy. Keyframes are forced on segment boundaries (`-force_key_frames` on t, scene-cut
off), so every segment of every rung starts with an IDR frame and rungs switch cleanly.

Output layout (deterministic names; a rerun replaces the same paths):
    OUT/master.m3u8
    OUT/<rung>/index.m3u8        e.g. 720p/index.m3u8
    OUT/<rung>/seg_00000.ts ...
Rungs are named by the picture's short side, so a portrait 720x1280 upload gets 720p/480p/360p.
"""

from __future__ import annotations

import os
import re
import shutil
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from video_studio.errors import CorruptVideoError
from video_studio.transcode.ffmpeg import (
    SAFE_INPUT_OPTIONS,
    FfmpegFailed,
    ProgressCallback,
    input_url,
    run_ffmpeg,
)
from video_studio.transcode.playlists import (
    VariantEntry,
    h264_codec_string,
    parse_media_playlist,
    render_master_playlist,
    write_text_atomic,
)
from video_studio.transcode.probe import ProbeResult, probe

MASTER_PLAYLIST = "master.m3u8"
VARIANT_PLAYLIST = "index.m3u8"
SEGMENT_PATTERN = "seg_%05d.ts"
STAGING_DIR = ".staging-hls"
AAC_LC = "mp4a.40.2"
MAX_FPS = 60.0
_RUNG_DIR_RE = re.compile(r"^\d+p$")


@dataclass(frozen=True)
class Rung:
    """One ladder step. `short_side`: height of a landscape picture, width of a portrait one."""

    name: str
    short_side: int
    max_video_kbps: int  # capped CRF: x264 -maxrate, -bufsize is twice this
    audio_kbps: int
    profile: str = "high"  # H.264 profile: "high" or "main"


DEFAULT_LADDER: tuple[Rung, ...] = (
    Rung("1080p", 1080, 5000, 128, "high"),
    Rung("720p", 720, 2800, 128, "high"),
    Rung("480p", 480, 1400, 96, "main"),
    Rung("360p", 360, 800, 96, "main"),
)


@dataclass(frozen=True)
class PlannedRung:
    name: str
    width: int
    height: int
    max_video_kbps: int
    audio_kbps: int
    profile: str


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def plan_ladder(
    width: int,
    height: int,
    ladder: Sequence[Rung] = DEFAULT_LADDER,
    *,
    max_short_side: int | None = None,
) -> list[PlannedRung]:
    """The rungs to encode for a display-oriented `width`x`height` source, largest first.

    Never upscales: only rungs whose short side is <= the source's (and <= `max_short_side`).
    When none fits (a source under the smallest rung), one rung at the source size (even dims).
    """
    if width <= 0 or height <= 0:
        raise ValueError("width and height must be positive")
    source_short = min(width, height)
    limit = source_short if max_short_side is None else min(source_short, max_short_side)
    chosen = sorted((r for r in ladder if r.short_side <= limit), key=lambda r: r.short_side, reverse=True)
    if not chosen:
        smallest = min(ladder, key=lambda r: r.short_side)
        short = max(2, limit - limit % 2)  # round down: never upscale, even a pixel
        scale = (short * short) / float(smallest.short_side**2)
        chosen = [
            Rung(
                name=f"{short}p",
                short_side=short,
                max_video_kbps=max(200, int(smallest.max_video_kbps * scale)),
                audio_kbps=smallest.audio_kbps,
                profile=smallest.profile,
            )
        ]
    planned: list[PlannedRung] = []
    for rung in chosen:
        factor = rung.short_side / source_short
        if width <= height:
            w, h = rung.short_side, _even(height * factor)
        else:
            w, h = _even(width * factor), rung.short_side
        planned.append(PlannedRung(rung.name, w, h, rung.max_video_kbps, rung.audio_kbps, rung.profile))
    return planned


@dataclass(frozen=True)
class HlsVariant:
    name: str  # also the directory name: "720p"
    width: int
    height: int
    bandwidth: int  # peak segment bitrate, bits/s (master BANDWIDTH)
    average_bandwidth: int  # bits/s over the whole rendition (master AVERAGE-BANDWIDTH)
    codecs: str  # master CODECS, e.g. "avc1.64001f,mp4a.40.2"
    playlist: str  # relative to out_dir: "720p/index.m3u8"
    segments: tuple[str, ...]  # relative to out_dir: "720p/seg_00000.ts", ...
    segment_durations: tuple[float, ...]


@dataclass(frozen=True)
class HlsResult:
    out_dir: str
    master_playlist: str  # absolute path of master.m3u8
    variants: tuple[HlsVariant, ...]
    duration_s: float
    segment_seconds: int
    has_audio: bool
    elapsed_s: float

    @property
    def files(self) -> list[str]:
        """Every file we wrote, relative to out_dir (for upload to object storage)."""
        names = [MASTER_PLAYLIST]
        for variant in self.variants:
            names.append(variant.playlist)
            names.extend(variant.segments)
        return names

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["files"] = self.files
        return data


def _filter_graph(rungs: Sequence[PlannedRung], fps: float | None) -> str:
    head = "[0:v:0]"
    if fps is not None and fps > MAX_FPS:
        head += f"fps={MAX_FPS:g},"
    labels = [f"[v{i}]" for i in range(len(rungs))]
    scales = [f"scale={r.width}:{r.height}:flags=bicubic,setsar=1,format=yuv420p" for r in rungs]
    if len(rungs) == 1:
        return f"{head}{scales[0]}{labels[0]}"
    split_labels = "".join(f"[s{i}]" for i in range(len(rungs)))
    parts = [f"{head}split={len(rungs)}{split_labels}"]
    parts += [f"[s{i}]{scales[i]}{labels[i]}" for i in range(len(rungs))]
    return ";".join(parts)


def build_hls_command(
    input_path: str | os.PathLike[str],
    out_dir: Path,
    rungs: Sequence[PlannedRung],
    *,
    has_audio: bool,
    fps: float | None,
    segment_seconds: int,
    until_s: float | None = None,
    preset: str = "veryfast",
    crf: int = 21,
    from_s: float = 0.0,
) -> list[str]:
    """ffmpeg arguments (without the binary) writing `<out_dir>/<rung>/index.m3u8` + segments:
    `until_s` seconds of the input from `from_s` (input seek: accurate when re-encoding)."""
    args: list[str] = ["-y", *SAFE_INPUT_OPTIONS]
    if from_s > 0:
        args += ["-ss", f"{from_s:.3f}"]
    if until_s is not None:
        args += ["-t", f"{until_s:.3f}"]
    args += ["-i", input_url(input_path), "-filter_complex", _filter_graph(rungs, fps)]
    for i in range(len(rungs)):
        args += ["-map", f"[v{i}]"]
    if has_audio:
        for _ in rungs:
            args += ["-map", "0:a:0"]
    args += [
        "-c:v", "libx264", "-preset", preset, "-crf", str(crf),
        "-force_key_frames", f"expr:gte(t,n_forced*{segment_seconds})",
        "-sc_threshold", "0",
    ]  # fmt: skip
    for i, rung in enumerate(rungs):
        args += [
            f"-profile:v:{i}", rung.profile,
            f"-maxrate:v:{i}", f"{rung.max_video_kbps}k",
            f"-bufsize:v:{i}", f"{rung.max_video_kbps * 2}k",
        ]  # fmt: skip
    if has_audio:
        args += ["-c:a", "aac", "-profile:a", "aac_low", "-ac", "2", "-ar", "48000"]
        for i, rung in enumerate(rungs):
            args += [f"-b:a:{i}", f"{rung.audio_kbps}k"]
    stream_map = " ".join(
        f"v:{i},a:{i},name:{r.name}" if has_audio else f"v:{i},name:{r.name}" for i, r in enumerate(rungs)
    )
    args += [
        "-f", "hls",
        "-hls_time", str(segment_seconds),
        "-hls_playlist_type", "vod",
        "-hls_list_size", "0",
        "-hls_segment_type", "mpegts",
        "-hls_flags", "independent_segments",
        "-hls_segment_filename", str(out_dir / "%v" / SEGMENT_PATTERN),
        "-var_stream_map", stream_map,
        str(out_dir / "%v" / VARIANT_PLAYLIST),
    ]  # fmt: skip
    return args


def _describe_variant(root: Path, rung: PlannedRung, has_audio: bool) -> HlsVariant:
    playlist = parse_media_playlist((root / rung.name / VARIANT_PLAYLIST).read_text("utf-8"))
    if not playlist.segments or not playlist.ended:
        raise FfmpegFailed(0, f"{rung.name}: ffmpeg wrote an incomplete playlist")
    peak = 0
    total_bytes = 0
    total_s = 0.0
    for uri, duration in playlist.segments:
        size = (root / rung.name / uri).stat().st_size
        total_bytes += size
        total_s += duration
        if duration > 0:
            peak = max(peak, int(size * 8 / duration))
    with open(root / rung.name / playlist.segments[0][0], "rb") as fh:
        video_codec = h264_codec_string(fh.read(64 * 1024))
    if video_codec is None:  # not expected from libx264; fall back to the profile we asked for
        video_codec = "avc1.64001f" if rung.profile == "high" else "avc1.4d001f"
    codecs = f"{video_codec},{AAC_LC}" if has_audio else video_codec
    return HlsVariant(
        name=rung.name,
        width=rung.width,
        height=rung.height,
        bandwidth=max(peak, 1),
        average_bandwidth=max(int(total_bytes * 8 / total_s) if total_s > 0 else peak, 1),
        codecs=codecs,
        playlist=f"{rung.name}/{VARIANT_PLAYLIST}",
        segments=tuple(f"{rung.name}/{uri}" for uri, _ in playlist.segments),
        segment_durations=tuple(d for _, d in playlist.segments),
    )


def _publish(staging: Path, out_dir: Path, names: Sequence[str], master_text: str) -> None:
    """Move the new rung dirs into place, drop rung dirs of an older run, then the master."""
    for name in names:
        target = out_dir / name
        if target.exists():
            shutil.rmtree(target)
        os.replace(staging / name, target)
    for entry in out_dir.iterdir():
        if (
            entry.is_dir()
            and _RUNG_DIR_RE.match(entry.name)
            and entry.name not in names
            and (entry / VARIANT_PLAYLIST).exists()
        ):
            shutil.rmtree(entry)
    write_text_atomic(out_dir / MASTER_PLAYLIST, master_text)


def _encode(
    input_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    rungs: Sequence[PlannedRung],
    info: ProbeResult,
    *,
    segment_seconds: int,
    until_s: float | None,
    progress: ProgressCallback | None,
    preset: str,
    from_s: float = 0.0,
) -> HlsResult:
    if not 2 <= segment_seconds <= 10:
        raise ValueError("segment_seconds must be between 2 and 10")
    started = time.monotonic()
    root = Path(out_dir)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / STAGING_DIR
    if staging.exists():
        shutil.rmtree(staging)
    for rung in rungs:
        (staging / rung.name).mkdir(parents=True)
    left = max(0.0, info.duration_s - from_s)
    duration = left if until_s is None else min(left, until_s)
    fps = info.fps if info.fps is None else min(info.fps, MAX_FPS)
    args = build_hls_command(
        input_path,
        staging,
        rungs,
        has_audio=info.has_audio,
        fps=info.fps,
        segment_seconds=segment_seconds,
        until_s=until_s,
        preset=preset,
        from_s=from_s,
    )

    def on_fraction(fraction: float) -> None:
        if progress is not None:
            progress(0.98 * fraction, "transcode")

    try:
        run_ffmpeg(args, duration_s=duration, on_progress=on_fraction)
        variants = [_describe_variant(staging, rung, info.has_audio) for rung in rungs]
        master = render_master_playlist(
            [
                VariantEntry(
                    uri=v.playlist,
                    bandwidth=v.bandwidth,
                    average_bandwidth=v.average_bandwidth,
                    width=v.width,
                    height=v.height,
                    codecs=v.codecs,
                    frame_rate=fps,
                )
                for v in variants
            ]
        )
        _publish(staging, root, [r.name for r in rungs], master)
    except FfmpegFailed as exc:
        tail = exc.stderr_tail.lower()
        if "no space left" in tail:
            raise OSError(f"no space left on device while writing {root}") from exc
        if "invalid data found" in tail or "error while decoding" in tail:
            raise CorruptVideoError(
                "The video file is truncated or corrupt: it could not be decoded"
            ) from exc
        raise
    finally:
        if staging.exists():
            shutil.rmtree(staging, ignore_errors=True)
    if progress is not None:
        progress(1.0, "done")
    return HlsResult(
        out_dir=str(root),
        master_playlist=str(root / MASTER_PLAYLIST),
        variants=tuple(variants),
        duration_s=round(sum(variants[0].segment_durations), 3),
        segment_seconds=segment_seconds,
        has_audio=info.has_audio,
        elapsed_s=round(time.monotonic() - started, 3),
    )


def transcode_hls(
    input_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    *,
    probe_result: ProbeResult | None = None,
    ladder: Sequence[Rung] = DEFAULT_LADDER,
    segment_seconds: int = 6,
    max_short_side: int | None = None,
    progress: ProgressCallback | None = None,
    preset: str = "veryfast",
) -> HlsResult:
    """Encode `input_path` into an HLS ladder under `out_dir` (see the module docstring).

    `probe_result` skips the probe (the worker already has one); `max_short_side` caps the
    top rung (CLI --max-height). `progress(fraction, stage)` gets monotonic fractions ending
    with (1.0, "done"). Raises InvalidInputError for input we cannot use.
    """
    if progress is not None:
        progress(0.0, "probe")
    info = probe_result if probe_result is not None else probe(input_path)
    rungs = plan_ladder(info.width, info.height, ladder, max_short_side=max_short_side)
    return _encode(
        input_path,
        out_dir,
        rungs,
        info,
        segment_seconds=segment_seconds,
        until_s=None,
        progress=progress,
        preset=preset,
    )


def make_trailer(
    input_path: str | os.PathLike[str],
    out_dir: str | os.PathLike[str],
    seconds: float = 15.0,
    *,
    probe_result: ProbeResult | None = None,
    max_short_side: int = 480,
    segment_seconds: int = 6,
    progress: ProgressCallback | None = None,
    start_s: float = 0.0,
) -> HlsResult:
    """A small public HLS of `seconds` from `start_s` (default: the start): one rung (480p, or
    the source size if smaller), same layout as transcode_hls (`out_dir/master.m3u8`,
    `out_dir/480p/...`). The caller decides the range (the platform caps a trailer's share)."""
    if seconds <= 0:
        raise ValueError("seconds must be positive")
    if start_s < 0:
        raise ValueError("start_s must not be negative")
    if progress is not None:
        progress(0.0, "probe")
    info = probe_result if probe_result is not None else probe(input_path)
    rungs = plan_ladder(info.width, info.height, DEFAULT_LADDER, max_short_side=max_short_side)
    return _encode(
        input_path,
        out_dir,
        rungs[:1],
        info,
        segment_seconds=segment_seconds,
        until_s=seconds,
        progress=progress,
        preset="veryfast",
        from_s=start_s,
    )
