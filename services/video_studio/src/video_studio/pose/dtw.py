"""Dynamic time warping: a banded full alignment and a subsequence search for the window of a
longer sequence that matches a reference.

Both are computed anti-diagonal by anti-diagonal (all cells with the same i + j at once): every
cell only depends on the two previous anti-diagonals, so each step is one vectorised numpy
operation and the result is bit-for-bit the one of the plain row-by-row recurrence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def band_mask(n: int, m: int, radius_frac: float) -> npt.NDArray[np.bool_]:
    """Cells (i, j) within radius of the straight line from (0, 0) to (n-1, m-1)."""
    radius = max(2, math.ceil(radius_frac * max(n, m)))
    i = np.arange(n)[:, None]
    j = np.arange(m)[None, :]
    diag = i * (m - 1) / max(n - 1, 1)
    return np.asarray(np.abs(j - diag) <= radius, dtype=bool)


def _diagonals(n: int, m: int, first_row: int) -> list[tuple[IntArray, IntArray]]:
    """(i, j) of the padded accumulator cells (1-based) per anti-diagonal, from row first_row."""
    out = []
    for k in range(first_row + 1, n + m + 1):
        i = np.arange(max(first_row, k - m), min(n, k - 1) + 1)
        if len(i):
            out.append((i, k - i))
    return out


def _traceback(acc: FloatArray) -> list[tuple[int, int]]:
    """Path (0-based cells) from the last cell of the padded accumulator back to its start:
    steps tried in the order diagonal, up, left (the same order the forward pass prefers)."""
    n, m = acc.shape[0] - 1, acc.shape[1] - 1
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
    return path


def dtw(cost: FloatArray, radius_frac: float = 0.2) -> tuple[float, list[tuple[int, int]]]:
    """Warp path through a cost matrix (n, m) from (0, 0) to (n-1, m-1) and its mean cost.

    Steps are (1,1), (1,0), (0,1); the Sakoe-Chiba band keeps the warp to plausible tempo changes
    so a slower or faster attempt is matched without folding unrelated moments onto each other.
    """
    n, m = cost.shape
    padded = np.full((n + 1, m + 1), np.inf)
    padded[1:, 1:] = np.where(band_mask(n, m, radius_frac), cost, np.inf)
    acc = np.full((n + 1, m + 1), np.inf)
    acc[0, 0] = 0.0
    for i, j in _diagonals(n, m, 1):
        best = np.minimum(np.minimum(acc[i - 1, j - 1], acc[i - 1, j]), acc[i, j - 1])
        acc[i, j] = padded[i, j] + best
    path = _traceback(acc)
    return float(acc[n, m]) / len(path), path


@dataclass(frozen=True)
class Window:
    """Attempt frames first..last (inclusive) matched to the whole reference."""

    first: int
    last: int
    cost: float  # summed cost of the subsequence path (for comparing windows)

    def __len__(self) -> int:
        return self.last - self.first + 1


def subsequence_window(
    cost: FloatArray,
    min_tempo: float = 0.5,
    max_tempo: float = 2.0,
    slack_frac: float = 0.25,
) -> Window | None:
    """The window of the attempt (columns) that the whole reference (rows) matches best.

    Subsequence DTW: the path may start at any attempt frame in the first reference row and end
    at any attempt frame in the last one (open begin and end on the attempt axis), so lead-in and
    lead-out frames are simply left out instead of being forced onto the reference's first and
    last frames. The summed cost is minimised: a frame only joins the window when matching it is
    cheaper than leaving it out, and exact ties go to the shortest window.

    Tempo: a window must last min_tempo..max_tempo times the reference. During the forward pass
    each cell carries the attempt frame its best path started at, and cells whose path runs
    further from that start than a performance within the tempo range could (plus
    slack_frac * n frames of local tempo freedom) are cut, so the search cannot fold the whole
    reference onto a few frames nor stretch it over several repetitions. Returns None when no
    window qualifies (e.g. the attempt is too short); the caller then aligns the full attempt.
    """
    n, m = cost.shape
    if n < 2 or m < max(2, math.ceil(min_tempo * n)):
        return None
    slack = max(2.0, slack_frac * n)
    acc = np.full((n + 1, m + 1), np.inf)
    start = np.zeros((n + 1, m + 1), dtype=np.int64)
    # First reference frame: every attempt frame may start a path (no horizontal run needed).
    acc[1, 1:] = cost[0]
    start[1, 1:] = np.arange(m)
    padded = np.full((n + 1, m + 1), np.inf)
    padded[1:, 1:] = cost
    for i, j in _diagonals(n, m, 2):
        cand = np.stack([acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1]])
        k = np.argmin(cand, axis=0)
        src_i = i - (k < 2)
        src_j = j - (k != 1)
        s = start[src_i, src_j]
        span = (j - 1) - s  # attempt frames covered so far, minus one
        ok = (span >= min_tempo * (i - 1) - slack) & (span <= max_tempo * (i - 1) + slack)
        acc[i, j] = np.where(ok, padded[i, j] + cand[k, np.arange(len(k))], np.inf)
        start[i, j] = s
    ends = np.arange(m)
    length = ends - start[n, 1:] + 1
    valid = np.isfinite(acc[n, 1:]) & (length >= min_tempo * n - 1e-9) & (length <= max_tempo * n + 1e-9)
    if not valid.any():
        return None
    total = np.where(valid, acc[n, 1:], np.inf)
    last = int(np.argmin(total))  # ties: the earliest end
    return Window(int(start[n, last + 1]), last, float(total[last]))
