"""One Euro filter (Casiez et al. 2012), as MediaPipe implements it, vectorised over landmarks.

MediaPipe's LandmarksSmoothingCalculator scales the speed estimate by 1/object_scale (the mean of
the landmarks' bounding-box width and height in pixels), so `beta` works in "object sizes per
second" and the same parameters fit a close-up and a far-away person. We do the same.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]


def _alpha(cutoff: FloatArray | float, dt: float) -> FloatArray:
    tau = 1.0 / (2.0 * math.pi * np.asarray(cutoff, dtype=np.float64))
    return np.asarray(1.0 / (1.0 + tau / dt), dtype=np.float64)


class OneEuroFilter:
    """Element-wise One Euro filter over arrays of a fixed shape.

    `apply(t, value, value_scale)` filters one sample taken at time t (seconds). Elements can be
    reset individually (`reset(mask)`); a reset element passes its next sample through unchanged.
    """

    def __init__(
        self,
        shape: tuple[int, ...],
        min_cutoff: float = 0.05,
        beta: float = 80.0,
        d_cutoff: float = 1.0,
    ) -> None:
        if min_cutoff <= 0 or d_cutoff <= 0 or beta < 0:
            raise ValueError("cutoffs must be > 0 and beta >= 0")
        self.shape = shape
        self.min_cutoff = min_cutoff
        self.beta = beta
        self.d_cutoff = d_cutoff
        self._x = np.zeros(shape)  # filtered value
        self._raw = np.zeros(shape)  # last raw value
        self._dx = np.zeros(shape)  # filtered derivative
        self._has = np.zeros(shape, dtype=bool)
        self._last_t: float | None = None

    def reset(self, mask: BoolArray | None = None) -> None:
        if mask is None:
            self._has[...] = False
            self._last_t = None
        else:
            self._has[mask] = False

    def apply(self, t: float, value: FloatArray, value_scale: float = 1.0) -> FloatArray:
        value = np.asarray(value, dtype=np.float64)
        if value.shape != self.shape:
            raise ValueError(f"expected shape {self.shape}, got {value.shape}")
        if self._last_t is not None and t <= self._last_t:
            # Same rule as MediaPipe: a non-increasing timestamp cannot be filtered.
            return value.copy()
        dt = 1.0 / 30.0 if self._last_t is None else t - self._last_t
        self._last_t = t
        has = self._has
        dvalue = np.where(has, (value - self._raw) * value_scale / dt, 0.0)
        edx = np.where(has, self._dx + _alpha(self.d_cutoff, dt) * (dvalue - self._dx), dvalue)
        cutoff = self.min_cutoff + self.beta * np.abs(edx)
        x = np.where(has, self._x + _alpha(cutoff, dt) * (value - self._x), value)
        self._dx = edx
        self._x = x
        self._raw = value.copy()
        self._has = np.ones(self.shape, dtype=bool)
        return np.asarray(x.copy(), dtype=np.float64)


@dataclass(frozen=True)
class SmoothingParams:
    min_cutoff: float = 0.05
    beta: float = 80.0
    d_cutoff: float = 1.0
    visibility_threshold: float = 0.5
    # A pause longer than this (or a frame without a person) restarts the filter.
    max_gap_s: float = 0.5


class LandmarkSmoother:
    """Smooths a stream of (33, 4) pixel landmarks [x, y, z, visibility].

    Gaps (no person, or a long pause between samples) restart the filter so it never drags a
    skeleton across a cut. A landmark below the visibility threshold is passed through raw and its
    own filter restarted, and it does not count in the object scale: an occluded joint, whose
    estimate jumps, neither drags the smoothed value nor changes the smoothing of the others.
    """

    def __init__(self, params: SmoothingParams | None = None, num_landmarks: int = 33) -> None:
        self.params = params or SmoothingParams()
        p = self.params
        self._filter = OneEuroFilter((num_landmarks, 3), p.min_cutoff, p.beta, p.d_cutoff)
        self._last_t: float | None = None

    def apply(self, t: float, landmarks: FloatArray | None) -> FloatArray | None:
        p = self.params
        if landmarks is None:
            self._filter.reset()
            self._last_t = None
            return None
        if self._last_t is not None and (t - self._last_t > p.max_gap_s or t <= self._last_t):
            self._filter.reset()
        self._last_t = t
        vis = landmarks[:, 3]
        visible = vis >= p.visibility_threshold
        xy = landmarks[:, :2][visible] if visible.any() else landmarks[:, :2]
        scale = float(np.mean(xy.max(axis=0) - xy.min(axis=0)))
        if scale < 1e-6:
            self._filter.reset()
            return landmarks.copy()
        hidden = np.repeat(~visible[:, None], 3, axis=1)
        self._filter.reset(hidden)
        out = landmarks.copy()
        out[:, :3] = self._filter.apply(t, landmarks[:, :3], 1.0 / scale)
        # Forget the hidden samples too, so the next visible one starts fresh rather than from them.
        self._filter.reset(hidden)
        return out
