"""Visual output: an overlay video of the attempt and angle-over-time plots."""

from __future__ import annotations

import subprocess
from pathlib import Path

import cv2
import numpy as np
import numpy.typing as npt

from video_studio.errors import InvalidInputError
from video_studio.joints import ANGLES, JOINTS
from video_studio.pose.compare import Comparison
from video_studio.pose.features import FloatArray
from video_studio.skeleton.names import CONNECTIONS, INDEX
from video_studio.skeleton.video import FrameReader, probe_video

_GREEN = (60, 220, 90)
_RED = (235, 40, 40)
_GHOST = (235, 235, 235)
_IGNORED = (150, 150, 150)  # lead-in / lead-out: outside the window matched to the reference
_L_HIP, _R_HIP = INDEX["left_hip"], INDEX["right_hip"]
_L_SH, _R_SH = INDEX["left_shoulder"], INDEX["right_shoulder"]
MAX_OUTPUT_SIDE = 1280


def _vertex(joint: str) -> list[int]:
    if joint == "trunk":
        return [_L_HIP, _R_HIP, _L_SH, _R_SH]
    return [INDEX[ANGLES[joint][1]]]


def _draw(
    img: npt.NDArray[np.uint8], pts: FloatArray, colour: tuple[int, int, int], thick: int, red: set[int]
) -> None:
    for a, b in CONNECTIONS:
        if pts[a, 3] < 0.3 or pts[b, 3] < 0.3:
            continue
        c = _RED if a in red and b in red else colour
        cv2.line(
            img, (int(pts[a, 0]), int(pts[a, 1])), (int(pts[b, 0]), int(pts[b, 1])), c, thick, cv2.LINE_AA
        )
    for k in range(11, 33):
        if pts[k, 3] >= 0.3:
            cv2.circle(
                img,
                (int(pts[k, 0]), int(pts[k, 1])),
                thick + (3 if k in red else 1),
                _RED if k in red else colour,
                -1,
                cv2.LINE_AA,
            )


def _ghost(ref: FloatArray, att: FloatArray) -> FloatArray:
    """The reference pose moved onto the attempt: same hip centre, same torso length."""

    def frame_of(p: FloatArray) -> tuple[FloatArray, float]:
        hip = (p[_L_HIP, :2] + p[_R_HIP, :2]) / 2
        sh = (p[_L_SH, :2] + p[_R_SH, :2]) / 2
        return hip, float(np.linalg.norm(sh - hip))

    rh, rs = frame_of(ref)
    ah, as_ = frame_of(att)
    out = ref.copy()
    out[:, :2] = (ref[:, :2] - rh) * (as_ / max(rs, 1e-6)) + ah
    return out


def _ffmpeg_writer(path: Path, width: int, height: int, fps: float) -> subprocess.Popen[bytes]:
    import imageio_ffmpeg

    cmd = [
        imageio_ffmpeg.get_ffmpeg_exe(),
        "-y",
        "-loglevel",
        "error",
        "-f",
        "rawvideo",
        "-pix_fmt",
        "rgb24",
        "-s",
        f"{width}x{height}",
        "-r",
        f"{fps:.6f}",
        "-i",
        "-",
        "-an",
        "-c:v",
        "libx264",
        "-preset",
        "veryfast",
        "-crf",
        "23",
        "-pix_fmt",
        "yuv420p",
        "-movflags",
        "+faststart",
        str(path),
    ]
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stderr=subprocess.PIPE)


def render_overlay(comparison: Comparison, attempt_video: str | Path, out_path: str | Path) -> Path:
    """H.264 mp4 of the attempt with its skeleton (faulty joints in red while their feedback
    applies) and the DTW-aligned reference drawn over it as a white ghost. Frames outside the
    window matched to the reference (lead-in / lead-out) show the skeleton in grey, no ghost."""
    info = probe_video(attempt_video)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    seq = comparison.attempt_original
    row_of = {idx: r for r, idx in enumerate(seq.indices)}
    ref_of = comparison.ref_for_attempt()
    w_first, w_last = comparison.window
    w_last = w_last if w_last >= 0 else len(seq) - 1
    items = comparison.report["feedback"]
    scale = min(1.0, MAX_OUTPUT_SIDE / max(info.width, info.height))
    w = round(info.width * scale / 2) * 2
    h = round(info.height * scale / 2) * 2
    thick = max(2, round(max(info.width, info.height) / 300))
    proc = _ffmpeg_writer(out, w, h, info.fps)
    assert proc.stdin is not None
    try:
        with FrameReader(info) as reader:
            for index, t, rgb in reader:
                img = np.ascontiguousarray(rgb)
                r = row_of.get(index)
                if r is not None and not w_first <= r <= w_last:
                    _draw(img, seq.points[r], _IGNORED, thick, set())
                elif r is not None:
                    att = seq.points[r]
                    red: set[int] = set()
                    for item in items:
                        if item["t_start"] <= t <= item["t_end"]:
                            red.update(_vertex(item["joint"]))
                    ref_row = ref_of[r]
                    if ref_row >= 0:
                        ref_pts = comparison.ref.points[ref_row]
                        if comparison.report["mirrored"]:
                            ref_pts = ref_pts.copy()
                            ref_pts[:, 0] = -ref_pts[:, 0]
                        _draw(img, _ghost(ref_pts, att), _GHOST, max(1, thick // 2), set())
                    _draw(img, att, _GREEN, thick, red)
                if scale != 1.0 or img.shape[:2] != (h, w):
                    img = np.asarray(cv2.resize(img, (w, h), interpolation=cv2.INTER_AREA), dtype=np.uint8)
                proc.stdin.write(img.tobytes())
    finally:
        proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        code = proc.wait()
    if code != 0:
        raise InvalidInputError(f"could not encode the overlay video: {err.strip()[:200]}")
    return out


def key_joints(comparison: Comparison, min_range_deg: float = 15.0) -> list[str]:
    """Joints worth plotting: those with feedback, then those that move in the reference."""
    named = [f["joint"] for f in comparison.report["feedback"]]
    if comparison.report["mirrored"]:
        from video_studio.pose.compare import swap_sides

        named = [swap_sides(j) for j in named]
    out = list(dict.fromkeys(j for j in named if j in comparison.joints))
    for j in comparison.joints:
        k = JOINTS.index(j)
        col = comparison.ref_angles[:, k]
        if j not in out and float(col.max() - col.min()) >= min_range_deg:
            out.append(j)
    return out


def render_angle_plots(
    comparison: Comparison, out_dir: str | Path, joints: list[str] | None = None
) -> list[Path]:
    """One PNG per key joint: reference angle and DTW-aligned attempt angle over reference time,
    with the phases that received feedback for that joint shaded."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    t = comparison.ref.times
    aligned = comparison.attempt_angles_on_ref()
    faulty = {(f["joint"], f["phase"]) for f in comparison.report["feedback"]}
    if comparison.report["mirrored"]:
        from video_studio.pose.compare import swap_sides

        faulty = {(swap_sides(j), p) for j, p in faulty}
    window = comparison.report.get("attempt_window")
    times = comparison.attempt_original.times
    window_title = ""
    if window and (window["t_start"] > times[0] + 1e-6 or window["t_end"] < times[-1] - 1e-6):
        window_title = f"attempt {window['t_start']:.2f}-{window['t_end']:.2f} s (lead-in / lead-out ignored)"
    paths: list[Path] = []
    for joint in joints or key_joints(comparison):
        k = JOINTS.index(joint)
        fig, ax = plt.subplots(figsize=(7, 3.2), dpi=100)
        for name, a, b in comparison.phase_bounds:
            if (joint, name) in faulty:
                ax.axvspan(
                    t[a], t[b] if b > a else t[a] + 1e-3, color="red", alpha=0.15, label=f"fault: {name}"
                )
            ax.axvline(t[a], color="grey", lw=0.5)
            ax.text(t[a], 1.0, name, transform=ax.get_xaxis_transform(), fontsize=8, va="bottom")
        ax.plot(t, comparison.ref_angles[:, k], label="reference", color="black")
        ax.plot(t, aligned[:, k], label="attempt (aligned)", color="tab:blue")
        ax.set_xlabel("reference time (s)")
        ax.set_ylabel(f"{joint.replace('_', ' ')} angle (°)")
        if window_title:
            ax.set_title(window_title, fontsize=8)
        ax.legend(fontsize=8, loc="best")
        fig.tight_layout()
        path = directory / f"angle_{joint}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths
