"""Checks around the comparison: is this the reference movement at all, and what about the
recording (view, visibility, frame rate, several people) should the student know.

Everything here is language-neutral: a reason or warning code with numbers, rendered by
video_studio.pose_report.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from video_studio.joints import ANGLES
from video_studio.pose.align import Alignment
from video_studio.pose.features import Sequence, body_yaw, width_ratio
from video_studio.skeleton.names import INDEX

_BODY = slice(11, 33)
_TRUNK = [INDEX[n] for n in ("left_shoulder", "right_shoulder", "left_hip", "right_hip")]


@dataclass(frozen=True)
class MatchParams:
    """Thresholds of "is this the movement" and of the recording warnings (chosen on the bench's
    classes: clean re-timed attempts, other real repetitions, a dance against squats, standing
    still, colour bars; see tests/bench/bench_pose_faults.py)."""

    # A person must be found in this share of the judged window's frames ...
    min_person_share: float = 0.6
    # ... and of the whole attempt, else there is no person to speak of.
    no_person_share: float = 0.25
    min_visibility: float = 0.5  # mean visibility of the body landmarks in the window
    # The attempt's key joints must move at least this share of the reference's range.
    min_motion_ratio: float = 0.35
    still_motion_ratio: float = 0.15  # ... and below this share, the person stood still
    # Mean alignment cost per path step above which it is another movement.
    max_cost: float = 1.1
    # A template sample is covered when the attempt was seen there and matched it this well;
    # every third of the template must be covered this much.
    covered_cost: float = 1.2
    min_coverage: float = 0.6
    # Later windows (repetitions): cost under extra_rep_cost * max_cost (or extra_rep_factor times
    # the best window's), range of motion at least extra_rep_motion of the reference's.
    extra_rep_cost: float = 0.6
    extra_rep_factor: float = 1.5
    extra_rep_motion: float = 0.6
    # Recording warnings.
    low_fps: float = 15.0
    view_yaw_deg: float = 40.0
    view_width_ratio: float = 0.5  # 2D only: shoulder-width/torso ratios this different
    partial_share: float = 0.2
    low_visibility_share: float = 0.2


def _logistic(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, x))))


def no_person_match() -> dict[str, Any]:
    return {
        "same_movement": False,
        "confidence": 0.0,
        "reason": "no_person",
        "cost": None,
        "coverage": 0.0,
        "duration_ratio": None,
        "motion_ratio": 0.0,
        "visibility": 0.0,
        "person_share": 0.0,
    }


def _window_samples(al: Alignment) -> npt.NDArray[np.int64]:
    return np.unique(np.array([j for _, j in al.path], dtype=np.int64))


def motion_ratio(al: Alignment, key_joints: list[int]) -> float:
    """Median over the reference's moving joints of the attempt's range over the reference's."""
    if not key_joints:
        return 1.0
    ref = al.ref_features.angles[:, key_joints]
    att = al.attempt_features.angles[_window_samples(al)][:, key_joints]
    ref_range = ref.max(axis=0) - ref.min(axis=0)
    att_range = att.max(axis=0) - att.min(axis=0)
    return float(np.median(att_range / np.maximum(ref_range, 1e-6)))


def coverage(al: Alignment, p: MatchParams) -> float:
    """How much of the template the attempt covers: per third of the template (beginning, middle,
    end), the share of its samples where the attempt was seen (not a filled gap) and matched at an
    acceptable cost; the smallest of the three. A movement cut short (the recording ends at the
    bottom of a squat) leaves a third uncovered however well the rest matches."""
    detected = al.attempt.detected
    seen = np.zeros(len(al.ref))
    count = np.zeros(len(al.ref))
    for i, j in al.path:
        seen[i] += float(detected[j])
        count[i] += 1
    ok = (seen / np.maximum(count, 1) >= 0.5) & (al.ref_cost() <= p.covered_cost)
    n = len(ok)
    thirds = [ok[k * n // 3 : max((k + 1) * n // 3, k * n // 3 + 1)] for k in range(3)]
    return float(min(part.mean() for part in thirds))


def judge_match(
    best: Alignment,
    template: Sequence,
    attempt: Sequence,
    key_joints: list[int],
    p: MatchParams,
    *,
    min_length: float = 0.45,
) -> dict[str, Any]:
    """same_movement, a confidence 0..1 (the weakest of the evidences, 0.5 at its threshold) and
    the reason when it is not the movement, from the best-matching window."""
    samples = _window_samples(best)
    person_share = float(best.attempt.detected[samples].mean())
    overall_share = float(attempt.detected.mean())
    visibility = float(np.clip(best.attempt.points[samples][:, _BODY, 3], 0, 1).mean())
    motion = motion_ratio(best, key_joints)
    cover = coverage(best, p)
    duration_ratio = (float(attempt.times[-1] - attempt.times[0])) / max(template.duration, 1e-6)
    evidence = {
        "person": _logistic((person_share - p.min_person_share) / 0.08),
        "anybody": _logistic((overall_share - p.no_person_share) / 0.05),
        "visibility": _logistic((visibility - p.min_visibility) / 0.08),
        "length": _logistic((duration_ratio - min_length) / 0.05),
        "motion": _logistic((motion - p.min_motion_ratio) / 0.08),
        "cost": _logistic((p.max_cost - best.mean_cost) / (0.12 * p.max_cost)),
        "coverage": _logistic((cover - p.min_coverage) / 0.06),
    }
    if overall_share < p.no_person_share:
        reason = "no_person"
    elif person_share < p.min_person_share or visibility < p.min_visibility:
        reason = "low_visibility"
    elif duration_ratio < min_length:
        reason = "low_coverage"  # the attempt is shorter than any performance of the movement
    elif motion < p.still_motion_ratio:
        reason = "no_motion"
    elif best.mean_cost > p.max_cost or motion < p.min_motion_ratio:
        reason = "different_movement"
    elif cover < p.min_coverage:
        reason = "low_coverage"
    else:
        reason = "ok"
    confidence = min(evidence.values())
    if reason != "ok":
        confidence = min(confidence, 0.49)
    return {
        "same_movement": reason == "ok",
        "confidence": round(confidence, 2),
        "reason": reason,
        "cost": round(best.mean_cost, 3),
        "coverage": round(cover, 2),
        "duration_ratio": round(best.tempo, 2),
        "motion_ratio": round(motion, 2),
        "visibility": round(visibility, 2),
        "person_share": round(person_share, 2),
    }


def rep_is_movement(al: Alignment, best: Alignment, key_joints: list[int], p: MatchParams) -> bool:
    """A later window is a repetition when it looks like the movement on its own, by a stricter
    bar than the best window (which only has to be the movement at all): most of the reference's
    range of motion, and a cost near the best window's or clearly low. Standing around before or
    after, or the tail of the previous repetition, is not another repetition."""
    samples = _window_samples(al)
    cost_limit = max(p.extra_rep_cost * p.max_cost, p.extra_rep_factor * best.mean_cost)
    return (
        float(al.attempt.detected[samples].mean()) >= p.min_person_share
        and motion_ratio(al, key_joints) >= p.extra_rep_motion
        and al.mean_cost <= min(cost_limit, p.max_cost)
        and coverage(al, p) >= p.min_coverage
    )


def subject_warnings(subject: dict[str, Any] | None) -> list[dict[str, Any]]:
    if not subject:
        return []
    out: list[dict[str, Any]] = []
    if subject.get("several_people"):
        out.append({"code": "several_people", "params": {}})
    switches = subject.get("switches") or []
    if switches:
        out.append({"code": "subject_switch", "params": {"t": round(float(switches[0]["t"]), 1)}})
    return out


def frame_rate_warnings(ref: Sequence, attempt: Sequence | None, p: MatchParams) -> list[dict[str, Any]]:
    out = []
    if attempt is not None and attempt.effective_fps < p.low_fps:
        out.append(
            {"code": "low_frame_rate", "params": {"kind": "attempt", "fps": round(attempt.effective_fps)}}
        )
    if ref.effective_fps < p.low_fps:
        out.append(
            {"code": "low_frame_rate", "params": {"kind": "reference", "fps": round(ref.effective_fps)}}
        )
    return out


def view_warning(template: Sequence, attempt: Sequence, p: MatchParams) -> dict[str, Any] | None:
    """A different camera angle: the body's direction around the vertical (3D), or, in 2D, how
    wide the shoulders look against the torso."""
    if template.world is not None and attempt.world is not None:
        a, b = body_yaw(template), body_yaw(attempt)
        if a is None or b is None:
            return None
        diff = abs((a - b + 180.0) % 360.0 - 180.0)
        # Facing the camera or turned away look alike to the angle checks; what matters is the
        # angle between the camera and the body's plane.
        diff = min(diff, 180.0 - diff)
        if diff < p.view_yaw_deg:
            return None
        return {
            "code": "view_mismatch",
            "params": {"kind": "camera_angle", "degrees": int(5 * round(diff / 5))},
        }
    ra, rb = width_ratio(template), width_ratio(attempt)
    if min(ra, rb) >= p.view_width_ratio * max(ra, rb):
        return None
    degrees = math.degrees(math.acos(min(1.0, min(ra, rb) / max(ra, rb, 1e-6))))
    return {
        "code": "view_mismatch",
        "params": {"kind": "camera_angle", "degrees": int(5 * round(degrees / 5))},
    }


def _needed_landmarks(joints: list[str]) -> list[int]:
    out: set[int] = set()
    for joint in joints:
        if joint in ANGLES:
            out.update(INDEX[name] for name in ANGLES[joint])
        else:
            out.update(_TRUNK)
    return sorted(out)


def body_warnings(alignments: list[Alignment], joints: list[str], p: MatchParams) -> list[dict[str, Any]]:
    """Part of the body out of the picture or hidden (partial_body), or the body hard to see or
    not found (low_visibility), over the judged windows."""
    needed = _needed_landmarks(joints)
    partial = low = total = 0
    for al in alignments:
        samples = _window_samples(al)
        vis = np.clip(al.attempt.points[samples, :, 3], 0.0, 1.0)
        body = vis[:, _BODY].mean(axis=1)
        seen = al.attempt.detected[samples]
        poorly = ~seen | (body < 0.6)
        low += int(poorly.sum())
        partial += int(((vis[:, needed] < 0.5).any(axis=1) & ~poorly).sum())
        total += len(samples)
    out: list[dict[str, Any]] = []
    if total and partial / total >= p.partial_share:
        out.append({"code": "partial_body", "params": {"percent": round(100 * partial / total)}})
    if total and low / total >= p.low_visibility_share:
        out.append({"code": "low_visibility", "params": {"percent": round(100 * low / total)}})
    return out
