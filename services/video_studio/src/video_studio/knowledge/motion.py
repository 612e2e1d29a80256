"""Motion evidence for technique categories, from a skeleton document (video_studio.skeleton).

For a time window of the video, each category the body can show gets a score in 0..1 and the
frames that show it. Measured in the picture, hip-centred and in torso lengths (so the size of
the person on screen does not matter):

- kick: one ankle raised well above the other, more than 1.1 torso lengths (a squat lowers both
  alike, walking or dancing lifts a foot about one torso length);
- strike: an elbow straightening fast (more than 60° within half a second) with the wrist ending near
  shoulder height, away from the body;
- block: a bent forearm raised above the head (age uke) or an arm sweeping down across the body
  to below the hip (gedan barai); weaker evidence, blocks look like other arm work;
- stance: a low, wide posture (feet apart more than 1.3 torso lengths, both knees bent) held
  still for at least half a second;
- general (an exercise): the same movement repeated at least three times over the whole
  recording (the pose module's repetition finder), for the windows those repetitions cover.

Kata and throws are sequences and two-person actions that one skeleton cannot tell: they come
from words only.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Final

import numpy as np
import numpy.typing as npt

from video_studio.errors import InvalidInputError
from video_studio.joints import JOINTS
from video_studio.pose.features import Sequence, joint_angles, sequence_from_doc
from video_studio.pose.segments import split_repetitions
from video_studio.skeleton.doc import SkeletonDoc
from video_studio.skeleton.names import INDEX
from video_studio.techniques import Technique

IntArray = npt.NDArray[np.int64]
MOTION_CATEGORIES: Final[tuple[Technique, ...]] = ("kick", "strike", "block", "stance", "general")
# The most a category's motion evidence alone may score: seeing is weaker than being told.
MOTION_CEILING: Final[dict[Technique, float]] = {
    "kick": 0.85, "strike": 0.75, "block": 0.55, "stance": 0.75, "general": 0.8,
}  # fmt: skip
MIN_VISIBILITY: Final = 0.5

_L_HIP, _R_HIP = INDEX["left_hip"], INDEX["right_hip"]
_L_SH, _R_SH = INDEX["left_shoulder"], INDEX["right_shoulder"]
_L_ANK, _R_ANK = INDEX["left_ankle"], INDEX["right_ankle"]
_L_WR, _R_WR = INDEX["left_wrist"], INDEX["right_wrist"]
_NOSE = INDEX["nose"]
_ELBOWS = (JOINTS.index("left_elbow"), JOINTS.index("right_elbow"))
_KNEES = (JOINTS.index("left_knee"), JOINTS.index("right_knee"))


@dataclass
class MotionEvidence:
    category: Technique
    score: float  # 0..1 (capped by MOTION_CEILING)
    frames: list[int] = field(default_factory=list)  # frame indices that show it best
    times: list[float] = field(default_factory=list)
    measure: dict[str, float] = field(default_factory=dict)  # the numbers behind the score


class MotionTrack:
    """A skeleton prepared once; `window(start, end)` scores any time range of it."""

    def __init__(self, doc: SkeletonDoc) -> None:
        self.seq: Sequence = sequence_from_doc(doc, "skeleton")
        pts = self.seq.points
        xy = pts[..., :2]
        hip = (xy[:, _L_HIP] + xy[:, _R_HIP]) / 2
        shoulders = (xy[:, _L_SH] + xy[:, _R_SH]) / 2
        torso = float(np.median(np.linalg.norm(shoulders - hip, axis=1)))
        if torso < 1e-6:
            raise InvalidInputError(
                "skeleton has no measurable torso (shoulders on the hips)", reason_code="no_torso"
            )
        self.rel = (xy - hip[:, None, :]) / torso  # hip-centred, torso units, y down
        self.vis = np.clip(pts[..., 3], 0.0, 1.0)
        self.angles, self.angle_weights = joint_angles(pts)
        self.times = self.seq.times
        self.indices = np.asarray(self.seq.indices)
        # Repetitions need the whole recording to be told apart from a single movement.
        spans, _ = split_repetitions(self.angles, self.angle_weights, self.times, "general")
        self.repetitions = spans if len(spans) > 1 else []

    @property
    def start(self) -> float:
        return float(self.times[0])

    @property
    def end(self) -> float:
        return float(self.times[-1])

    def window(self, start: float, end: float) -> dict[Technique, MotionEvidence]:
        """Evidence per category in [start, end] seconds (video time); empty when the person is
        not in view for at least 3 frames of it."""
        sel = np.flatnonzero((self.times >= start - 1e-6) & (self.times <= end + 1e-6))
        if len(sel) < 3 or not self.seq.detected[sel].any():
            return {}
        found: dict[Technique, MotionEvidence] = {
            "kick": self._kick(sel),
            "strike": self._strike(sel),
            "block": self._block(sel),
            "stance": self._stance(sel),
            "general": self._repeated(sel),
        }
        out: dict[Technique, MotionEvidence] = {}
        for category, evidence in found.items():
            evidence.score = round(min(evidence.score, MOTION_CEILING[category]), 4)
            out[evidence.category] = evidence
        return out

    def _frames(self, sel: IntArray, picks: IntArray) -> tuple[list[int], list[float]]:
        rows = sel[picks]
        return [int(i) for i in self.indices[rows]], [round(float(t), 3) for t in self.times[rows]]

    def _kick(self, sel: IntArray) -> MotionEvidence:
        rel, vis = self.rel[sel], self.vis[sel]
        seen = (vis[:, _L_ANK] > MIN_VISIBILITY) & (vis[:, _R_ANK] > MIN_VISIBILITY)
        lift = np.where(seen, np.abs(rel[:, _L_ANK, 1] - rel[:, _R_ANK, 1]), 0.0)
        peak = float(lift.max(initial=0.0))
        score = float(np.clip((peak - 1.1) / 0.5, 0.0, 1.0))
        picks = np.argsort(lift)[-3:][::-1] if score > 0 else np.array([], dtype=int)
        frames, times = self._frames(sel, picks)
        return MotionEvidence("kick", score, frames, times, {"foot_lift_torso": round(peak, 3)})

    def _strike(self, sel: IntArray) -> MotionEvidence:
        times = self.times[sel]
        best, best_at = 0.0, -1
        for side, elbow in enumerate(_ELBOWS):
            wrist = (_L_WR, _R_WR)[side]
            shoulder = (_L_SH, _R_SH)[side]
            angle = self.angles[sel, elbow]
            ok = self.angle_weights[sel, elbow] > MIN_VISIBILITY
            for k in range(len(sel)):
                if not ok[k] or angle[k] < 140:
                    continue
                back = np.flatnonzero((times >= times[k] - 0.5) & (times < times[k]) & ok)
                if not len(back):
                    continue
                gain = float(angle[k] - angle[back].min())
                rel = self.rel[sel[k]]
                reach = float(np.linalg.norm(rel[wrist] - rel[shoulder]))
                level = abs(float(rel[wrist, 1] - rel[shoulder, 1]))
                if gain >= 50 and reach >= 0.8 and level <= 0.6 and gain > best:
                    best, best_at = gain, k
        score = float(np.clip((best - 60) / 50, 0.0, 1.0))
        frames, ts = self._frames(sel, np.array([best_at])) if best_at >= 0 else ([], [])
        return MotionEvidence("strike", score, frames, ts, {"elbow_extension_deg": round(best, 1)})

    def _block(self, sel: IntArray) -> MotionEvidence:
        rel, vis = self.rel[sel], self.vis[sel]
        best, best_at = 0.0, -1
        for side, elbow in enumerate(_ELBOWS):
            wrist = (_L_WR, _R_WR)[side]
            other_hip = (_R_HIP, _L_HIP)[side]
            angle = self.angles[sel, elbow]
            seen = vis[:, wrist] > MIN_VISIBILITY
            above_head = (rel[:, wrist, 1] < rel[:, _NOSE, 1] - 0.15) & (angle > 70) & (angle < 140) & seen
            # Gedan barai ends with the arm straight, low and across: wrist below the hip line, on
            # the far side of the body's centre from its own shoulder's start.
            low_across = (
                (rel[:, wrist, 1] > 0.1)
                & (angle > 150)
                & seen
                & (np.abs(rel[:, wrist, 0] - rel[:, other_hip, 0]) < np.abs(rel[:, wrist, 0]) + 0.5)
            )
            for mask in (above_head, low_across):
                if mask.any():
                    share = float(mask.mean())
                    if share > best:
                        best, best_at = share, int(np.flatnonzero(mask)[0])
        score = float(np.clip((best - 0.1) * 4, 0.0, 1.0))
        frames, ts = self._frames(sel, np.array([best_at])) if best_at >= 0 else ([], [])
        return MotionEvidence("block", score, frames, ts, {"block_pose_share": round(best, 3)})

    def _stance(self, sel: IntArray) -> MotionEvidence:
        rel, vis = self.rel[sel], self.vis[sel]
        times = self.times[sel]
        spread = np.abs(rel[:, _L_ANK, 0] - rel[:, _R_ANK, 0])
        knees = self.angles[sel][:, list(_KNEES)]
        seen = (vis[:, _L_ANK] > MIN_VISIBILITY) & (vis[:, _R_ANK] > MIN_VISIBILITY)
        low_wide = seen & (spread > 1.3) & (knees.max(axis=1) < 160)
        held = 0.0
        run_start: int | None = None
        best_run = (0, -1)
        for k in range(len(sel) + 1):
            inside = k < len(sel) and bool(low_wide[k])
            if inside and run_start is None:
                run_start = k
            elif not inside and run_start is not None:
                length = float(times[k - 1] - times[run_start])
                if length > held:
                    held, best_run = length, (run_start, k - 1)
                run_start = None
        score = float(np.clip((held - 0.3) / 1.0, 0.0, 1.0))
        picks = np.array([best_run[0], best_run[1]]) if score > 0 else np.array([], dtype=int)
        frames, ts = self._frames(sel, picks)
        wide = float(np.median(spread[low_wide])) if low_wide.any() else 0.0
        return MotionEvidence(
            "stance", score, frames, ts, {"held_s": round(held, 2), "feet_apart_torso": round(wide, 3)}
        )

    def _repeated(self, sel: IntArray) -> MotionEvidence:
        count = len(self.repetitions)
        if count < 2:
            return MotionEvidence("general", 0.0, measure={"repetitions": float(count)})
        first, last = int(sel[0]), int(sel[-1])
        inside = [(a, b) for a, b in self.repetitions if a <= last and b >= first]
        covered = min(1.0, sum(min(b, last) - max(a, first) for a, b in inside) / max(1, last - first))
        strength = 1.0 if count >= 3 else 0.45
        score = strength * float(np.clip(covered / 0.5, 0.0, 1.0))
        picks = np.array([max(a, first) - first for a, _ in inside], dtype=np.int64)
        frames, ts = self._frames(sel, picks)
        return MotionEvidence(
            "general", score, frames, ts, {"repetitions": float(count), "covered": round(covered, 3)}
        )


def motion_track(doc: SkeletonDoc | None) -> MotionTrack | None:
    """A track for the document, or None when it has no person to measure."""
    if doc is None:
        return None
    try:
        return MotionTrack(doc)
    except InvalidInputError:
        return None
