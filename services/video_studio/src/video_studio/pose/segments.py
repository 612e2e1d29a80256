"""Cutting a reference into repetitions, and a repetition into phases.

Repetitions: the joints that move in the reference are reduced to one signal (their first
principal component), oriented so the resting pose is low, and every excursion of that signal
from rest to the action is one repetition; the cuts are the lowest points between excursions.
A kata or a stance transition is performed once, so it is never cut.

Phases: how far the key joints are from the starting pose; the stretch around the peak is the
middle phase (extension of a kick, impact of a strike...), before and after it the other two.
Without a clear peak the repetition is split in three even parts.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence as Seq

import numpy as np

from video_studio.pose.features import FloatArray
from video_studio.techniques import EVEN_ONLY, REPEATABLE, Technique, phase_names

MIN_MOTION_DEG = 8.0  # the key joints must move at least this much (mean) for a phase cue
EXTENSION_LEVEL = 0.7  # fraction of peak displacement that counts as the middle phase
# A repetition is an excursion of the motion signal above REP_ENTER of its range, ending when it
# falls back under REP_LEAVE.
REP_ENTER = 0.6
REP_LEAVE = 0.4
MIN_REP_SECONDS = 0.4
MOVING_JOINT_DEG = 15.0


def smooth(x: FloatArray, width: int) -> FloatArray:
    if width <= 1 or len(x) < 3:
        return x
    kernel = np.ones(width) / width
    padded = np.pad(x, width // 2, mode="edge")
    return np.asarray(np.convolve(padded, kernel, mode="valid")[: len(x)], dtype=np.float64)


def moving_joints(angles: FloatArray, weights: FloatArray, min_range: float = MOVING_JOINT_DEG) -> list[int]:
    """Joints whose (visible) angle range in the sequence is at least min_range degrees."""
    ranges = []
    for k in range(angles.shape[1]):
        seen = weights[:, k] > 0.3
        col = angles[seen, k]
        ranges.append(float(col.max() - col.min()) if len(col) else 0.0)
    top = max(ranges, default=0.0)
    return [k for k, r in enumerate(ranges) if r >= max(min_range, 0.4 * top)]


def motion_signal(angles: FloatArray, weights: FloatArray, fps: float) -> FloatArray | None:
    """The moving joints' first principal component, smoothed; None when nothing moves. Its sign
    is arbitrary (see `_action_up`)."""
    joints = moving_joints(angles, weights)
    if not joints:
        return None
    x = angles[:, joints]
    x = (x - x.mean(axis=0)) / np.maximum(x.std(axis=0), 1e-6)
    _, _, vt = np.linalg.svd(x, full_matrices=False)
    return smooth(np.asarray(x @ vt[0], dtype=np.float64), max(1, round(0.15 * fps)) | 1)


def _excursions(signal: FloatArray, enter: float, leave: float) -> list[tuple[int, int]]:
    """Stretches where the signal rises above `enter` until it falls back below `leave`
    (hysteresis: noise around one level is not a new excursion)."""
    out: list[tuple[int, int]] = []
    start: int | None = None
    for i, v in enumerate(signal):
        if start is None and v > enter:
            start = i
        elif start is not None and v < leave:
            out.append((start, i - 1))
            start = None
    if start is not None:
        out.append((start, len(signal) - 1))
    return out


def _rest_low(signal: FloatArray) -> FloatArray:
    """The signal oriented so the resting pose is low. An instructor marks a technique from rest,
    or at least to rest: the first (else the last) samples, when they sit at one extreme, are the
    rest. Otherwise the orientation with more action excursions wins (k repetitions between
    rests show k excursions of the action and k - 1 of the rest)."""
    low, high = float(signal.min()), float(signal.max())
    span = max(high - low, 1e-9)
    k = max(1, min(3, len(signal) // 10))
    for v in (float(signal[:k].mean()), float(signal[-k:].mean())):
        if v - low <= 0.25 * span:
            return signal
        if high - v <= 0.25 * span:
            return -signal
    up = _excursions(signal, low + 0.6 * span, low + 0.4 * span)
    down = _excursions(-signal, -high + 0.6 * span, -high + 0.4 * span)
    return signal if len(up) >= len(down) else -signal


def split_repetitions(
    angles: FloatArray, weights: FloatArray, times: FloatArray, technique: Technique
) -> tuple[list[tuple[int, int]], FloatArray | None]:
    """(first, last) sample of each repetition in the sequence, and the motion signal (rest
    low); one span when it is performed once (or the technique is not repeated: kata, stance).

    Each excursion of the signal from the rest level to the action level (hysteresis at 40% and
    60% of its range) is a repetition; the cuts are the lowest points between excursions."""
    n = len(times)
    whole = [(0, n - 1)]
    if technique not in REPEATABLE or n < 6:
        return whole, None
    fps = (n - 1) / max(float(times[-1] - times[0]), 1e-6)
    raw = motion_signal(angles, weights, fps)
    if raw is None:
        return whole, None
    signal = _rest_low(raw)
    low, span = float(signal.min()), float(signal.max() - signal.min())
    found = _excursions(signal, low + REP_ENTER * span, low + REP_LEAVE * span)
    if len(found) < 2:
        return whole, signal
    cuts = [e0 + int(np.argmin(signal[e0 : s1 + 1])) for (_, e0), (s1, _) in itertools.pairwise(found)]
    bounds = [0, *cuts, n - 1]
    reps = [(bounds[k], bounds[k + 1]) for k in range(len(bounds) - 1)]
    lengths = np.array([b - a for a, b in reps], dtype=np.float64)
    if lengths.min() < MIN_REP_SECONDS * fps or lengths.max() > 2.5 * max(lengths.min(), 1.0):
        return whole, signal
    return reps, signal


def typical_repetition(
    spans: Seq[tuple[int, int]], signal: FloatArray | None, angles: FloatArray, joints: list[int]
) -> int:
    """The repetition to judge against: among the complete ones (starting and ending near the
    rest pose), the one most like the others (time-normalised angle curves, L1); with two, the
    more complete, then the longer."""
    if len(spans) == 1 or signal is None:
        return 0
    low, high = float(signal.min()), float(signal.max())
    rest = [max(signal[a], signal[b]) - low for a, b in spans]
    complete = [k for k, r in enumerate(rest) if r <= 0.5 * (high - low)] or list(range(len(spans)))
    if len(complete) <= 2:
        return min(complete, key=lambda k: (rest[k], -(spans[k][1] - spans[k][0])))
    curves = []
    for k in complete:
        a, b = spans[k]
        u = np.linspace(a, b, 30)
        curves.append(np.stack([np.interp(u, np.arange(len(angles)), angles[:, j]) for j in joints], axis=1))
    dist = np.array([[float(np.abs(c1 - c2).mean()) for c2 in curves] for c1 in curves])
    return complete[int(np.argmin(dist.sum(axis=1)))]


def find_phases(
    angles: FloatArray,
    weights: FloatArray,
    times: FloatArray,
    joint_idx: list[int],
    technique: Technique,
) -> list[tuple[str, int, int]]:
    """(name, first, last) of the three phases of one repetition."""
    n = len(angles)
    disp_all = np.abs(angles[:, joint_idx] - angles[0, joint_idx]) * (weights[:, joint_idx] > 0.3)
    ranges = disp_all.max(axis=0) if n else np.zeros(len(joint_idx))
    keep = ranges >= max(MIN_MOTION_DEG, 0.5 * float(ranges.max(initial=0.0)))
    disp = disp_all[:, keep].mean(axis=1) if keep.any() else np.zeros(n)
    fps = (n - 1) / max(float(times[-1] - times[0]), 1e-6)
    disp = smooth(disp, max(1, round(0.15 * fps)) | 1)
    peak = int(np.argmax(disp)) if n else 0
    if technique not in EVEN_ONLY and n >= 6 and disp[peak] >= MIN_MOTION_DEG:
        level = EXTENSION_LEVEL * disp[peak]
        a = peak
        while a > 0 and disp[a - 1] >= level:
            a -= 1
        b = peak
        while b < n - 1 and disp[b + 1] >= level:
            b += 1
        if a >= 1 and b <= n - 2:
            names = phase_names(technique, peaked=True)
            return [(names[0], 0, a - 1), (names[1], a, b), (names[2], b + 1, n - 1)]
    names = phase_names(technique, peaked=False)
    cuts = np.linspace(0, n, 4).round().astype(int)
    return [(names[k], int(cuts[k]), int(cuts[k + 1]) - 1) for k in range(3) if cuts[k + 1] > cuts[k]]
