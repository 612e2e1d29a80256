"""HLS packaging benchmark: our transcode_hls vs the bare single ffmpeg command, same run.

For each clip (a generated 20 s 1280x720 testsrc2 + sine clip, and the shared squat clip when
present) it times, alternately and `--repeat` times (best kept):
  ours  - video_studio.transcode.transcode_hls (probe + one ffmpeg + master playlist we write)
  bare  - the plain ffmpeg command producing the same ladder, written inline below
and prints `hls packaging: ours=Xs bare=Ys ratio=Z`. `--strategies` also times one ffmpeg
process per rung, run in parallel, which is the alternative design we measured against.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from video_studio.transcode import ffmpeg_exe, plan_ladder, probe, transcode_hls

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("STUDIO_FIXTURES", REPO.parent / "shared" / "fixtures"))


def bare_single(src: Path, out: Path) -> None:
    """The plain command: decode once, split, scale, x264 + AAC per rung, HLS with a master."""
    info = probe(src)
    rungs = plan_ladder(info.width, info.height)
    n = len(rungs)
    graph = f"[0:v]split={n}" + "".join(f"[s{i}]" for i in range(n))
    graph += "".join(f";[s{i}]scale={r.width}:{r.height}[v{i}]" for i, r in enumerate(rungs))
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(src)]
    cmd += ["-filter_complex", graph]
    for i in range(n):
        cmd += ["-map", f"[v{i}]"]
        if info.has_audio:
            cmd += ["-map", "0:a:0"]
    cmd += ["-c:v", "libx264", "-preset", "veryfast", "-crf", "21", "-pix_fmt", "yuv420p"]
    cmd += ["-force_key_frames", "expr:gte(t,n_forced*6)", "-sc_threshold", "0"]
    for i, r in enumerate(rungs):
        cmd += [f"-maxrate:v:{i}", f"{r.max_video_kbps}k", f"-bufsize:v:{i}", f"{2 * r.max_video_kbps}k"]
    if info.has_audio:
        cmd += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"]
    audio = ",a:{i}" if info.has_audio else ""
    streams = [f"v:{i}{audio.format(i=i)},name:{r.name}" for i, r in enumerate(rungs)]
    cmd += ["-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod"]
    cmd += ["-hls_segment_filename", str(out / "%v" / "seg_%05d.ts"), "-master_pl_name", "master.m3u8"]
    cmd += ["-var_stream_map", " ".join(streams), str(out / "%v" / "index.m3u8")]
    subprocess.run(cmd, check=True)


def bare_per_rung(src: Path, out: Path) -> None:
    """The alternative: one ffmpeg per rung, all started at once (each decodes the source)."""
    info = probe(src)
    procs = []
    for r in plan_ladder(info.width, info.height):
        (out / r.name).mkdir(parents=True, exist_ok=True)
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-i", str(src)]
        cmd += ["-vf", f"scale={r.width}:{r.height}", "-c:v", "libx264", "-preset", "veryfast"]
        cmd += ["-crf", "21", "-maxrate", f"{r.max_video_kbps}k", "-bufsize", f"{2 * r.max_video_kbps}k"]
        cmd += ["-pix_fmt", "yuv420p", "-force_key_frames", "expr:gte(t,n_forced*6)", "-sc_threshold", "0"]
        if info.has_audio:
            cmd += ["-c:a", "aac", "-b:a", "128k", "-ac", "2", "-ar", "48000"]
        else:
            cmd += ["-an"]
        cmd += ["-f", "hls", "-hls_time", "6", "-hls_playlist_type", "vod"]
        cmd += ["-hls_segment_filename", str(out / r.name / "seg_%05d.ts"), str(out / r.name / "index.m3u8")]
        procs.append(subprocess.Popen(cmd))
    for proc in procs:
        if proc.wait() != 0:
            raise SystemExit(f"ffmpeg failed: {proc.args!r}")


def ours(src: Path, out: Path) -> None:
    transcode_hls(src, out)


def timed(fn: Callable[[Path, Path], None], src: Path, work: Path) -> float:
    out = work / "out"
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    started = time.perf_counter()
    fn(src, out)
    return time.perf_counter() - started


def generate_clip(path: Path, seconds: int) -> Path:
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
         "-c:a", "aac", str(path)],
        check=True,
    )  # fmt: skip
    return path


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=int, default=20, help="length of the generated clip")
    parser.add_argument("--repeat", type=int, default=2, help="runs of each, best kept")
    parser.add_argument("--strategies", action="store_true", help="also time one ffmpeg per rung")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="bench_hls-") as tmp:
        work = Path(tmp)
        clips = [generate_clip(work / "testsrc2_720p.mp4", args.seconds)]
        squats = FIXTURES / "pose_squats.mp4"
        if squats.exists():
            clips.append(squats)
        for clip in clips:
            info = probe(clip)
            rungs = ",".join(r.name for r in plan_ladder(info.width, info.height))
            print(
                f"clip {clip.name}: {info.width}x{info.height} {info.duration_s:.1f}s "
                f"audio={info.has_audio} rungs={rungs} cores={os.cpu_count()}"
            )
            contenders: dict[str, Callable[[Path, Path], None]] = {"ours": ours, "bare": bare_single}
            if args.strategies:
                contenders["per_rung"] = bare_per_rung
            best = {name: float("inf") for name in contenders}
            for _ in range(args.repeat):
                for name, fn in contenders.items():
                    best[name] = min(best[name], timed(fn, clip, work))
            ratio = best["ours"] / best["bare"]
            print(f"hls packaging: ours={best['ours']:.2f}s bare={best['bare']:.2f}s ratio={ratio:.2f}")
            if args.strategies:
                print(
                    f"hls strategy: single-process={best['bare']:.2f}s "
                    f"per-rung-parallel={best['per_rung']:.2f}s "
                    f"ratio={best['per_rung'] / best['bare']:.2f}"
                )
            print(f"realtime factor (ours): {info.duration_s / best['ours']:.2f}x")
    return 0


if __name__ == "__main__":
    sys.exit(main())
