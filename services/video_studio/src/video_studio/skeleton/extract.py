"""Skeleton extraction: MediaPipe BlazePose (solutions.pose) over a video, following one person.

Per frame the document holds the followed person's pixel landmarks and MediaPipe's world
landmarks (3D, metres); which person was followed, and whether others were in view, is recorded
in the document's `subject` (see skeleton/subject.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from video_studio.errors import CorruptVideoError, NoPersonError
from video_studio.skeleton.doc import FrameDoc, SkeletonDoc, make_doc
from video_studio.skeleton.names import NUM_LANDMARKS
from video_studio.skeleton.onefilter import FloatArray, LandmarkSmoother, SmoothingParams
from video_studio.skeleton.subject import Detection, Frame, SubjectTracker, TrackingParams
from video_studio.skeleton.video import DEFAULT_MAX_PIXELS, FrameReader, probe_video

ProgressCallback = Callable[[float], None]

# Measured on the shared squat clip against the BlazePose reference (tests/bench/bench_skeleton.py):
# MediaPipe's own smoothing also steadies its tracking crop, which matters more than how the
# landmarks are filtered afterwards, so it stays on and our filter is off by default.
DEFAULT_MEDIAPIPE_SMOOTHING = True
DEFAULT_SMOOTHING: SmoothingParams | None = None

# A file that decodes far fewer frames than its container declares was cut short.
_TRUNCATED_RATIO = 0.8


def _quiet_native_logs() -> None:
    os.environ.setdefault("GLOG_minloglevel", "2")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")


def make_pose(mediapipe_smoothing: bool = DEFAULT_MEDIAPIPE_SMOOTHING, *, static: bool = False) -> Any:
    """A MediaPipe Pose with model_complexity=1 (the model ships in the wheel): video mode
    (tracking between frames), or single-image mode (`static`: detects afresh every call)."""
    _quiet_native_logs()
    import mediapipe as mp

    return mp.solutions.pose.Pose(
        static_image_mode=static,
        model_complexity=1,
        smooth_landmarks=mediapipe_smoothing,
        enable_segmentation=False,
    )


def landmarks_to_array(result: Any, width: int, height: int) -> FloatArray | None:
    """MediaPipe's normalised landmarks as (33, 4) [x_px, y_px, z (x scale), visibility]."""
    if result.pose_landmarks is None:
        return None
    lm = result.pose_landmarks.landmark
    out = np.empty((NUM_LANDMARKS, 4))
    for i in range(NUM_LANDMARKS):
        p = lm[i]
        out[i] = (p.x * width, p.y * height, p.z * width, p.visibility)
    return out


def world_to_array(result: Any) -> FloatArray | None:
    """MediaPipe's world landmarks as (33, 3) metres, hip-centred, camera axes."""
    if result.pose_world_landmarks is None:
        return None
    lm = result.pose_world_landmarks.landmark
    return np.array([(lm[i].x, lm[i].y, lm[i].z) for i in range(NUM_LANDMARKS)], dtype=np.float64)


def _detector(pose: Any) -> Any:
    def detect(frame: Frame) -> Detection | None:
        h, w = frame.shape[:2]
        result = pose.process(frame)
        lm = landmarks_to_array(result, w, h)
        return None if lm is None else Detection(lm, world_to_array(result))

    return detect


def extract_skeleton(
    path: str | Path,
    *,
    target_fps: float | None = None,
    progress: ProgressCallback | None = None,
    max_pixels: int = DEFAULT_MAX_PIXELS,
    smoothing: SmoothingParams | None = DEFAULT_SMOOTHING,
    mediapipe_smoothing: bool = DEFAULT_MEDIAPIPE_SMOOTHING,
    tracking: TrackingParams | None = None,
    allow_nobody: bool = False,
) -> SkeletonDoc:
    """Run BlazePose over every (or every sampled) frame of a video, following one person.

    Raises InvalidInputError for files that are not readable videos, too large, truncated, or
    (unless `allow_nobody`: then every frame is null) show nobody. `progress(fraction)` is called
    as decoding advances, ending with 1.0.
    """
    info = probe_video(path, max_pixels)
    smoother = LandmarkSmoother(smoothing) if smoothing is not None else None
    frames: list[FrameDoc] = []
    found = 0
    last_reported = -1.0
    with (
        make_pose(mediapipe_smoothing) as pose,
        make_pose(static=True) as search,
        FrameReader(info, target_fps) as reader,
    ):
        tracker = SubjectTracker(
            _detector(pose), _detector(search), info.width, info.height, tracking or TrackingParams()
        )
        for index, t, rgb in reader:
            person = tracker(rgb, index, t)
            lm = None if person is None else person.landmarks
            if smoother is not None:
                lm = smoother.apply(t, lm)
            if lm is not None:
                found += 1
            world = None if person is None or person.world is None else person.world
            frames.append(
                {
                    "index": index,
                    "t": round(t, 6),
                    "landmarks": None if lm is None else [[round(float(v), 3) for v in row] for row in lm],
                    "world": None if world is None else [[round(float(v), 4) for v in row] for row in world],
                }
            )
            if progress is not None and info.frame_count > 0:
                fraction = min(reader.decoded / info.frame_count, 0.99)
                if fraction - last_reported >= 0.01:
                    last_reported = fraction
                    progress(fraction)
        decoded = reader.decoded
    if info.frame_count >= 10 and decoded < _TRUNCATED_RATIO * info.frame_count:
        raise CorruptVideoError(
            f"{info.path.name} looks truncated: only {decoded} of {info.frame_count} frames could be decoded"
        )
    if not frames:
        raise CorruptVideoError(f"{info.path.name}: no frame could be decoded")
    if found == 0 and not allow_nobody:
        raise NoPersonError(f"no person was found in any frame of {info.path.name}")
    if progress is not None:
        progress(1.0)
    return make_doc(info.fps, info.width, info.height, frames, tracker.record())
