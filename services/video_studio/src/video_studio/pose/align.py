"""Aligning a reference (template) with an attempt, coarse to fine.

1. Coarse: both sequences on one grid of 5-15 samples per second; subsequence DTW finds the
   windows of the attempt that match the template (the best one and, for repetitions, the next
   ones), each with its path.
2. Fine: for each window, the template and the window are resampled so they have as many samples
   per movement (timebase.fine_rate), and a banded DTW aligns them within a band around the
   coarse path. Only the band's cells are computed and stored.

The cost of matching two frames: over the joints, the square root of the angle difference (a
concave cost: holding one joint 20 degrees off costs less than pulling every other joint out of
time to hide it, so the warp aligns on the whole body and a one-joint fault stays visible), plus
the distance between the hip-centred, torso-scaled positions of the key landmarks.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from video_studio.pose.dtw import Band, IntArray, Window, band_around, banded_dtw, subsequence_windows
from video_studio.pose.features import Basis, Features, FloatArray, Sequence, sequence_features
from video_studio.pose.timebase import fine_rate, grid, resample

ANGLE_SCALE_DEG = 45.0
POSITION_SCALE = 0.5
_CHUNK_ELEMENTS = 1_500_000  # per temporary array while computing costs (memory, not speed)
NOISE_FLOOR_SHARE = 0.8


def _pair_cost(
    ref_angles: FloatArray,
    ref_weights: FloatArray,
    ref_pos: FloatArray,
    ref_pos_w: FloatArray,
    att_angles: FloatArray,
    att_weights: FloatArray,
    att_pos: FloatArray,
    att_pos_w: FloatArray,
) -> FloatArray:
    """Cost of broadcast pairs of frames: angles (..., J), positions (..., P, d), weights."""
    da = np.sqrt(np.abs(ref_angles - att_angles) / ANGLE_SCALE_DEG)
    wa = ref_weights * att_weights + 1e-6
    ang = np.sum(da * wa, axis=-1) / np.sum(wa, axis=-1)
    dp = np.linalg.norm(ref_pos - att_pos, axis=-1) / POSITION_SCALE
    wp = ref_pos_w * att_pos_w + 1e-6
    pos = np.sum(dp * wp, axis=-1) / np.sum(wp, axis=-1)
    return np.asarray(ang + pos, dtype=np.float64)


def _per_pair_elements(f: Features) -> int:
    return max(f.angles.shape[1], f.positions.shape[1] * f.positions.shape[2])


def full_cost(ref: Features, att: Features) -> FloatArray:
    """(n, m) cost of every reference frame against every attempt frame, in row chunks."""
    n, m = len(ref), len(att)
    out = np.empty((n, m))
    rows = max(1, _CHUNK_ELEMENTS // max(1, m * _per_pair_elements(ref)))
    for r0 in range(0, n, rows):
        r = slice(r0, min(n, r0 + rows))
        out[r] = _pair_cost(
            ref.angles[r, None],
            ref.weights[r, None],
            ref.positions[r, None],
            ref.pos_weights[r, None],
            att.angles[None],
            att.weights[None],
            att.positions[None],
            att.pos_weights[None],
        )
    return out


def band_cost(ref: Features, att: Features, lo: IntArray, hi: IntArray) -> Band:
    """The cost of the cells lo[i]..hi[i] of each row only (infinite past hi)."""
    n, m = len(ref), len(att)
    width = int((hi - lo).max()) + 1
    cost = np.full((n, width), np.inf)
    rows = max(1, _CHUNK_ELEMENTS // max(1, width * _per_pair_elements(ref)))
    k = np.arange(width)
    for r0 in range(0, n, rows):
        r = np.arange(r0, min(n, r0 + rows))
        cols = np.minimum(lo[r, None] + k[None, :], m - 1)
        values = _pair_cost(
            ref.angles[r, None],
            ref.weights[r, None],
            ref.positions[r, None],
            ref.pos_weights[r, None],
            att.angles[cols],
            att.weights[cols],
            att.positions[cols],
            att.pos_weights[cols],
        )
        values[lo[r, None] + k[None, :] > hi[r, None]] = np.inf
        cost[r] = values
    return Band(lo.astype(np.int64), hi.astype(np.int64), cost)


@dataclass(frozen=True)
class CoarseWindow:
    """A window of the attempt matching the template, in attempt seconds, with its coarse path
    (template time, attempt time) and mean cost per path step."""

    t_start: float
    t_end: float
    mean_cost: float
    path_ref_t: FloatArray
    path_att_t: FloatArray

    @property
    def duration(self) -> float:
        return self.t_end - self.t_start


def coarse_windows(
    template: Sequence,
    attempt: Sequence,
    *,
    basis: Basis | None,
    rate: float,
    min_tempo: float,
    max_tempo: float,
    slack_frac: float,
    max_windows: int,
) -> tuple[list[CoarseWindow], FloatArray]:
    """Windows of the attempt that match the template on the coarse grid (best first), and the
    coarse cost matrix's row minimum per attempt sample (for diagnostics)."""
    ref_c = resample(template, grid(template.times[0], template.times[-1], rate))
    att_c = resample(attempt, grid(attempt.times[0], attempt.times[-1], rate))
    cost = full_cost(sequence_features(ref_c, basis), sequence_features(att_c, basis))
    n, m = cost.shape
    found: list[Window] = []
    if m >= math.ceil(min_tempo * n):
        # Real skeletons never match exactly: even the right attempt sample costs the recording's
        # noise level. Summed over a window, that noise makes every extra sample look expensive,
        # so a slow performance would be squeezed into a shorter window. The search therefore
        # counts only what exceeds the noise floor (the typical cost of a template sample's best
        # match); the window's reported cost stays the raw one.
        floor = NOISE_FLOOR_SHARE * float(np.median(cost.min(axis=1)))
        excess = np.maximum(cost - floor, 0.0)
        found = subsequence_windows(
            excess, min_tempo=min_tempo, max_tempo=max_tempo, slack_frac=slack_frac, max_windows=max_windows
        )
        found = [Window(w.first, w.last, float(sum(cost[i, j] for i, j in w.path)), w.path) for w in found]
    out = []
    for win in found:
        path = np.asarray(win.path, dtype=np.int64)
        out.append(
            CoarseWindow(
                float(att_c.times[win.first]),
                float(att_c.times[win.last]),
                win.mean_cost,
                ref_c.times[path[:, 0]],
                att_c.times[path[:, 1]],
            )
        )
    if not out:
        # Shorter than the template can be performed: align the whole attempt (judged as such).
        from video_studio.pose.dtw import dtw

        mean, path_list = dtw(cost, 0.5)
        path = np.asarray(path_list, dtype=np.int64)
        out.append(
            CoarseWindow(
                float(att_c.times[0]),
                float(att_c.times[-1]),
                mean,
                ref_c.times[path[:, 0]],
                att_c.times[path[:, 1]],
            )
        )
    return out, cost.min(axis=0)


@dataclass
class Alignment:
    """One repetition aligned on the fine grid."""

    ref: Sequence  # the template, resampled
    attempt: Sequence  # the attempt's window, resampled
    ref_features: Features
    attempt_features: Features
    path: list[tuple[int, int]]  # (template sample, attempt sample)
    mean_cost: float
    step_cost: FloatArray  # cost of each path step
    tempo: float  # window duration / template duration
    rate: float  # template samples per second

    def ref_cost(self) -> FloatArray:
        """Per template sample: the mean cost of the path steps through it."""
        total = np.zeros(len(self.ref))
        count = np.zeros(len(self.ref))
        for (i, _), c in zip(self.path, self.step_cost, strict=True):
            total[i] += c
            count[i] += 1
        return np.asarray(total / np.maximum(count, 1), dtype=np.float64)

    @property
    def t_start(self) -> float:
        return float(self.attempt.times[self.path[0][1]])

    @property
    def t_end(self) -> float:
        return float(self.attempt.times[self.path[-1][1]])


def align_window(
    template: Sequence,
    attempt: Sequence,
    window: CoarseWindow,
    *,
    basis: Basis | None,
    coarse_rate: float,
    diagonal_band: float | None = None,
) -> Alignment:
    """Fine alignment of the template with one coarse window of the attempt: within a band around
    the coarse path, or (`diagonal_band`, a fraction of the length) around the window's diagonal
    when the coarse path was found for another template."""
    template_duration = max(template.duration, 1e-6)
    # The coarse ends are known to one coarse step: search that far around them.
    step = 1.0 / coarse_rate
    t0 = max(float(attempt.times[0]), window.t_start - step)
    t1 = min(float(attempt.times[-1]), window.t_end + step)
    tempo = max(window.duration, step) / template_duration
    rate = fine_rate(template.effective_fps, attempt.effective_fps, tempo)
    ref_f = resample(template, grid(template.times[0], template.times[-1], rate))
    att_rate = rate / tempo
    att_f = resample(attempt, grid(t0, t1, att_rate))
    n, m = len(ref_f), len(att_f)
    if diagonal_band is None:
        expected_t = np.interp(ref_f.times, window.path_ref_t, window.path_att_t)
        expected_col = (expected_t - t0) * att_rate
        radius = max(3, math.ceil(2.0 * att_rate / coarse_rate), math.ceil(0.05 * max(n, m)))
    else:
        expected_col = np.linspace(0.0, m - 1.0, n)
        radius = max(3, math.ceil(diagonal_band * max(n, m)))
    lo, hi = band_around(expected_col, m, radius)
    ref_feat = sequence_features(ref_f, basis)
    att_feat = sequence_features(att_f, basis)
    band = band_cost(ref_feat, att_feat, lo, hi)
    open_cols = math.ceil(step * att_rate)
    mean_cost, path = banded_dtw(band, open_start=open_cols, open_end=open_cols)
    step_cost = np.array([band.cost[i, j - lo[i]] for i, j in path])
    judged = max(float(att_f.times[path[-1][1]] - att_f.times[path[0][1]]), 1e-6)
    return Alignment(
        ref_f,
        att_f,
        ref_feat,
        att_feat,
        path,
        mean_cost,
        step_cost,
        judged / template_duration,
        rate,
    )
