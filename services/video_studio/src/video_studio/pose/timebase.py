"""Putting sequences on one time base before aligning them.

Skeletons come at whatever rate the camera filmed (5 to 60 fps) and the frames are not always
evenly spaced. Every comparison first resamples both sequences by their timestamps: the window
search on a common coarse grid, each repetition on a fine grid whose step on the attempt's clock
is the reference's step times the tempo, so the reference and the attempt's repetition have as
many samples per movement. The finer of the two sequences is sampled down, never the coarser up
past what it recorded (see `fine_rate`).
"""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np

from video_studio.pose.features import FloatArray, Sequence

MAX_RATE = 30.0  # finest grid used (60 fps input is compared at 30 fps: same result, half the work)


def grid(t0: float, t1: float, rate: float) -> FloatArray:
    """Times from t0 to t1 inclusive, `rate` per second (at least two)."""
    count = max(2, math.floor((t1 - t0) * rate + 1e-9) + 1)
    return np.asarray(t0 + np.arange(count) / rate, dtype=np.float64)


def _lerp(values: FloatArray, times: FloatArray, at: FloatArray) -> FloatArray:
    right = np.clip(np.searchsorted(times, at, side="right"), 1, len(times) - 1)
    left = right - 1
    span = np.maximum(times[right] - times[left], 1e-12)
    w = np.clip((at - times[left]) / span, 0.0, 1.0)
    shape = (len(at),) + (1,) * (values.ndim - 1)
    return np.asarray(values[left] * (1 - w.reshape(shape)) + values[right] * w.reshape(shape))


def resample(seq: Sequence, at: FloatArray) -> Sequence:
    """The sequence at times `at` (clamped to its span): landmarks interpolated linearly; a sample
    counts as detected when its nearest source frame was."""
    times = seq.times
    if len(seq) == 1:
        idx = np.zeros(len(at), dtype=np.int64)
        return replace(
            seq,
            points=seq.points[idx],
            world=None if seq.world is None else seq.world[idx],
            times=np.asarray(at, dtype=np.float64),
            indices=[seq.indices[0]] * len(at),
            found=seq.detected[idx],
        )
    clamped = np.clip(at, times[0], times[-1])
    nearest = np.clip(np.searchsorted(times, clamped), 0, len(times) - 1)
    before = np.clip(nearest - 1, 0, len(times) - 1)
    closer = np.abs(times[before] - clamped) < np.abs(times[nearest] - clamped)
    nearest = np.where(closer, before, nearest)
    return replace(
        seq,
        points=_lerp(seq.points, times, clamped),
        world=None if seq.world is None else _lerp(seq.world, times, clamped),
        times=np.asarray(at, dtype=np.float64),
        indices=[seq.indices[int(k)] for k in nearest],
        found=seq.detected[nearest],
    )


def coarse_rate(template_duration: float, finest: float) -> float:
    """Rate of the window search: about 40 samples over the template, 5 to 15 per second."""
    return float(min(max(40.0 / max(template_duration, 1e-3), 5.0), 15.0, max(finest, 5.0)))


def fine_rate(ref_fps: float, attempt_fps: float, tempo: float) -> float:
    """Samples per second of the reference's clock on the fine grid: the reference's own rate, or
    less where the attempt recorded fewer frames per unit of movement (a fast performance at a low
    frame rate), never more than MAX_RATE."""
    return float(max(1.0, min(ref_fps, attempt_fps * tempo, MAX_RATE)))
