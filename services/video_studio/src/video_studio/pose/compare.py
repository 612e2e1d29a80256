"""Compare an attempt with a reference: normalise, find the window of the attempt that matches the
reference and align it (subsequence DTW, then banded DTW), find phases, score, coach."""

from __future__ import annotations

import math
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field
from typing import Any, TypedDict

import numpy as np

from video_studio.errors import InvalidInputError
from video_studio.joints import JOINTS
from video_studio.pose.dtw import Window, dtw, subsequence_window
from video_studio.pose.features import (
    Features,
    FloatArray,
    Sequence,
    features,
    mirrored,
    sequence_from_doc,
)
from video_studio.skeleton.doc import SkeletonDoc

REPORT_VERSION = 1
KEY_PHASES = ("chamber", "extension", "retraction")
EVEN_PHASES = ("start", "middle", "end")


@dataclass(frozen=True)
class CompareParams:
    """Tuning of the comparison. The defaults were chosen on the fault-injection bench
    (tests/bench/bench_pose_faults.py) on real squat repetitions; see the notes per field.

    Scoring in one line: each (joint, phase) whose mean deviation exceeds `tolerance_deg` is a
    fault, named in the feedback, and costs ``(excess / score_scale_deg) ** score_power`` in
    ``score = (100 - style_weight * style) * exp(-sum of costs)``; deviations under the tolerance
    are style and together cost at most `style_weight` points.
    """

    # Dead-band: a (joint, phase) mean deviation up to this many degrees is normal rep-to-rep
    # variation (style), not a fault. Above it the joint is named in the feedback AND costs score:
    # the feedback threshold and the score's dead-band are the same number on purpose. On the bench
    # a different clean repetition deviates up to ~10-13 deg in its worst (joint, phase), an
    # injected 15-30 deg fault measures 12-30 deg; 8-10 all pass the bench, 9 balances precision
    # (fewer style deviations named) against recall.
    tolerance_deg: float = 9.0
    # One (joint, phase) off by tolerance + score_scale_deg alone brings the score to 100/e (37);
    # with the defaults a single fault of 15 deg scores about 89, 20 deg about 75, 30 deg about 46.
    score_scale_deg: float = 25.0
    # > 1: the cost grows faster than the excess, so one clear fault weighs more than several
    # marginal ones and the score is driven by the worst (joint, phase) errors.
    score_power: float = 1.5
    # Points lost, at most, for deviations under the tolerance (mean over joints and phases of
    # deviation / tolerance): a sloppier-but-fault-free attempt still scores below a perfect one.
    style_weight: float = 5.0
    # Per-joint slack (degrees) after the timing correction: landmark jitter of a pixel or two.
    angle_noise_deg: float = 1.0
    band: float = 0.25  # Sakoe-Chiba radius as a fraction of the longer sequence
    # An attempt at least as long as the reference may hold lead-in / lead-out (standing before
    # and after, other repetitions): the reference is matched to its best window, which must last
    # min_tempo..max_tempo times the reference (a performance up to 2x faster or slower).
    min_tempo: float = 0.5
    max_tempo: float = 2.0
    # Ignored lead-in / lead-out shorter than this (seconds) gets no note in the report.
    window_note_s: float = 0.25
    # Mirrored wins only if its alignment cost is clearly lower (symmetric moves look the same).
    mirror_gain: float = 0.85
    min_visibility: float = 0.5
    # Phase cue: the reference must move key joints by at least this much (mean degrees).
    min_motion_deg: float = 8.0
    extension_level: float = 0.7  # fraction of peak displacement that counts as "extended"


class FeedbackItem(TypedDict):
    joint: str
    phase: str
    t_start: float
    t_end: float
    measured_deg: float
    reference_deg: float
    direction: str
    message: str


class PhaseDoc(TypedDict):
    name: str
    t_start: float  # reference time
    t_end: float
    attempt_t_start: float
    attempt_t_end: float


@dataclass
class Comparison:
    """Everything the report, overlay and plots need."""

    report: dict[str, Any]
    ref: Sequence
    attempt: Sequence  # as compared (mirrored when the report says so)
    attempt_original: Sequence  # as in the attempt video
    ref_angles: FloatArray
    attempt_angles: FloatArray
    path: list[tuple[int, int]]
    phase_bounds: list[tuple[str, int, int]]  # name, first, last reference frame
    joints: list[str] = field(default_factory=list)
    # First and last attempt row matched to the reference; rows outside are lead-in / lead-out.
    window: tuple[int, int] = (0, -1)

    def attempt_angles_on_ref(self) -> FloatArray:
        """(n_ref, J) attempt angles averaged over the attempt frames aligned to each ref frame."""
        return np.array([self.attempt_angles[m].mean(axis=0) for m in self.attempt_for_ref()])

    def attempt_for_ref(self) -> list[list[int]]:
        out: list[list[int]] = [[] for _ in range(len(self.ref))]
        for i, j in self.path:
            out[i].append(j)
        return out

    def ref_for_attempt(self) -> list[int]:
        """For each attempt frame, the reference frame DTW aligned with it (first match)."""
        out = [-1] * len(self.attempt)
        for i, j in self.path:
            if out[j] < 0:
                out[j] = i
        return out


def _alignment_cost(ref: Features, att: Features) -> FloatArray:
    # Square root per joint (concave): keeping one faulty joint 20 deg off costs less than pulling
    # every other joint a little out of time to hide it, so DTW aligns on the whole body and a
    # single-joint fault stays visible (linear costs let the warp eat ~half of a fast joint's
    # fault; measured on the kick fixture and the fault bench).
    da = np.sqrt(np.abs(ref.angles[:, None, :] - att.angles[None, :, :]) / 45.0)
    wa = ref.weights[:, None, :] * att.weights[None, :, :] + 1e-6
    ang = np.sum(da * wa, axis=2) / np.sum(wa, axis=2)
    dp = np.linalg.norm(ref.positions[:, None] - att.positions[None, :], axis=3) / 0.5
    wp = ref.pos_weights[:, None, :] * att.pos_weights[None, :, :] + 1e-6
    pos = np.sum(dp * wp, axis=2) / np.sum(wp, axis=2)
    return np.asarray(ang + pos, dtype=np.float64)


def _align(ref: Features, att: Features, p: CompareParams) -> tuple[float, list[tuple[int, int]]]:
    """Mean cost and path (reference row, attempt row) of the alignment of the whole reference
    with the best-matching window of the attempt (the whole attempt when it is shorter than the
    reference or no window qualifies): subsequence DTW finds the window, then the banded DTW
    aligns the reference with that window, its band around the window's diagonal."""
    cost = _alignment_cost(ref, att)
    n, m = cost.shape
    win: Window | None = None
    if m >= n:
        win = subsequence_window(cost, p.min_tempo, p.max_tempo, p.band)
    first, last = (win.first, win.last) if win is not None else (0, m - 1)
    mean_cost, path = dtw(cost[:, first : last + 1], p.band)
    return mean_cost, [(i, j + first) for i, j in path]


def _smooth(x: FloatArray, width: int) -> FloatArray:
    if width <= 1 or len(x) < 3:
        return x
    kernel = np.ones(width) / width
    padded = np.pad(x, width // 2, mode="edge")
    return np.asarray(np.convolve(padded, kernel, mode="valid")[: len(x)], dtype=np.float64)


# Sub-frame time shifts tried per reference frame, smallest first so ties keep the frame itself.
_SHIFTS = sorted(np.linspace(-0.5, 0.5, 21), key=abs)


def timing_tolerant_diff(
    attempt: FloatArray,
    ref: FloatArray,
    weights: FloatArray | None = None,
    noise_deg: float = 0.0,
) -> FloatArray:
    """(n, J) attempt - ref per frame, after forgiving what is only timing.

    DTW can only align whole frames, and at low frame rates a joint moving fast changes a lot
    within one frame. So each reference frame may be shifted by up to half a frame (linear
    interpolation towards its neighbour): ONE shift for all joints of the frame, the one with the
    least weighted absolute difference. A true timing offset moves every joint together and is
    absorbed; one joint bent differently is not (a per-joint allowance would hide a fault of one
    joint that moves fast). `noise_deg` is then forgiven per joint (landmark jitter)."""
    prev = np.vstack([ref[:1], ref[:-1]])
    nxt = np.vstack([ref[1:], ref[-1:]])
    w = np.ones_like(ref) if weights is None else weights
    best = np.full(ref.shape, np.nan)
    best_cost = np.full(len(ref), np.inf)
    for tau in _SHIFTS:
        shifted = ref + max(tau, 0.0) * (nxt - ref) + max(-tau, 0.0) * (prev - ref)
        d = attempt - shifted
        cost = np.sum(w * np.abs(d), axis=1)
        better = cost < best_cost - 1e-9
        best[better] = d[better]
        best_cost[better] = cost[better]
    if noise_deg > 0:
        best = np.sign(best) * np.maximum(np.abs(best) - noise_deg, 0.0)
    return np.asarray(best, dtype=np.float64)


def find_phases(
    angles: FloatArray,
    weights: FloatArray,
    times: FloatArray,
    joint_idx: list[int],
    params: CompareParams,
) -> list[tuple[str, int, int]]:
    """Split the reference into chamber / extension / retraction from how far the key joints are
    from the starting pose; fall back to three even parts when the motion gives no cue."""
    n = len(angles)
    disp_all = np.abs(angles[:, joint_idx] - angles[0, joint_idx]) * (weights[:, joint_idx] > 0.3)
    # Key joints: the ones that move most in the reference.
    ranges = disp_all.max(axis=0)
    keep = ranges >= max(params.min_motion_deg, 0.5 * float(ranges.max(initial=0.0)))
    disp = disp_all[:, keep].mean(axis=1) if keep.any() else np.zeros(n)
    fps = (n - 1) / max(float(times[-1] - times[0]), 1e-6)
    disp = _smooth(disp, max(1, round(0.15 * fps)) | 1)
    peak = int(np.argmax(disp))
    if n >= 6 and disp[peak] >= params.min_motion_deg:
        level = params.extension_level * disp[peak]
        a = peak
        while a > 0 and disp[a - 1] >= level:
            a -= 1
        b = peak
        while b < n - 1 and disp[b + 1] >= level:
            b += 1
        if a >= 1 and b <= n - 2:
            return [(KEY_PHASES[0], 0, a - 1), (KEY_PHASES[1], a, b), (KEY_PHASES[2], b + 1, n - 1)]
    cuts = np.linspace(0, n, 4).round().astype(int)
    return [(EVEN_PHASES[k], int(cuts[k]), int(cuts[k + 1]) - 1) for k in range(3) if cuts[k + 1] > cuts[k]]


_SIDE_WORDS = {"left": "left ", "right": "right "}


def coach_message(joint: str, phase: str, measured: float, reference: float) -> tuple[str, str]:
    """(direction, message). direction says which way the joint angle must change."""
    delta = round(abs(measured - reference))
    direction = "increase" if measured < reference else "decrease"
    if joint == "trunk":
        if direction == "decrease":
            return direction, f"keep your trunk more upright in the {phase}: {delta}° too much lean"
        return direction, f"lean your trunk more in the {phase}: {delta}° short"
    side, part = joint.split("_", 1)
    s = _SIDE_WORDS.get(side, "")
    if part in ("elbow", "knee"):
        if direction == "increase":
            return direction, f"straighten your {s}{part} more in the {phase}: {delta}° short"
        return direction, f"bend your {s}{part} more in the {phase}: {delta}° short"
    if part == "hip":
        if direction == "decrease":
            return direction, f"raise your {s}knee higher in the {phase}: {delta}° short"
        return direction, f"keep your {s}knee lower in the {phase}: {delta}° too high"
    if part == "shoulder":
        if direction == "increase":
            return direction, f"raise your {s}arm higher in the {phase}: {delta}° short"
        return direction, f"keep your {s}arm lower in the {phase}: {delta}° too high"
    if direction == "increase":
        return direction, f"point your {s}foot more in the {phase}: {delta}° short"
    return direction, f"pull your {s}toes up more in the {phase}: {delta}° short"


def swap_sides(text: str) -> str:
    return text.replace("left", "\0").replace("right", "left").replace("\0", "right")


def _prepare(doc: SkeletonDoc, what: str) -> Sequence:
    seq = sequence_from_doc(doc, what)
    return seq


def compare_sequences(
    ref: Sequence,
    attempt: Sequence,
    *,
    joints: Seq[str] | None = None,
    params: CompareParams | None = None,
) -> Comparison:
    p = params or CompareParams()
    chosen = list(joints) if joints else list(JOINTS)
    unknown = [j for j in chosen if j not in JOINTS]
    if unknown:
        raise InvalidInputError(f"unknown joint(s) {', '.join(unknown)}; choose from {', '.join(JOINTS)}")
    jidx = [JOINTS.index(j) for j in chosen]

    original = attempt
    fr = features(ref.points)
    cost_plain, path_plain = _align(fr, features(attempt.points), p)
    mpoints = mirrored(attempt.points)
    cost_mirror, path_mirror = _align(fr, features(mpoints), p)
    is_mirrored = cost_mirror < p.mirror_gain * cost_plain
    if is_mirrored:
        attempt = Sequence(mpoints, attempt.times, attempt.indices)
        path = path_mirror
    else:
        path = path_plain
    fa = features(attempt.points)
    w_first, w_last = path[0][1], path[-1][1]

    phases = find_phases(fr.angles, fr.weights, ref.times, jidx, p)
    n = len(ref)
    # Per reference frame: the mean of the attempt frames aligned with it.
    matched: list[list[int]] = [[] for _ in range(n)]
    for i, j in path:
        matched[i].append(j)
    att_on_ref = np.array([fa.angles[m].mean(axis=0) for m in matched])
    w_on_ref = np.array([fa.weights[m].mean(axis=0) for m in matched])
    w = np.minimum(fr.weights, w_on_ref)
    diff = timing_tolerant_diff(att_on_ref, fr.angles, w, p.angle_noise_deg)

    errors: dict[str, dict[str, dict[str, float]]] = {}
    items: list[tuple[float, FeedbackItem]] = []
    penalty = 0.0
    style: list[float] = []
    phase_docs: list[PhaseDoc] = []
    for name, a, b in phases:
        js = [j for m in matched[a : b + 1] for j in m]
        ta0, ta1 = float(attempt.times[min(js)]), float(attempt.times[max(js)])
        phase_docs.append(
            {
                "name": name,
                "t_start": round(float(ref.times[a]), 3),
                "t_end": round(float(ref.times[b]), 3),
                "attempt_t_start": round(ta0, 3),
                "attempt_t_end": round(ta1, 3),
            }
        )
        for k in jidx:
            joint = JOINTS[k]
            wk = w[a : b + 1, k]
            total = float(wk.sum())
            if total <= 1e-9:
                continue
            signed = float(np.sum(wk * diff[a : b + 1, k]) / total)
            # Judged on the mean absolute deviation: near 0° or 180° a planar angle folds back,
            # so a real fault can show up with both signs within one phase.
            mean_abs = float(np.sum(wk * np.abs(diff[a : b + 1, k])) / total)
            visibility = total / len(wk)
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
                # Every (joint, phase) counts the same however long the phase: a fault in a quick
                # chamber matters as much as one in a long extension.
                penalty += (excess / p.score_scale_deg) ** p.score_power
                measured = float(np.sum(wk * att_on_ref[a : b + 1, k]) / total)
                reference = float(np.sum(wk * fr.angles[a : b + 1, k]) / total)
                direction, message = coach_message(joint, name, measured, reference)
                items.append(
                    (
                        mean_abs * visibility,
                        {
                            "joint": joint,
                            "phase": name,
                            "t_start": round(ta0, 3),
                            "t_end": round(ta1, 3),
                            "measured_deg": round(measured, 1),
                            "reference_deg": round(reference, 1),
                            "direction": direction,
                            "message": message,
                        },
                    )
                )
    items.sort(key=lambda x: -x[0])
    if is_mirrored:
        # Feedback speaks about the student's own body: name their sides, not the reference's.
        for _, item in items:
            item["joint"] = swap_sides(item["joint"])
            item["message"] = swap_sides(item["message"])
        errors = {swap_sides(joint): v for joint, v in errors.items()}
    wsel = w[:, jidx]
    base = float(np.sum(wsel * np.abs(diff[:, jidx])) / max(float(wsel.sum()), 1e-9))
    style_cost = p.style_weight * (sum(style) / len(style) if style else 0.0)
    score = (100.0 - style_cost) * math.exp(-penalty)
    notes = []
    if is_mirrored:
        notes.append(
            "the attempt is performed on the other side (mirrored): left and right were swapped to compare it"
        )
    times = attempt.times
    lead_in = float(times[w_first] - times[0])
    lead_out = float(times[-1] - times[w_last])
    if max(lead_in, lead_out) >= p.window_note_s:
        notes.append(
            f"only {times[w_first]:.2f}-{times[w_last]:.2f} s of the attempt matched the reference "
            f"and was judged; {lead_in:.1f} s before and {lead_out:.1f} s after it were ignored "
            "(lead-in, lead-out or other repetitions)"
        )
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "score": round(score, 1),
        "mean_abs_error_deg": round(base, 2),
        "mirrored": bool(is_mirrored),
        "notes": notes,
        "joints": chosen,
        "phases": phase_docs,
        "attempt_window": {
            "t_start": round(float(times[w_first]), 3),
            "t_end": round(float(times[w_last]), 3),
            "frame_start": int(attempt.indices[w_first]),
            "frame_end": int(attempt.indices[w_last]),
        },
        "errors": errors,
        "feedback": [item for _, item in items],
        "alignment": {
            "cost": round(cost_mirror if is_mirrored else cost_plain, 4),
            "cost_unmirrored": round(cost_plain, 4),
            "cost_mirrored": round(cost_mirror, 4),
            "path": [[int(ref.indices[i]), int(attempt.indices[j])] for i, j in path],
        },
    }
    return Comparison(
        report, ref, attempt, original, fr.angles, fa.angles, path, phases, chosen, (w_first, w_last)
    )


def compare_docs(
    reference: SkeletonDoc,
    attempt: SkeletonDoc,
    *,
    joints: Seq[str] | None = None,
    params: CompareParams | None = None,
) -> Comparison:
    return compare_sequences(
        _prepare(reference, "reference"), _prepare(attempt, "attempt"), joints=joints, params=params
    )


def compare_skeletons(
    reference: SkeletonDoc,
    attempt: SkeletonDoc,
    *,
    joints: Seq[str] | None = None,
    params: CompareParams | None = None,
) -> dict[str, Any]:
    """The JSON report comparing an attempt with a reference (see Comparison.report)."""
    return compare_docs(reference, attempt, joints=joints, params=params).report
