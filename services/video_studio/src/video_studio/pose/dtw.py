"""Dynamic time warping with a Sakoe-Chiba band around the (length-scaled) diagonal."""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]


def band_mask(n: int, m: int, radius_frac: float) -> npt.NDArray[np.bool_]:
    """Cells (i, j) within radius of the straight line from (0, 0) to (n-1, m-1)."""
    radius = max(2, math.ceil(radius_frac * max(n, m)))
    i = np.arange(n)[:, None]
    j = np.arange(m)[None, :]
    diag = i * (m - 1) / max(n - 1, 1)
    return np.asarray(np.abs(j - diag) <= radius, dtype=bool)


def dtw(cost: FloatArray, radius_frac: float = 0.2) -> tuple[float, list[tuple[int, int]]]:
    """Warp path through a cost matrix (n, m) and its mean cost along the path.

    Steps are (1,1), (1,0), (0,1); the band keeps the warp to plausible tempo changes so a slower
    or faster attempt is matched without folding unrelated moments onto each other.
    """
    n, m = cost.shape
    inside = band_mask(n, m, radius_frac)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i in range(1, n + 1):
        cols = np.flatnonzero(inside[i - 1]) + 1
        row_prev = acc[i - 1]
        row = acc[i]
        for j in cols:
            best = min(row_prev[j - 1], row_prev[j], row[j - 1])
            row[j] = cost[i - 1, j - 1] + best
    path: list[tuple[int, int]] = []
    i, j = n, m
    while i > 0 and j > 0:
        path.append((i - 1, j - 1))
        steps = (acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
        k = int(np.argmin(steps))
        if k == 0:
            i, j = i - 1, j - 1
        elif k == 1:
            i -= 1
        else:
            j -= 1
    path.reverse()
    return float(acc[n, m]) / len(path), path
