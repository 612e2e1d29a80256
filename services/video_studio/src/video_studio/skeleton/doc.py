"""The skeleton JSON document: building, validating, loading, slicing and array views."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any, NotRequired, TypedDict

import numpy as np
import numpy.typing as npt

from video_studio.errors import InvalidInputError
from video_studio.skeleton.names import LANDMARK_NAMES, NUM_LANDMARKS

# Version 2 adds per-frame world landmarks and the record of which person was followed;
# version 1 documents (2D only) still load and compare.
FORMAT_VERSION = 2

FloatArray = npt.NDArray[np.float64]


class FrameDoc(TypedDict):
    index: int
    t: float
    # 33 x [x_px, y_px, z, visibility] or None when the followed person was not found.
    landmarks: list[list[float]] | None
    # 33 x [x, y, z] in metres, origin between the hips, axes of the camera (x right, y down,
    # z away from the camera): MediaPipe's world landmarks. Missing in version 1 documents.
    world: NotRequired[list[list[float]] | None]


class SwitchDoc(TypedDict):
    index: int
    t: float


class SubjectDoc(TypedDict):
    """Which person the skeleton follows (several people may be in view)."""

    policy: str  # "most_prominent_at_start": the largest, most visible person when first seen
    first_index: int | None  # frame where the followed person was first found
    bbox: list[float] | None  # their box then: [x0, y0, x1, y1] pixels
    people_at_start: int  # people found in that frame
    lost_frames: int  # frames after the first where the followed person was not found (null)
    others_checks: int  # times the rest of the picture was searched for other people
    others_seen: int  # ... and somebody else was there
    others_rejected: int  # frames where the tracker found somebody where the followed person cannot be
    several_people: bool
    switches: list[SwitchDoc]  # re-found after a loss, but possibly somebody else


class SkeletonDoc(TypedDict):
    version: int
    fps: float
    width: int
    height: int
    landmark_names: list[str]
    frames: list[FrameDoc]
    subject: NotRequired[SubjectDoc]


def make_doc(
    fps: float, width: int, height: int, frames: list[FrameDoc], subject: SubjectDoc | None = None
) -> SkeletonDoc:
    doc: SkeletonDoc = {
        "version": FORMAT_VERSION,
        "fps": float(fps),
        "width": int(width),
        "height": int(height),
        "landmark_names": list(LANDMARK_NAMES),
        "frames": frames,
    }
    if subject is not None:
        doc["subject"] = subject
    return doc


def _rows(values: FloatArray, digits: int) -> list[list[float]]:
    return [[round(float(v), digits) for v in row] for row in values]


def doc_from_arrays(
    points: FloatArray,
    times: FloatArray,
    fps: float,
    width: int,
    height: int,
    indices: list[int] | None = None,
    world: FloatArray | None = None,
    subject: SubjectDoc | None = None,
) -> SkeletonDoc:
    """Build a doc from an (n, 33, 4) array (and optionally (n, 33, 3) world landmarks); frames
    whose values are all NaN become null."""
    frames: list[FrameDoc] = []
    for i in range(points.shape[0]):
        lm = points[i]
        frame: FrameDoc = {
            "index": indices[i] if indices is not None else i,
            "t": round(float(times[i]), 6),
            "landmarks": None if np.isnan(lm).all() else _rows(lm, 3),
        }
        if world is not None:
            frame["world"] = None if np.isnan(world[i]).all() else _rows(world[i], 4)
        frames.append(frame)
    return make_doc(fps, width, height, frames, subject)


def doc_to_arrays(doc: SkeletonDoc) -> tuple[FloatArray, FloatArray]:
    """(n, 33, 4) landmarks (NaN rows for null frames) and (n,) times."""
    n = len(doc["frames"])
    points = np.full((n, NUM_LANDMARKS, 4), np.nan)
    times = np.zeros(n)
    for i, frame in enumerate(doc["frames"]):
        times[i] = frame["t"]
        if frame["landmarks"] is not None:
            points[i] = np.asarray(frame["landmarks"], dtype=np.float64)
    return points, times


def doc_world(doc: SkeletonDoc) -> FloatArray | None:
    """(n, 33, 3) world landmarks in metres (NaN where missing), or None when the document has
    none at all (version 1). A frame with 2D landmarks but no world landmarks is NaN here."""
    frames = doc["frames"]
    if not any(f.get("world") is not None for f in frames):
        return None
    world = np.full((len(frames), NUM_LANDMARKS, 3), np.nan)
    for i, frame in enumerate(frames):
        rows = frame.get("world")
        if rows is not None and frame["landmarks"] is not None:
            world[i] = np.asarray(rows, dtype=np.float64)
    return world


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def validate_doc(data: Any, what: str = "skeleton") -> SkeletonDoc:
    """Check a parsed JSON value is a skeleton doc; raise InvalidInputError saying what is wrong."""
    if not isinstance(data, dict):
        raise InvalidInputError(f"{what}: expected a JSON object")
    for key in ("fps", "width", "height", "frames"):
        if key not in data:
            raise InvalidInputError(f"{what}: missing field {key!r}")
    if not _finite(data["fps"]) or data["fps"] <= 0:
        raise InvalidInputError(f"{what}: fps must be a positive number")
    frames = data["frames"]
    if not isinstance(frames, list):
        raise InvalidInputError(f"{what}: frames must be a list")
    for i, frame in enumerate(frames):
        if not isinstance(frame, dict) or "t" not in frame or not _finite(frame["t"]):
            raise InvalidInputError(f"{what}: frame {i} needs a numeric 't'")
        lm = frame.get("landmarks")
        if lm is None:
            continue
        if not isinstance(lm, list) or len(lm) != NUM_LANDMARKS:
            raise InvalidInputError(f"{what}: frame {i} must have {NUM_LANDMARKS} landmarks")
        for row in lm:
            if not isinstance(row, list) or len(row) not in (3, 4) or not all(_finite(v) for v in row):
                raise InvalidInputError(f"{what}: frame {i} landmarks must be [x, y, z, visibility] numbers")
        world = frame.get("world")
        if world is not None and (
            not isinstance(world, list)
            or len(world) != NUM_LANDMARKS
            or not all(isinstance(r, list) and len(r) == 3 and all(_finite(v) for v in r) for r in world)
        ):
            raise InvalidInputError(f"{what}: frame {i} world landmarks must be {NUM_LANDMARKS} [x, y, z]")
    subject = data.get("subject")
    if subject is not None and not isinstance(subject, dict):
        raise InvalidInputError(f"{what}: subject must be an object")
    out_frames: list[FrameDoc] = []
    for i, f in enumerate(frames):
        checked: FrameDoc = {
            "index": int(f.get("index", i)),
            "t": float(f["t"]),
            "landmarks": None
            if f.get("landmarks") is None
            else [[float(v) for v in row] + ([1.0] if len(row) == 3 else []) for row in f["landmarks"]],
        }
        if "world" in f:
            checked["world"] = None if f["world"] is None else [[float(v) for v in row] for row in f["world"]]
        out_frames.append(checked)
    out: SkeletonDoc = {
        "version": int(data.get("version", 1)),
        "fps": float(data["fps"]),
        "width": int(data["width"]),
        "height": int(data["height"]),
        "landmark_names": list(data.get("landmark_names", LANDMARK_NAMES)),
        "frames": out_frames,
    }
    if subject is not None:
        out["subject"] = subject  # type: ignore[typeddict-item]
    return out


def load_doc(path: str | Path, what: str | None = None) -> SkeletonDoc:
    label = what or str(path)
    try:
        text = Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise InvalidInputError(f"{label}: file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInputError(f"{label}: cannot read file ({exc.__class__.__name__})") from None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        raise InvalidInputError(f"{label}: not valid JSON") from None
    return validate_doc(data, label)


def save_doc(doc: SkeletonDoc, path: str | Path) -> Path:
    out = Path(path)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(doc, separators=(",", ":")), encoding="utf-8")
    return out


def slice_skeleton(doc: SkeletonDoc, t_start: float, t_end: float) -> SkeletonDoc:
    """Frames with t_start <= t <= t_end, times re-based to start at 0 (indices kept)."""
    if not t_end > t_start:
        raise InvalidInputError("slice: t_end must be after t_start")
    frames = [f for f in doc["frames"] if t_start - 1e-9 <= f["t"] <= t_end + 1e-9]
    if not frames:
        raise InvalidInputError(
            f"slice: no frames between {t_start:.2f}s and {t_end:.2f}s", reason_code="range_empty"
        )
    t0 = frames[0]["t"]
    sliced: list[FrameDoc] = []
    for f in frames:
        frame: FrameDoc = {"index": f["index"], "t": round(f["t"] - t0, 6), "landmarks": f["landmarks"]}
        if "world" in f:
            frame["world"] = f["world"]
        sliced.append(frame)
    out = make_doc(doc["fps"], doc["width"], doc["height"], sliced, doc.get("subject"))
    out["version"] = doc["version"]
    return out
