"""Dynamic time warping: a subsequence search for the windows of a longer sequence that match a
reference, and a banded alignment that only stores the cells near an expected path.

The subsequence search runs on the coarse grid (a few hundred samples a side at most), anti-
diagonal by anti-diagonal: every cell only depends on the two previous anti-diagonals, so each
step is one vectorised numpy operation. The banded alignment runs row by row over a band given as
per-row column ranges, storing (rows x band width) cells, so a 60 s x 60 s comparison at 30 fps
stays a few megabytes; within a row the horizontal dependency is solved with a running minimum
(acc[j] = C[j] + min_k<=j (t[k] - C[k]), C the row's cumulative cost).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

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


@dataclass
class Band:
    """Columns lo[i]..hi[i] (inclusive) of each row i, and the cost of those cells."""

    lo: IntArray
    hi: IntArray
    cost: FloatArray = field(repr=False)  # (n, width): cost[i, k] is cell (i, lo[i] + k); inf past hi

    @property
    def width(self) -> int:
        return int(self.cost.shape[1])


def band_around(path_cols: FloatArray, m: int, radius: int) -> tuple[IntArray, IntArray]:
    """Per-row column ranges of a band of `radius` around an expected column per row (monotone,
    starting at column 0 and ending at m-1, each row overlapping the next so a path exists)."""
    n = len(path_cols)
    centre = np.maximum.accumulate(np.clip(np.asarray(path_cols, dtype=np.float64), 0, m - 1))
    lo = np.clip(np.floor(centre - radius), 0, m - 1).astype(np.int64)
    hi = np.clip(np.ceil(centre + radius), 0, m - 1).astype(np.int64)
    lo[0] = 0
    hi[-1] = m - 1
    lo = np.maximum.accumulate(lo)
    hi = np.maximum.accumulate(hi)
    # Each step moves at most one column: a row must start no later than one past the previous
    # row's end.
    for i in range(1, n):
        lo[i] = min(lo[i], hi[i - 1] + 1)
        hi[i] = max(hi[i], lo[i])
    return lo, hi


def banded_dtw(band: Band, open_start: int = 0, open_end: int = 0) -> tuple[float, list[tuple[int, int]]]:
    """Warp path through the band from the first row to the last, and its mean cost per step.

    The path starts at (0, 0) and ends at (n-1, m-1), except that with `open_start` it may start
    at any of the first open_start + 1 columns of the first row, and with `open_end` end at any of
    the last open_end + 1 columns of the last row (a window's ends are only known to a coarse
    step). Steps are (1,1), (1,0), (0,1), all weighing the cell's cost; ties prefer the diagonal."""
    lo, hi, cost = band.lo, band.hi, band.cost
    n, width = cost.shape
    acc = np.full((n, width), np.inf)
    cols0 = np.arange(lo[0], hi[0] + 1)
    c0 = cost[0, : len(cols0)]
    t0 = np.where(cols0 <= open_start, c0, np.inf)
    cum0 = np.cumsum(c0)
    acc[0, : len(cols0)] = np.minimum.accumulate(t0 - cum0) + cum0
    for i in range(1, n):
        cols = np.arange(lo[i], hi[i] + 1)
        c = cost[i, : len(cols)]
        prev_lo, prev_hi = lo[i - 1], hi[i - 1]
        up = np.full(len(cols), np.inf)
        diag = np.full(len(cols), np.inf)
        inside = (cols >= prev_lo) & (cols <= prev_hi)
        up[inside] = acc[i - 1, cols[inside] - prev_lo]
        left_cols = cols - 1
        inside = (left_cols >= prev_lo) & (left_cols <= prev_hi)
        diag[inside] = acc[i - 1, left_cols[inside] - prev_lo]
        t = c + np.minimum(diag, up)
        cum = np.cumsum(c)
        acc[i, : len(cols)] = np.minimum.accumulate(t - cum) + cum
    last_cols = np.arange(lo[n - 1], hi[n - 1] + 1)
    ends = np.where(last_cols >= last_cols[-1] - open_end, acc[n - 1, : len(last_cols)], np.inf)
    end = int(last_cols[int(np.argmin(ends))])
    path = _band_traceback(acc, lo, hi, end, cost[0], open_start)
    total = float(acc[n - 1, end - lo[n - 1]])
    return total / len(path), path


def _band_traceback(
    acc: FloatArray, lo: IntArray, hi: IntArray, end: int, first_row_cost: FloatArray, open_start: int
) -> list[tuple[int, int]]:
    def at(i: int, j: int) -> float:
        if i < 0 or j < 0 or j < lo[i] or j > hi[i]:
            return math.inf
        return float(acc[i, j - lo[i]])

    i, j = len(lo) - 1, end
    path = [(i, j)]
    while i > 0 or j > 0:
        if i == 0 and j <= open_start and acc[0, j - lo[0]] == first_row_cost[j - lo[0]]:
            break  # an open start: the path begins here
        i, j = _step_back(i, j, (at(i - 1, j - 1), at(i - 1, j), at(i, j - 1)))
        path.append((i, j))
    path.reverse()
    return path


def _step_back(i: int, j: int, steps: tuple[float, float, float]) -> tuple[int, int]:
    """The cell a path came from: the cheapest of diagonal, up, left (ties in that order, the
    order the forward passes prefer, so the traceback retraces their choices)."""
    k = int(np.argmin(steps))
    if k == 0:
        return i - 1, j - 1
    return (i - 1, j) if k == 1 else (i, j - 1)


def dtw(cost: FloatArray, radius_frac: float = 0.2) -> tuple[float, list[tuple[int, int]]]:
    """Warp path through a full cost matrix (n, m) from (0, 0) to (n-1, m-1) and its mean cost,
    within a Sakoe-Chiba band of radius_frac around the diagonal."""
    n, m = cost.shape
    mask = band_mask(n, m, radius_frac)
    lo = np.argmax(mask, axis=1).astype(np.int64)
    hi = (m - 1 - np.argmax(mask[:, ::-1], axis=1)).astype(np.int64)
    width = int((hi - lo).max()) + 1
    banded = np.full((n, width), np.inf)
    for i in range(n):
        banded[i, : hi[i] - lo[i] + 1] = cost[i, lo[i] : hi[i] + 1]
    return banded_dtw(Band(lo, hi, banded))


@dataclass(frozen=True)
class Window:
    """Attempt samples first..last (inclusive) matched to the whole reference."""

    first: int
    last: int
    cost: float  # summed cost of the subsequence path (for comparing windows)
    path: tuple[tuple[int, int], ...] = ()  # (reference row, attempt column) of the best path

    def __len__(self) -> int:
        return self.last - self.first + 1

    @property
    def mean_cost(self) -> float:
        return self.cost / max(len(self.path), 1)


def subsequence_window(
    cost: FloatArray,
    min_tempo: float = 0.5,
    max_tempo: float = 2.0,
    slack_frac: float = 0.25,
) -> Window | None:
    """The window of the attempt (columns) that the whole reference (rows) matches best.

    Subsequence DTW: the path may start at any attempt sample in the first reference row and end
    at any attempt sample in the last one (open begin and end on the attempt axis), so lead-in and
    lead-out samples are simply left out instead of being forced onto the reference's first and
    last samples. The summed cost is minimised: a sample only joins the window when matching it is
    cheaper than leaving it out, and exact ties go to the shortest window.

    Tempo: both axes are on one time grid, so a window must last min_tempo..max_tempo times the
    reference. During the forward pass each cell carries the attempt sample its best path started
    at, and cells whose path runs further from that start than a performance within the tempo
    range could (plus slack_frac * n samples of local tempo freedom) are cut. Columns whose cost is
    infinite (already taken by another window) cannot be part of a window. Returns None when no
    window qualifies (e.g. the attempt is too short).
    """
    n, m = cost.shape
    if n < 2 or m < max(2, math.ceil(min_tempo * n)):
        return None
    slack = max(2.0, slack_frac * n)
    acc = np.full((n + 1, m + 1), np.inf)
    start = np.zeros((n + 1, m + 1), dtype=np.int64)
    # First reference sample: every attempt sample may start a path (no horizontal run needed).
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
        span = (j - 1) - s  # attempt samples covered so far, minus one
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
    return Window(int(start[n, last + 1]), last, float(total[last]), _subsequence_path(acc, last + 1))


def _subsequence_path(acc: FloatArray, end_col: int) -> tuple[tuple[int, int], ...]:
    """Trace the best path back from (last row, end_col) to the first row (padded indices); the
    same preference order (diagonal, up, left) as the forward pass, so the same path."""
    i, j = acc.shape[0] - 1, end_col
    path = [(i - 1, j - 1)]
    while i > 1:
        i, j = _step_back(i, j, (float(acc[i - 1, j - 1]), float(acc[i - 1, j]), float(acc[i, j - 1])))
        path.append((i - 1, j - 1))
    path.reverse()
    return tuple(path)


def subsequence_windows(
    cost: FloatArray,
    *,
    min_tempo: float,
    max_tempo: float,
    slack_frac: float,
    max_windows: int,
) -> list[Window]:
    """Non-overlapping windows, best first: after each one is found its columns are taken out and
    the search runs again (the caller decides which of the later ones are real repetitions)."""
    work = cost.copy()
    found: list[Window] = []
    while len(found) < max_windows:
        win = subsequence_window(work, min_tempo, max_tempo, slack_frac)
        if win is None or not math.isfinite(win.cost):
            break
        found.append(win)
        work[:, win.first : win.last + 1] = np.inf
    return found
