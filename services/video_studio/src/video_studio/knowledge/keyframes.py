"""Frames worth reading: scene changes, and a steady beat between them.

Frames are sampled at `sample_fps`; a sampled frame is a keyframe when the picture changed since
the last keyframe (mean absolute difference of a small grey thumbnail, or of its busiest block,
so a caption appearing in one corner counts) or when `max_interval_s` passed without one (a title
fading in slowly over a still shot changes little per frame). At most `max_keyframes` are kept:
for long videos the beat widens.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import cv2
import numpy as np
import numpy.typing as npt

from video_studio.skeleton.video import Frame, FrameReader, probe_video

THUMB: Final = (96, 54)
GRID: Final = 6  # blocks per side of the thumbnail for the local change
SCENE_CHANGE: Final = 0.08  # mean |difference| / 255 of the whole thumbnail
LOCAL_CHANGE: Final = 0.12  # ... or of its most changed block


@dataclass(frozen=True)
class KeyframeParams:
    sample_fps: float = 2.0
    max_interval_s: float = 2.0
    max_keyframes: int = 240


@dataclass(frozen=True)
class Keyframe:
    index: int
    t: float
    reason: str  # "first", "scene", "interval"
    rgb: Frame


def _thumb(rgb: Frame) -> npt.NDArray[np.float32]:
    grey = cv2.cvtColor(cv2.resize(rgb, THUMB, interpolation=cv2.INTER_AREA), cv2.COLOR_RGB2GRAY)
    return grey.astype(np.float32) / 255.0


def change(a: npt.NDArray[np.float32], b: npt.NDArray[np.float32]) -> tuple[float, float]:
    """(whole-picture, busiest-block) mean absolute difference of two thumbnails."""
    diff = np.abs(a - b)
    h, w = diff.shape
    bh, bw = h // GRID, w // GRID
    blocks = diff[: bh * GRID, : bw * GRID].reshape(GRID, bh, GRID, bw).mean(axis=(1, 3))
    return float(diff.mean()), float(blocks.max())


def keyframes(
    video: Path, duration_s: float, params: KeyframeParams = KeyframeParams()
) -> Iterator[Keyframe]:
    info = probe_video(video)
    interval = max(params.max_interval_s, duration_s / max(1, params.max_keyframes))
    fps = min(params.sample_fps, info.fps)
    last_thumb: npt.NDArray[np.float32] | None = None
    last_t = -1e9
    kept = 0
    with FrameReader(info, target_fps=fps) as reader:
        for index, t, rgb in reader:
            thumb = _thumb(rgb)
            reason = None
            if last_thumb is None:
                reason = "first"
            else:
                whole, local = change(thumb, last_thumb)
                if whole >= SCENE_CHANGE or local >= LOCAL_CHANGE:
                    reason = "scene"
                elif t - last_t >= interval:
                    reason = "interval"
            if reason is None:
                continue
            last_thumb, last_t = thumb, t
            kept += 1
            yield Keyframe(index, round(t, 3), reason, rgb)
            if kept >= params.max_keyframes:
                return
