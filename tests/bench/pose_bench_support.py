"""Helpers of the pose benches: real-clip variants made with ffmpeg, their skeletons cached on
disk, a bare comparison baseline, and 3D-consistent fault injection.

Skeletons are cached under var/bench-cache/pose/ (keyed by the variant, the source clip's size
and modification time, and the skeleton format), so a second `make bench` does not run
MediaPipe again. Nothing here is hard-coded: every figure is computed in the run.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from video_studio.joints import JOINTS
from video_studio.pose.dtw import dtw
from video_studio.pose.features import joint_angles
from video_studio.skeleton import SkeletonDoc, doc_to_arrays, load_doc, save_doc
from video_studio.skeleton.doc import FORMAT_VERSION
from video_studio.skeleton.names import INDEX

FloatArray = npt.NDArray[np.float64]
REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("STUDIO_FIXTURES", REPO.parent / "shared" / "fixtures"))
CACHE = REPO / "var" / "bench-cache" / "pose"


def ffmpeg() -> str:
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def extractor_digest() -> str:
    """Changes whenever the extraction code changes (cached skeletons are then made again)."""
    import video_studio.skeleton as package

    folder = Path(package.__file__).parent
    digest = hashlib.sha1()
    for name in ("extract.py", "subject.py", "doc.py", "video.py", "onefilter.py"):
        digest.update((folder / name).read_bytes())
    return digest.hexdigest()[:10]


class Clips:
    """Real clips and ffmpeg variants of them, with cached skeletons."""

    def __init__(self) -> None:
        CACHE.mkdir(parents=True, exist_ok=True)
        self.extract_seconds: dict[str, tuple[float, int]] = {}  # name -> (seconds, frames)

    def _source_key(self, src: str | None) -> str:
        if src is None:
            return "lavfi"
        stat = (FIXTURES / src).stat()
        return f"{src}:{stat.st_size}:{int(stat.st_mtime)}"

    def video(self, name: str, src: str | None, vf: str | None = None, lavfi: str | None = None) -> Path:
        if src is not None and vf is None and lavfi is None:
            return FIXTURES / src
        out = CACHE / f"{name}.mp4"
        if not out.exists():
            inputs = (
                ["-f", "lavfi", "-i", str(lavfi), "-t", "5"] if lavfi else ["-i", str(FIXTURES / str(src))]
            )
            filters = ["-vf", vf] if vf else []
            subprocess.run(
                [
                    ffmpeg(),
                    "-y",
                    "-loglevel",
                    "error",
                    *inputs,
                    *filters,
                    "-c:v",
                    "libx264",
                    "-preset",
                    "veryfast",
                    "-crf",
                    "18",
                    "-pix_fmt",
                    "yuv420p",
                    str(out),
                ],
                check=True,
                timeout=600,
            )
        return out

    def skeleton(
        self, name: str, src: str | None, vf: str | None = None, lavfi: str | None = None
    ) -> SkeletonDoc:
        from video_studio.skeleton import extract_skeleton

        digest = hashlib.sha1(
            f"{name}|{self._source_key(src)}|{vf}|{lavfi}|v{FORMAT_VERSION}|{extractor_digest()}".encode()
        ).hexdigest()
        cached = CACHE / f"{name}.{digest[:12]}.json"
        if cached.exists():
            return load_doc(cached)
        video = self.video(name, src, vf, lavfi)
        start = time.perf_counter()
        doc = extract_skeleton(video, allow_nobody=True)
        self.extract_seconds[name] = (time.perf_counter() - start, len(doc["frames"]))
        save_doc(doc, cached)
        return doc


def bare_compare(ref: SkeletonDoc, attempt: SkeletonDoc, tolerance: float = 9.0) -> dict[str, float]:
    """The baseline: every frame of both skeletons as recorded, 2D joint angles, one full DTW of
    the whole attempt against the whole reference, scored like ours (dead-band, super-linear
    cost) over whole joints; no resampling, no window, no checks."""
    pr, _ = doc_to_arrays(ref)
    pa, _ = doc_to_arrays(attempt)
    pr, pa = pr[~np.isnan(pr[:, :, 0]).all(axis=1)], pa[~np.isnan(pa[:, :, 0]).all(axis=1)]
    if len(pr) < 3 or len(pa) < 3:
        return {"score": float("nan"), "faults": 0.0, "trunk_deg": float("nan")}
    ar, _ = joint_angles(pr)
    aa, _ = joint_angles(pa)
    cost = np.sqrt(np.abs(ar[:, None, :] - aa[None, :, :]) / 45.0).mean(axis=2)
    _, path = dtw(cost, 1.0)
    diff = np.array([np.abs(aa[j] - ar[i]) for i, j in path])
    per_joint = diff.mean(axis=0)
    excess = np.maximum(per_joint - tolerance, 0.0)
    return {
        "score": float(100.0 * np.exp(-np.sum((excess / 25.0) ** 1.5))),
        "faults": float((excess > 0).sum()),
        "trunk_deg": float(per_joint[JOINTS.index("trunk")]),
    }


def measured(run: Callable[[], Any]) -> tuple[Any, float, float]:
    """(result, wall seconds, peak MiB traced) of one call."""
    tracemalloc.start()
    start = time.perf_counter()
    try:
        result = run()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return result, time.perf_counter() - start, peak / 2**20


_HAND = ("wrist", "pinky", "index", "thumb")
_FOOT = ("heel", "foot_index")
DISTAL: dict[str, tuple[str, ...]] = {
    "elbow": _HAND,
    "shoulder": ("elbow", *_HAND),
    "hip": ("knee", "ankle", *_FOOT),
    "knee": ("ankle", *_FOOT),
    "ankle": ("foot_index",),
}
_PROXIMAL = {"elbow": "shoulder", "shoulder": "hip", "hip": "shoulder", "knee": "hip", "ankle": "knee"}


def _rotate_3d(points: FloatArray, centre: FloatArray, axis: FloatArray, deg: float) -> FloatArray:
    k = axis / max(float(np.linalg.norm(axis)), 1e-9)
    th = np.radians(deg)
    v = points - centre
    rotated = v * np.cos(th) + np.cross(k, v) * np.sin(th) + k * (v @ k)[..., None] * (1 - np.cos(th))
    return np.asarray(rotated + centre, dtype=np.float64)


def inject(
    points: FloatArray, world: FloatArray | None, frames: npt.NDArray[np.bool_], joint: str, deg: float
) -> tuple[FloatArray, FloatArray | None]:
    """Bend `joint` by `deg` in the given frames: the distal segment turned about the joint in
    the picture (the direction that changes the 2D angle most) and, when the skeleton has world
    landmarks, in 3D within the limb's plane, the same way (so a fault is a fault in both)."""
    side, part = joint.split("_", 1)
    centre = INDEX[f"{side}_{part}"]
    moving = [INDEX[f"{side}_{name}"] for name in DISTAL[part]]
    k = JOINTS.index(joint)
    before = joint_angles(points)[0][frames, k]
    best, best_change, best_sign = points, -1.0, 1.0
    for sign in (1.0, -1.0):
        th = np.radians(sign * deg)
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        out = points.copy()
        c = out[frames, centre, None, :2]
        xy = np.ix_(frames, np.array(moving), np.array([0, 1]))
        out[xy] = (out[xy] - c) @ rot.T + c
        after = joint_angles(out)[0][frames, k]
        change = float(np.mean(np.abs(after - before)))
        if change > best_change:
            best, best_change, best_sign = out, change, float(np.sign(np.mean(after - before)) or 1.0)
    if world is None:
        return best, None
    w = world.copy()
    prox = INDEX[f"{side}_{_PROXIMAL[part]}"]
    dist = moving[0]
    for f in np.flatnonzero(frames):
        u, v = w[f, prox] - w[f, centre], w[f, dist] - w[f, centre]
        axis = np.cross(u, v)
        if np.linalg.norm(axis) < 1e-9:
            axis = np.array([0.0, 0.0, 1.0])
        # Rotating v about u x v by a positive angle opens the angle between u and v.
        w[f, moving] = _rotate_3d(w[f, moving], w[f, centre], axis, best_sign * deg)
    return best, w


def doc_json(doc: SkeletonDoc) -> str:
    return json.dumps(doc)
