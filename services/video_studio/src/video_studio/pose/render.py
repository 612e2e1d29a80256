"""Pictures of a comparison: a side-by-side video (reference | attempt) and angle plots.

The video shows, at every moment of the attempt, the reference at the aligned moment on the left
and the attempt on the right with its skeleton (the joints of the current cue in red), the
reference's pose moved onto the attempt as a ghost (white with a dark outline, so it stands out on
any background), the score at the top and the current cue at the bottom, in the viewer's language.
Plots show a joint's angle over the reference's time, the reference and each repetition of the
attempt aligned to it, with translated labels, sized for a phone screen.
"""

from __future__ import annotations

import math
import subprocess
from functools import lru_cache
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from video_studio.errors import InvalidInputError
from video_studio.i18n import normalize_language, studio_catalogue
from video_studio.joints import ANGLES, JOINTS
from video_studio.pose.compare import Comparison, swap_sides
from video_studio.pose.features import FloatArray, Sequence, mirrored
from video_studio.pose_report import joint_label, phase_label, render_report
from video_studio.skeleton.names import CONNECTIONS, INDEX
from video_studio.skeleton.video import Frame, FrameReader, VideoInfo, probe_video

_GREEN = (60, 220, 90)
_RED = (235, 40, 40)
_GHOST = (255, 255, 255)
_OUTLINE = (20, 20, 20)
_IGNORED = (150, 150, 150)  # outside every judged repetition (lead-in, lead-out)
_L_HIP, _R_HIP = INDEX["left_hip"], INDEX["right_hip"]
_L_SH, _R_SH = INDEX["left_shoulder"], INDEX["right_shoulder"]
PANEL_HEIGHT = 720  # each side of the video is scaled to this height (at most)


def _vertex(joint: str) -> list[int]:
    if joint == "trunk":
        return [_L_HIP, _R_HIP, _L_SH, _R_SH]
    return [INDEX[ANGLES[joint][1]]]


def _draw(
    img: Frame,
    pts: FloatArray,
    colour: tuple[int, int, int],
    thick: int,
    red: set[int],
    outline: bool = False,
) -> None:
    def p(k: int) -> tuple[int, int]:
        return int(pts[k, 0]), int(pts[k, 1])

    bones = [(a, b) for a, b in CONNECTIONS if pts[a, 3] >= 0.3 and pts[b, 3] >= 0.3]
    if outline:
        for a, b in bones:
            cv2.line(img, p(a), p(b), _OUTLINE, thick + 4, cv2.LINE_AA)
    for a, b in bones:
        c = _RED if a in red and b in red else colour
        cv2.line(img, p(a), p(b), c, thick, cv2.LINE_AA)
    for k in range(11, 33):
        if pts[k, 3] >= 0.3:
            r = thick + (3 if k in red else 1)
            if outline:
                cv2.circle(img, p(k), r + 2, _OUTLINE, -1, cv2.LINE_AA)
            cv2.circle(img, p(k), r, _RED if k in red else colour, -1, cv2.LINE_AA)


def _frame_of(p: FloatArray) -> tuple[FloatArray, float]:
    hip = (p[_L_HIP, :2] + p[_R_HIP, :2]) / 2
    sh = (p[_L_SH, :2] + p[_R_SH, :2]) / 2
    return hip, float(np.linalg.norm(sh - hip))


def ghost_pose(ref: FloatArray, att: FloatArray, *, mirror: bool, turn: int) -> FloatArray:
    """The reference pose placed on the attempt: mirrored when the attempt was done on the other
    side, turned like the attempt's picture, same hip centre and torso length as the attempt."""
    pose = mirrored(ref[None])[0] if mirror else ref.copy()
    if turn % 360:
        th = math.radians(turn)
        rot = np.array([[math.cos(th), -math.sin(th)], [math.sin(th), math.cos(th)]])
        pose[:, :2] = pose[:, :2] @ rot.T
    rh, rs = _frame_of(pose)
    ah, as_ = _frame_of(att)
    pose[:, :2] = (pose[:, :2] - rh) * (as_ / max(rs, 1e-6)) + ah
    return pose


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


@lru_cache
def _font(size: int) -> Any:
    """DejaVu Sans (shipped with matplotlib): accented letters and the degree sign included."""
    import matplotlib
    from PIL import ImageFont

    return ImageFont.truetype(
        str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"), size
    )


def _text_bars(img: Frame, top: str, bottom: str | None) -> Frame:
    """Score bar at the top, the current cue at the bottom (wrapped), on dark translucent bands."""
    from PIL import Image, ImageDraw

    h, w = img.shape[:2]
    size = max(16, round(h / 26))
    font = _font(size)
    canvas = Image.fromarray(img)
    overlay = Image.new("RGBA", canvas.size, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    pad = size // 2
    draw.rectangle((0, 0, w, size + 2 * pad), fill=(0, 0, 0, 160))
    lines: list[str] = []
    if bottom:
        words, line = bottom.split(), ""
        for word in words:
            trial = f"{line} {word}".strip()
            if draw.textlength(trial, font=font) > w - 2 * pad and line:
                lines.append(line)
                line = word
            else:
                line = trial
        lines.append(line)
        lines = lines[:3]
        band = len(lines) * (size + pad // 2) + 2 * pad
        draw.rectangle((0, h - band, w, h), fill=(0, 0, 0, 170))
    canvas = Image.alpha_composite(canvas.convert("RGBA"), overlay)
    draw = ImageDraw.Draw(canvas)
    draw.text((pad, pad), top, font=font, fill=(255, 255, 255))
    for k, line in enumerate(lines):
        y = h - (len(lines) - k) * (size + pad // 2) - pad
        draw.text((pad, y), line, font=font, fill=(255, 230, 120))
    return np.asarray(canvas.convert("RGB"), dtype=np.uint8)


class _ReferenceFrames:
    """Frames of the reference video by frame index; reads forward, reopens to go back."""

    def __init__(self, info: VideoInfo) -> None:
        self.info = info
        self._reader: FrameReader | None = None
        self._iter: Any = None
        self._index = -1
        self._frame: Frame | None = None

    def get(self, index: int) -> Frame | None:
        if self._reader is None or index < self._index:
            self.close()
            self._reader = FrameReader(self.info).__enter__()
            self._iter = iter(self._reader)
            self._index, self._frame = -1, None
        while self._index < index:
            try:
                self._index, _, self._frame = next(self._iter)
            except StopIteration:
                break
        return self._frame

    def close(self) -> None:
        if self._reader is not None:
            self._reader.close()
            self._reader = None


def _scale_to(img: Frame, height: int) -> Frame:
    h, w = img.shape[:2]
    width = max(2, round(w * height / h / 2) * 2)
    return np.asarray(cv2.resize(img, (width, height), interpolation=cv2.INTER_AREA), dtype=np.uint8)


def _cue_at(
    comparison: Comparison, t: float, rep: int, messages: dict[tuple[str, str], str]
) -> tuple[str | None, set[int]]:
    """The most important cue whose phase and repetition contain attempt time t, and the
    landmarks to paint red."""
    result = comparison.reps[rep - 1]
    phase = next(
        (
            ph["name"]
            for ph in result.phases
            if ph["attempt_t_start"] - 1e-6 <= t <= ph["attempt_t_end"] + 1e-6
        ),
        None,
    )
    for item in comparison.report["feedback"]:
        if item["phase"] == phase and rep in item.get("reps", [rep]):
            # Feedback names the student's own side, as MediaPipe names the attempt's landmarks.
            return messages.get((item["joint"], item["phase"])), set(_vertex(item["joint"]))
    return None, set()


def render_overlay(
    comparison: Comparison,
    attempt_video: str | Path,
    out_path: str | Path,
    *,
    reference_video: str | Path | None = None,
    lang: str | None = None,
) -> Path:
    """H.264 mp4, one frame per attempt frame: reference (left) | attempt (right), see the module
    docstring. Without `reference_video` the left side shows the reference skeleton alone."""
    language = normalize_language(lang)
    catalogue = studio_catalogue()
    rendered = render_report(comparison.report, language)
    messages = {(f["joint"], f["phase"]): f["message"] for f in rendered["feedback"]}
    score = comparison.report.get("score")
    score_text = (
        catalogue.text("pose.overlay.score", language, score=round(score))
        if score is not None
        else catalogue.text("pose.overlay.no_score", language)
    )
    info = probe_video(attempt_video)
    ref_info = probe_video(reference_video) if reference_video is not None else None
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    height = min(PANEL_HEIGHT, info.height) // 2 * 2
    att_w = max(2, round(info.width * height / info.height / 2) * 2)
    ref_w_src, ref_h_src = (
        (ref_info.width, ref_info.height) if ref_info else (comparison.ref.width, comparison.ref.height)
    )
    ref_w_src, ref_h_src = max(ref_w_src, 2), max(ref_h_src, 2)
    ref_w = max(2, round(ref_w_src * height / ref_h_src / 2) * 2)
    width = ref_w + att_w
    thick = max(2, round(max(info.width, info.height) / 300))
    seq = comparison.attempt_original
    row_of = {idx: r for r, idx in enumerate(seq.indices)} if seq is not None else {}
    ref = comparison.ref
    ref_frames = _ReferenceFrames(ref_info) if ref_info is not None else None
    proc = _ffmpeg_writer(out, width, height, info.fps)
    assert proc.stdin is not None
    try:
        with FrameReader(info) as reader:
            for index, t, rgb in reader:
                img = np.ascontiguousarray(rgb)
                aligned = comparison.ref_time_at(t) if seq is not None and index in row_of else None
                ref_t = aligned[0] if aligned else comparison.template_span[0]
                ref_row = int(np.argmin(np.abs(ref.times - ref_t)))
                cue: str | None = None
                if seq is not None and index in row_of:
                    att = seq.points[row_of[index]]
                    if aligned is None:
                        _draw(img, att, _IGNORED, thick, set())
                    else:
                        cue, red = _cue_at(comparison, t, aligned[1], messages)
                        ref_pts = _interpolated(ref.points, ref.times, ref_t)
                        ghost = ghost_pose(ref_pts, att, mirror=comparison.mirrored, turn=comparison.turn)
                        _draw(img, att, _GREEN, thick, red)
                        # The ghost on top, translucent: visible over the skeleton and the picture.
                        layer = img.copy()
                        _draw(layer, ghost, _GHOST, thick + 1, set(), outline=True)
                        img = np.asarray(cv2.addWeighted(layer, 0.6, img, 0.4, 0.0), dtype=np.uint8)
                left = _reference_panel(ref_frames, ref, ref_row, ref_w_src, ref_h_src, thick)
                if aligned is None:
                    left = (left * 0.45).astype(np.uint8)
                panel = np.concatenate(
                    [_scale_to(left, height)[:, :ref_w], _scale_to(img, height)[:, :att_w]], axis=1
                )
                if panel.shape[1] != width:
                    panel = np.asarray(cv2.resize(panel, (width, height)), dtype=np.uint8)
                top = score_text
                if aligned is not None and len(comparison.reps) > 1:
                    top += "  ·  " + catalogue.text("pose.overlay.rep", language, rep=aligned[1])
                panel = _text_bars(panel, top, cue)
                proc.stdin.write(panel.tobytes())
    finally:
        if ref_frames is not None:
            ref_frames.close()
        proc.stdin.close()
        err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
        code = proc.wait()
    if code != 0:
        raise InvalidInputError(f"could not encode the overlay video: {err.strip()[:200]}")
    return out


def _interpolated(points: FloatArray, times: FloatArray, t: float) -> FloatArray:
    k = int(np.clip(np.searchsorted(times, t), 1, len(times) - 1))
    span = max(float(times[k] - times[k - 1]), 1e-9)
    w = float(np.clip((t - times[k - 1]) / span, 0.0, 1.0))
    return np.asarray(points[k - 1] * (1 - w) + points[k] * w, dtype=np.float64)


def _reference_panel(
    frames: _ReferenceFrames | None, ref: Sequence, row: int, width: int, height: int, thick: int
) -> Frame:
    picture = frames.get(int(ref.indices[row])) if frames is not None else None
    if picture is None:
        picture = np.full((height, width, 3), 32, np.uint8)
    img = np.ascontiguousarray(picture)
    _draw(img, ref.points[row], _GREEN, thick, set())
    return img


def key_joints(comparison: Comparison, min_range_deg: float = 15.0) -> list[str]:
    """Joints worth plotting (in the comparison's own sides): those with feedback, then those that
    move in the reference."""
    named = [f["joint"] for f in comparison.report["feedback"]]
    if comparison.mirrored:
        named = [swap_sides(j) for j in named]
    out = list(dict.fromkeys(j for j in named if j in comparison.joints))
    angles = comparison.ref_angles
    for j in comparison.joints:
        col = angles[:, JOINTS.index(j)]
        if j not in out and float(col.max() - col.min()) >= min_range_deg:
            out.append(j)
    return out


def render_angle_plots(
    comparison: Comparison, out_dir: str | Path, *, lang: str | None = None, joints: list[str] | None = None
) -> list[Path]:
    """One PNG per key joint (angle_<joint>.png, joint named on the student's side): the
    reference's angle over its time and each repetition of the attempt aligned to it, the phases
    that received feedback for that joint shaded; labels in `lang`."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    language = normalize_language(lang)
    text = studio_catalogue().text
    directory = Path(out_dir)
    directory.mkdir(parents=True, exist_ok=True)
    ref = comparison.ref
    t = ref.times
    angles = comparison.ref_angles
    faulty = {(f["joint"], f["phase"]) for f in comparison.report["feedback"]}
    basis = comparison.report.get("angle_basis") or {}
    colours = plt.get_cmap("tab10")
    paths: list[Path] = []
    for joint in joints or key_joints(comparison):
        k = JOINTS.index(joint)
        shown = swap_sides(joint) if comparison.mirrored else joint
        fig, ax = plt.subplots(figsize=(6.0, 3.6), dpi=150)
        shaded = False
        for name, a, b in comparison.phase_times:
            if (shown, name) in faulty:
                ax.axvspan(
                    a,
                    b if b > a else a + 1e-3,
                    color="red",
                    alpha=0.15,
                    label=None if shaded else text("pose.plot.fault", language),
                )
                shaded = True
            ax.axvline(a, color="grey", lw=0.6)
            ax.text(
                a,
                1.01,
                phase_label(name, language),
                transform=ax.get_xaxis_transform(),
                fontsize=9,
                va="bottom",
            )
        ax.plot(t, angles[:, k], label=text("pose.plot.reference", language), color="black", lw=2)
        for rep_number, rep in enumerate(comparison.reps, start=1):
            label = (
                text("pose.plot.rep", language, rep=rep_number)
                if len(comparison.reps) > 1
                else text("pose.plot.attempt", language)
            )
            ax.plot(rep.ref_times, rep.att_values[:, k], label=label, color=colours(rep_number % 10), lw=1.5)
        if comparison.reps:
            # Each repetition is drawn over the reference repetition it was judged against.
            lo = min(float(rep.ref_times.min()) for rep in comparison.reps if len(rep.ref_times))
            hi = max(float(rep.ref_times.max()) for rep in comparison.reps if len(rep.ref_times))
            ax.set_xlim(lo - 0.05, hi + 0.05)
        ax.set_xlabel(text("pose.plot.time", language), fontsize=11)
        ax.set_ylabel(text("pose.plot.angle", language), fontsize=11)
        kind = "basis_3d" if basis.get(joint) == "3d" else "basis_2d"
        ax.set_title(
            text(
                "pose.plot.title",
                language,
                joint=joint_label(shown, language),
                basis=text(f"pose.plot.{kind}", language),
            ),
            fontsize=12,
            pad=16,
        )
        ax.tick_params(labelsize=10)
        ax.legend(fontsize=9, loc="best")
        fig.tight_layout()
        path = directory / f"angle_{shown}.png"
        fig.savefig(path)
        plt.close(fig)
        paths.append(path)
    return paths


__all__ = ["ghost_pose", "key_joints", "render_angle_plots", "render_overlay"]
