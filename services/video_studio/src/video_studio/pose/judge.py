"""Judging one aligned repetition: per (joint, phase) deviations, faults and a score.

Neither sequence knows what happened between its own samples. So a repetition is judged at the
samples of whichever sequence is sparser over the movement (the reference's, or the attempt's
when it recorded fewer frames per unit of movement: a fast performance at a low frame rate), each
compared with the other sequence's curve at the aligned moment, give or take half a sample
(`tolerant_match`). Nothing is compared with a guess, and a pure timing offset is never a fault.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from video_studio.joints import JOINTS
from video_studio.pose.align import Alignment
from video_studio.pose.features import Basis, FloatArray, Sequence, sequence_features


@dataclass(frozen=True)
class JudgeParams:
    tolerance_deg: float
    score_scale_deg: float
    score_power: float
    style_weight: float
    angle_noise_deg: float
    min_visibility: float


@dataclass
class Track:
    """A sequence's joint-angle curves at its own samples."""

    times: FloatArray
    angles: FloatArray
    weights: FloatArray

    @classmethod
    def of(cls, seq: Sequence, basis: Basis | None) -> Track:
        f = sequence_features(seq, basis)
        return cls(seq.times, f.angles, f.weights)

    @property
    def step(self) -> float:
        return float(np.median(np.diff(self.times))) if len(self.times) > 1 else 1.0

    def at(self, t: FloatArray) -> tuple[FloatArray, FloatArray]:
        """Angles and weights at times t (linear between samples, clamped at the ends)."""
        right = np.clip(np.searchsorted(self.times, t, side="right"), 1, max(1, len(self.times) - 1))
        if len(self.times) == 1:
            idx = np.zeros(len(t), dtype=np.int64)
            return self.angles[idx], self.weights[idx]
        left = right - 1
        span = np.maximum(self.times[right] - self.times[left], 1e-12)
        w = np.clip((t - self.times[left]) / span, 0.0, 1.0)[:, None]
        angles = self.angles[left] * (1 - w) + self.angles[right] * w
        weights = self.weights[left] * (1 - w) + self.weights[right] * w
        return np.asarray(angles, dtype=np.float64), np.asarray(weights, dtype=np.float64)


@dataclass
class RepResult:
    alignment: Alignment
    score: float
    base_error: float
    errors: dict[str, dict[str, dict[str, float]]]
    faults: list[dict[str, Any]]
    phases: list[dict[str, Any]]  # name, attempt_t_start, attempt_t_end (attempt seconds)
    # The judged samples: reference time, attempt time, reference and attempt angles (n, J).
    ref_times: FloatArray = field(default_factory=lambda: np.zeros(0))
    att_times: FloatArray = field(default_factory=lambda: np.zeros(0))
    ref_values: FloatArray = field(default_factory=lambda: np.zeros((0, len(JOINTS))))
    att_values: FloatArray = field(default_factory=lambda: np.zeros((0, len(JOINTS))))
    reference_rep: int = 1  # the reference repetition (1-based) it was judged against


_SHIFTS = np.array(sorted(np.linspace(-1.0, 1.0, 21), key=abs))


def tolerant_match(
    sparse: FloatArray,
    sparse_weights: FloatArray,
    dense: Track,
    at: FloatArray,
    tolerance: float,
) -> tuple[FloatArray, FloatArray, FloatArray]:
    """For each sample of the sparser sequence, the denser one's angles at the aligned time `at`
    shifted by up to +-tolerance seconds: ONE shift for all joints of the sample, the one with the
    least weighted absolute difference (ties: the smallest shift). A timing offset moves every
    joint together and is absorbed; one joint bent differently is not. Returns the dense angles
    chosen, their weights and the shift used per sample."""
    best = np.zeros_like(sparse)
    best_w = np.zeros_like(sparse)
    best_cost = np.full(len(sparse), np.inf)
    best_shift = np.zeros(len(sparse))
    for tau in _SHIFTS * tolerance:
        values, weights = dense.at(at + tau)
        cost = np.sum(np.minimum(sparse_weights, weights) * np.abs(values - sparse), axis=1)
        better = cost < best_cost - 1e-9
        best[better] = values[better]
        best_w[better] = weights[better]
        best_cost[better] = cost[better]
        best_shift[better] = tau
    return best, best_w, best_shift


def _weighted(values: FloatArray, weights: FloatArray) -> float:
    total = float(weights.sum())
    return float(np.sum(values * weights) / total) if total > 1e-9 else 0.0


def _monotone(x: FloatArray, y: FloatArray) -> tuple[FloatArray, FloatArray]:
    """Collapse repeated x (a DTW run) to one y, so the pairs can be interpolated: the mean of
    the run inside, but at the first x the run's last y and at the last x its first y. A run at
    the start is the other sequence waiting in the starting pose (a lead-in frame the window
    took): the movement starts where the run ends, and ends where the final run begins."""
    keys, inverse = np.unique(x, return_inverse=True)
    sums = np.bincount(inverse, weights=y)
    counts = np.bincount(inverse)
    values = sums / counts
    values[0] = y[inverse == 0].max()
    values[-1] = y[inverse == len(keys) - 1].min()
    return np.asarray(keys, dtype=np.float64), np.asarray(values, dtype=np.float64)


def judged_samples(
    al: Alignment, template: Track, attempt: Track
) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray, FloatArray, FloatArray]:
    """(reference time, attempt time, reference angles, attempt angles, reference weights,
    attempt weights) of the samples a repetition is judged at."""
    ref_t = al.ref.times[[i for i, _ in al.path]]
    att_t = al.attempt.times[[j for _, j in al.path]]
    r_keys, r_to_a = _monotone(ref_t, att_t)
    a_keys, a_to_r = _monotone(att_t, ref_t)
    tempo = max(al.tempo, 1e-6)
    if template.step >= attempt.step / tempo:
        inside = (template.times >= r_keys[0] - 1e-9) & (template.times <= r_keys[-1] + 1e-9)
        sample_ref_t = template.times[inside]
        ref_vals, ref_w = template.angles[inside], template.weights[inside]
        aligned = np.interp(sample_ref_t, r_keys, r_to_a)
        att_vals, att_w, shift = tolerant_match(
            ref_vals, ref_w, attempt, aligned, 0.5 * template.step * tempo
        )
        sample_att_t = aligned + shift
    else:
        inside = (attempt.times >= a_keys[0] - 1e-9) & (attempt.times <= a_keys[-1] + 1e-9)
        rows = np.flatnonzero(inside)
        aligned = np.interp(attempt.times[rows], a_keys, a_to_r)
        # Attempt samples all held against the template's first (last) moment are the attempt
        # waiting to start (having finished): only the last (first) of them is the movement.
        at_start = np.flatnonzero(aligned <= a_to_r[0] + 1e-9)
        at_end = np.flatnonzero(aligned >= a_to_r[-1] - 1e-9)
        keep = np.ones(len(rows), dtype=bool)
        keep[at_start[:-1]] = False
        keep[at_end[1:]] = False
        rows, aligned = rows[keep], aligned[keep]
        sample_att_t = attempt.times[rows]
        att_vals, att_w = attempt.angles[rows], attempt.weights[rows]
        ref_vals, ref_w, shift = tolerant_match(
            att_vals, att_w, template, aligned, 0.5 * attempt.step / tempo
        )
        sample_ref_t = aligned + shift
    # The half-sample tolerance may look just past the window: attempt times stay inside it.
    sample_att_t = np.clip(sample_att_t, al.t_start, al.t_end)
    order = np.argsort(sample_ref_t, kind="stable")
    return (
        sample_ref_t[order],
        sample_att_t[order],
        ref_vals[order],
        att_vals[order],
        ref_w[order],
        att_w[order],
    )


def judge_rep(
    al: Alignment,
    template: Track,
    attempt: Track,
    phase_times: list[tuple[str, float, float]],
    jidx: list[int],
    p: JudgeParams,
) -> RepResult:
    """Per (joint, phase) deviations of one aligned repetition; its score and faults.

    Each (joint, phase) whose mean absolute deviation exceeds the tolerance is a fault and costs
    ``(excess / score_scale_deg) ** score_power`` in ``score = (100 - style) * exp(-sum)``."""
    ref_t, att_t, ref_vals, att_vals, ref_w, att_w = judged_samples(al, template, attempt)
    w = np.minimum(ref_w, att_w)
    diff = att_vals - ref_vals
    diff = np.sign(diff) * np.maximum(np.abs(diff) - p.angle_noise_deg, 0.0)
    edges = [
        -np.inf,
        *[(a[2] + b[1]) / 2 for a, b in itertools.pairwise(phase_times)],
        np.inf,
    ]
    errors: dict[str, dict[str, dict[str, float]]] = {}
    faults: list[dict[str, Any]] = []
    phases: list[dict[str, Any]] = []
    penalty = 0.0
    style: list[float] = []
    for k_phase, (name, start, _) in enumerate(phase_times):
        rows = np.flatnonzero((ref_t >= edges[k_phase]) & (ref_t < edges[k_phase + 1]))
        if len(rows) == 0:
            rows = np.array([int(np.argmin(np.abs(ref_t - start)))])
        ta0, ta1 = float(att_t[rows].min()), float(att_t[rows].max())
        phases.append({"name": name, "attempt_t_start": round(ta0, 3), "attempt_t_end": round(ta1, 3)})
        for k in jidx:
            joint = JOINTS[k]
            wk = w[rows, k]
            if float(wk.sum()) <= 1e-9:
                continue
            signed = _weighted(diff[rows, k], wk)
            # Judged on the mean absolute deviation; the signed mean only says which way.
            mean_abs = _weighted(np.abs(diff[rows, k]), wk)
            visibility = float(wk.mean())
            errors.setdefault(joint, {})[name] = {
                "mean_signed_deg": round(signed, 2),
                "mean_abs_deg": round(mean_abs, 2),
                "visibility": round(visibility, 3),
            }
            if visibility < p.min_visibility:
                continue
            style.append(min(mean_abs, p.tolerance_deg) / max(p.tolerance_deg, 1e-9))
            excess = mean_abs - p.tolerance_deg
            if excess > 0:
                # Every (joint, phase) counts the same however long the phase.
                penalty += (excess / p.score_scale_deg) ** p.score_power
                faults.append(
                    {
                        "joint": joint,
                        "phase": name,
                        "t_start": round(ta0, 3),
                        "t_end": round(ta1, 3),
                        "measured_deg": _weighted(att_vals[rows, k], wk),
                        "reference_deg": _weighted(ref_vals[rows, k], wk),
                        "signed_deg": signed,
                        "deviation_deg": mean_abs,
                        "visibility": visibility,
                    }
                )
    wsel = w[:, jidx]
    base = float(np.sum(wsel * np.abs(diff[:, jidx])) / max(float(wsel.sum()), 1e-9))
    style_cost = p.style_weight * (sum(style) / len(style) if style else 0.0)
    score = (100.0 - style_cost) * math.exp(-penalty)
    return RepResult(al, score, base, errors, faults, phases, ref_t, att_t, ref_vals, att_vals)
