"""Fault-injection evaluation of the pose corrector on real squat skeletons.

Takes the repetitions of the shared squat clip (our extractor's output on pose_squats.mp4, or the
BlazePose reference JSON converted to our format), and for each repetition as the reference
builds attempts: a time-warped noisy copy (clean) and the same copy with a known joint-angle fault
(the distal segment rotated about the joint by 15-30 degrees during one reference phase). Prints:
precision / recall of naming the faulty joint and phase, how often the clean attempt outranks
the faulty one, and the scores of unchanged and clean attempts. Seeded; nothing is hard-coded.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from pathlib import Path

import numpy as np
import numpy.typing as npt
from video_studio.pose.compare import compare_docs
from video_studio.pose.features import ANGLES, JOINTS, joint_angles
from video_studio.skeleton import SkeletonDoc, doc_from_arrays, doc_to_arrays
from video_studio.skeleton.names import INDEX

FloatArray = npt.NDArray[np.float64]
REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(os.environ.get("STUDIO_FIXTURES", REPO.parent / "shared" / "fixtures"))

# Landmarks that move with the distal segment when a joint is bent or straightened.
_HAND = ("wrist", "pinky", "index", "thumb")
_FOOT = ("heel", "foot_index")
DISTAL: dict[str, tuple[str, ...]] = {
    "elbow": _HAND,
    "shoulder": ("elbow", *_HAND),
    "hip": ("knee", "ankle", *_FOOT),
    "knee": ("ankle", *_FOOT),
    "ankle": ("foot_index",),
}
FAULT_JOINTS = [j for j in JOINTS if j in ANGLES]


def load_skeleton(use_reference_json: bool) -> SkeletonDoc:
    ref_path = FIXTURES / "pose_squats.full.json"
    if use_reference_json:
        raw = np.array(json.loads(ref_path.read_text()), dtype=np.float64)
        pts = np.concatenate([raw, np.ones((*raw.shape[:2], 1))], axis=2)
        return doc_from_arrays(pts, np.arange(len(pts)) / 5.0, 5.0, 720, 1280)
    from video_studio.skeleton import extract_skeleton

    return extract_skeleton(FIXTURES / "pose_squats.mp4")


def split_reps(points: FloatArray) -> list[tuple[int, int]]:
    """Repetitions between the standing moments (local maxima of the mean knee angle)."""
    ang, _ = joint_angles(points)
    knee = ang[:, [JOINTS.index("left_knee"), JOINTS.index("right_knee")]].mean(axis=1)
    standing = knee > knee.min() + 0.8 * (knee.max() - knee.min())
    cuts: list[int] = []
    k = 0
    while k < len(knee):
        if standing[k]:
            e = k
            while e + 1 < len(knee) and standing[e + 1]:
                e += 1
            cuts.append((k + e) // 2)
            k = e + 1
        else:
            k += 1
    # A clip ending mid-squat leaves an incomplete repetition after the last cut: not used.
    return [(a, b) for a, b in itertools.pairwise(cuts) if b - a >= 8]


def warp(points: FloatArray, rng: np.random.Generator) -> tuple[FloatArray, FloatArray]:
    """A slower or faster copy with uneven tempo; also returns each frame's reference position."""
    n = len(points)
    m = max(6, round(n * rng.uniform(0.7, 1.6)))
    u = np.linspace(0.0, 1.0, m)
    a = rng.uniform(-0.6, 0.6)
    src = (u + a * np.sin(2 * np.pi * u) / (2 * np.pi)) * (n - 1)
    flat = points.reshape(n, -1)
    out = np.stack([np.interp(src, np.arange(n), flat[:, c]) for c in range(flat.shape[1])], 1)
    out = out.reshape(m, *points.shape[1:])
    out[..., :2] += rng.normal(0.0, 1.5, out[..., :2].shape)
    return out, src


def inject(points: FloatArray, frames: npt.NDArray[np.bool_], joint: str, deg: float) -> FloatArray:
    """Rotate the distal segment about `joint` in the given frames so its angle changes by `deg`
    (the rotation direction that changes the measured angle most)."""
    side, part = joint.split("_", 1)
    centre = INDEX[f"{side}_{part}"]
    moving = [INDEX[f"{side}_{name}"] for name in DISTAL[part]]
    k = JOINTS.index(joint)
    before = joint_angles(points)[0][frames, k]
    best, best_change = points, -1.0
    for sign in (1.0, -1.0):
        th = np.radians(sign * deg)
        rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
        out = points.copy()
        c = out[frames, centre, None, :2]
        out[np.ix_(frames, moving, [0, 1])] = (out[np.ix_(frames, moving, [0, 1])] - c) @ rot.T + c
        change = float(np.mean(np.abs(joint_angles(out)[0][frames, k] - before)))
        if change > best_change:
            best, best_change = out, change
    return best


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--reference-json", action="store_true",
                        help="use pose_squats.full.json instead of running our extractor")
    parser.add_argument("--seed", type=int, default=5)
    parser.add_argument("--trials", type=int, default=2, help="warps per joint/phase/rep")
    args = parser.parse_args()
    if not (FIXTURES / "pose_squats.mp4").is_file():
        print(f"pose faults bench skipped: {FIXTURES / 'pose_squats.mp4'} not found")
        return 0
    rng = np.random.default_rng(args.seed)
    doc = load_skeleton(args.reference_json)
    points, times = doc_to_arrays(doc)
    reps = split_reps(points)
    print(f"pose faults: source={'reference json' if args.reference_json else 'our extractor'} "
          f"reps={[(int(times[a]), int(times[b])) for a, b in reps]} (seconds)")

    def as_doc(pts: FloatArray) -> SkeletonDoc:
        return doc_from_arrays(pts, np.arange(len(pts)) / doc["fps"], doc["fps"], doc["width"],
                               doc["height"])

    tp = fp = found = top1 = trials = 0
    clean_wins = cross_wins = cross_total = 0
    unchanged: list[float] = []
    clean_scores: list[float] = []
    other_rep_scores: list[float] = []
    clean_items = 0
    for r, (a, b) in enumerate(reps):
        ref_pts = points[a:b + 1]
        ref_doc = as_doc(ref_pts)
        ident = compare_docs(ref_doc, ref_doc)
        unchanged.append(ident.report["score"])
        phases = ident.phase_bounds
        for r2, (a2, b2) in enumerate(reps):
            if r2 != r:
                other_rep_scores.append(compare_docs(ref_doc, as_doc(points[a2:b2 + 1]))
                                        .report["score"])
        for _ in range(args.trials):
            for joint in FAULT_JOINTS:
                for phase, p0, p1 in phases:
                    att, src = warp(ref_pts, rng)
                    clean = compare_docs(ref_doc, as_doc(att)).report
                    clean_scores.append(clean["score"])
                    clean_items += len(clean["feedback"])
                    frames = (src >= p0 - 0.5) & (src <= p1 + 0.5)
                    faulty_pts = inject(att, frames, joint, float(rng.uniform(15, 30)))
                    faulty = compare_docs(ref_doc, as_doc(faulty_pts)).report
                    trials += 1
                    named = [(f["joint"], f["phase"]) for f in faulty["feedback"]]
                    hit = (joint, phase) in named
                    found += hit
                    top1 += bool(named) and named[0] == (joint, phase)
                    tp += sum(n == (joint, phase) for n in named)
                    fp += sum(n != (joint, phase) for n in named)
                    clean_wins += clean["score"] > faulty["score"]
                    for s in other_rep_scores[-(len(reps) - 1):]:
                        cross_total += 1
                        cross_wins += s > faulty["score"]
    precision = tp / max(tp + fp, 1)
    print(f"pose faults: trials={trials} recall={found / trials:.3f} "
          f"precision={precision:.3f} top1={top1 / trials:.3f}")
    print(f"pose faults: clean copy outranks faulty copy in {clean_wins / trials:.1%}; "
          f"another real clean rep outranks a faulty copy of the reference in "
          f"{cross_wins / max(cross_total, 1):.1%}")
    print(f"pose faults: unchanged attempt score min={min(unchanged):.1f}; "
          f"time-warped clean copies score mean={np.mean(clean_scores):.1f} "
          f"min={min(clean_scores):.1f} (feedback items on clean copies: {clean_items}); "
          f"other real reps score mean={np.mean(other_rep_scores):.1f} "
          f"min={min(other_rep_scores):.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
