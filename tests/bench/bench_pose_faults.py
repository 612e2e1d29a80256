"""Fault-injection evaluation of the pose corrector on real squat skeletons.

Takes the repetitions of the shared squat clip (our extractor's output on pose_squats.mp4, or the
BlazePose reference JSON converted to our format), and for each repetition as the reference
builds attempts: a time-warped noisy copy (clean) and the same copy with a known joint-angle fault
(the distal segment rotated about the joint by 15-30 degrees during one reference phase). Prints:
precision / recall of naming the faulty joint and phase, how often the clean attempt outranks
the faulty one ("faulty copy of the same rep"), how often ANOTHER real repetition of the clip
(clean, but naturally a few degrees different everywhere) outranks a faulty copy of the
reference ("different clean rep vs faulty rep"), and the scores of unchanged, clean, other and
faulty attempts. Seeded (--seeds, three by default); nothing is hard-coded.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from video_studio.joints import ANGLES, JOINTS
from video_studio.pose.compare import CompareParams, compare_docs
from video_studio.pose.features import joint_angles
from video_studio.skeleton import SkeletonDoc, doc_from_arrays, doc_to_arrays, slice_skeleton
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


class Padder:
    """Lead-in / lead-out around an attempt cut from points[a..b], as a student records it: 0.5-2 s
    each side, the clip's real neighbouring frames (the end of the previous / the start of the next
    repetition) or, half of the time and where the clip has no more frames, one of the clip's
    standing frames held still; landmark noise on all of it."""

    def __init__(self, points: FloatArray, fps: float, rng: np.random.Generator) -> None:
        self.points, self.fps, self.rng = points, fps, rng
        ang, _ = joint_angles(points)
        knee = ang[:, [JOINTS.index("left_knee"), JOINTS.index("right_knee")]].mean(axis=1)
        self.standing_level = knee.min() + 0.8 * (knee.max() - knee.min())
        self.rest = np.flatnonzero(knee > self.standing_level)

    def moving(self, pts: FloatArray) -> npt.NDArray[np.bool_]:
        """Frames of pts that are not standing (the squat itself)."""
        ang, _ = joint_angles(pts)
        knee = ang[:, [JOINTS.index("left_knee"), JOINTS.index("right_knee")]].mean(axis=1)
        return np.asarray(knee <= self.standing_level, dtype=bool)

    def _side(self, real: FloatArray, k: int, before: bool) -> FloatArray:
        held = self.points[int(self.rng.choice(self.rest))]
        if self.rng.random() < 0.5:
            real = real[:0]
        real = real[len(real) - min(k, len(real)) :] if before else real[:k]
        fill = np.repeat(held[None], k - len(real), axis=0)
        out = np.concatenate([fill, real] if before else [real, fill])
        out[..., :2] += self.rng.normal(0.0, 1.5, out[..., :2].shape)
        return out

    def __call__(self, att: FloatArray, a: int, b: int) -> tuple[FloatArray, int]:
        """The padded attempt and the row where `att` starts in it."""
        k0, k1 = (max(1, round(self.fps * float(self.rng.uniform(0.5, 2.0)))) for _ in range(2))
        lead_in = self._side(self.points[:a], k0, True)
        lead_out = self._side(self.points[b + 1 :], k1, False)
        return np.concatenate([lead_in, att, lead_out]), k0


def evaluate(
    points: FloatArray,
    reps: list[tuple[int, int]],
    doc: SkeletonDoc,
    rng: np.random.Generator,
    trials_per: int,
    params: CompareParams,
    padded: bool = False,
) -> dict[str, float]:
    """All figures for one seed: faults injected into time-warped copies of each repetition; with
    `padded`, every attempt (unchanged, clean, faulty, other rep) gets lead-in and lead-out."""
    fps = float(doc["fps"])
    padder = Padder(points, fps, rng) if padded else None
    window_err: list[int] = []
    window_motion: list[bool] = []

    def as_doc(pts: FloatArray) -> SkeletonDoc:
        return doc_from_arrays(pts, np.arange(len(pts)) / fps, fps, doc["width"], doc["height"])

    def judge(ref_doc: SkeletonDoc, pts: FloatArray, a: int, b: int) -> tuple[dict[str, Any], int]:
        """The report on attempt `pts` (cut from points[a..b]) and the row where it starts."""
        if padder is None:
            return compare_docs(ref_doc, as_doc(pts), params=params).report, 0
        full, start = padder(pts, a, b)
        report = compare_docs(ref_doc, as_doc(full), params=params).report
        win = report["attempt_window"]
        first, last = round(win["t_start"] * fps), round(win["t_end"] * fps)
        window_err.append(max(abs(first - start), abs(last - (start + len(pts) - 1))))
        # Where the window differs from the inserted attempt, it should only differ by standing
        # frames (the start and end of a repetition look like the lead-in): all of the attempt's
        # motion inside the window, none of the padding's (e.g. the next repetition) in it.
        inserted = np.zeros(len(full), dtype=bool)
        inserted[start : start + len(pts)] = True
        judged = np.zeros(len(full), dtype=bool)
        judged[first : last + 1] = True
        window_motion.append(not np.any(padder.moving(full) & (inserted != judged)))
        return report, start

    tp = fp = found = top1 = trials = located = 0
    clean_wins = cross_wins = cross_total = 0
    unchanged: list[float] = []
    clean_scores: list[float] = []
    faulty_scores: list[float] = []
    clean_items = 0
    other_rep_scores: list[float] = []
    for r, (a, b) in enumerate(reps):
        ref_pts = points[a : b + 1]
        ref_doc = as_doc(ref_pts)
        phases = compare_docs(ref_doc, ref_doc, params=params).phase_bounds
        unchanged.append(judge(ref_doc, ref_pts, a, b)[0]["score"])
        # The other real repetitions of the same clip: clean, but naturally a little different.
        others = [
            judge(ref_doc, points[a2 : b2 + 1], a2, b2)[0]["score"]
            for r2, (a2, b2) in enumerate(reps)
            if r2 != r
        ]
        other_rep_scores += others
        for _ in range(trials_per):
            for joint in FAULT_JOINTS:
                for phase, p0, p1 in phases:
                    att, src = warp(ref_pts, rng)
                    clean = judge(ref_doc, att, a, b)[0]
                    clean_scores.append(clean["score"])
                    clean_items += len(clean["feedback"])
                    frames = (src >= p0 - 0.5) & (src <= p1 + 0.5)
                    faulty_pts = inject(att, frames, joint, float(rng.uniform(15, 30)))
                    faulty, start = judge(ref_doc, faulty_pts, a, b)
                    faulty_scores.append(faulty["score"])
                    trials += 1
                    named = [(f["joint"], f["phase"]) for f in faulty["feedback"]]
                    found += (joint, phase) in named
                    top1 += bool(named) and named[0] == (joint, phase)
                    tp += sum(n == (joint, phase) for n in named)
                    fp += sum(n != (joint, phase) for n in named)
                    clean_wins += clean["score"] > faulty["score"]
                    cross_total += len(others)
                    cross_wins += sum(s > faulty["score"] for s in others)
                    # The named fault's attempt times overlap the frames it was injected in.
                    rows = np.flatnonzero(frames) + start
                    located += len(rows) > 0 and any(
                        (f["joint"], f["phase"]) == (joint, phase)
                        and f["t_start"] <= (rows[-1] + 0.5) / fps
                        and f["t_end"] >= (rows[0] - 0.5) / fps
                        for f in faulty["feedback"]
                    )
    return {
        "trials": trials,
        "recall": found / trials,
        "precision": tp / max(tp + fp, 1),
        "top1": top1 / trials,
        "located": located / trials,
        "same_rep_rank": clean_wins / trials,
        "cross_rank": cross_wins / max(cross_total, 1),
        "cross_total": cross_total,
        "unchanged_min": min(unchanged),
        "clean_mean": float(np.mean(clean_scores)),
        "clean_min": min(clean_scores),
        "clean_items": clean_items,
        "other_mean": float(np.mean(other_rep_scores)) if other_rep_scores else float("nan"),
        "other_min": min(other_rep_scores, default=float("nan")),
        "faulty_mean": float(np.mean(faulty_scores)),
        "faulty_max": max(faulty_scores),
        "window_mean": float(np.mean(window_err)) if window_err else float("nan"),
        "window_max": max(window_err, default=0),
        "window_within_2": float(np.mean(np.array(window_err) <= 2)) if window_err else float("nan"),
        "window_motion": float(np.mean(window_motion)) if window_motion else float("nan"),
    }


def end_to_end(doc: SkeletonDoc, params: CompareParams) -> dict[str, Any]:
    """The product run that showed the lead-out bug: the reference is the clip's 1-9 s range,
    the attempt the whole clip (the same frames plus 1 s before and 4 s after)."""
    ref = slice_skeleton(doc, 1.0, 9.0)
    return compare_docs(ref, doc, params=params).report


def _override(params: CompareParams, settings: list[str]) -> CompareParams:
    values: dict[str, float] = {}
    for item in settings:
        name, _, value = item.partition("=")
        if name not in {f.name for f in fields(CompareParams)}:
            raise SystemExit(f"unknown CompareParams field {name!r}")
        values[name] = float(value)
    return replace(params, **values)  # type: ignore[arg-type]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--reference-json",
        action="store_true",
        help="use pose_squats.full.json instead of running our extractor",
    )
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--seed", type=int, help="a single seed (overrides --seeds)")
    parser.add_argument("--trials", type=int, default=2, help="warps per joint/phase/rep")
    parser.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="override a CompareParams field (experiments)",
    )
    args = parser.parse_args()
    if not (FIXTURES / "pose_squats.mp4").is_file():
        print(f"pose faults bench skipped: {FIXTURES / 'pose_squats.mp4'} not found")
        return 0
    params = _override(CompareParams(), args.set)
    doc = load_skeleton(args.reference_json)
    points, times = doc_to_arrays(doc)
    reps = split_reps(points)
    print(
        f"pose faults: source={'reference json' if args.reference_json else 'our extractor'} "
        f"reps={[(int(times[a]), int(times[b])) for a, b in reps]} (seconds)"
        + (f" params: {', '.join(args.set)}" if args.set else "")
    )
    seeds = [args.seed] if args.seed is not None else args.seeds
    for scenario in ("tight", "padded"):
        label = "" if scenario == "tight" else "[padded: 0.5-2 s lead-in/lead-out] "
        results = []
        for seed in seeds:
            rng = np.random.default_rng(seed)
            f = evaluate(points, reps, doc, rng, args.trials, params, padded=scenario == "padded")
            results.append(f)
            print(
                f"{label}seed {seed}: trials={f['trials']} recall={f['recall']:.3f} "
                f"precision={f['precision']:.3f} top1={f['top1']:.3f} "
                f"fault time located={f['located']:.3f}"
            )
            print(
                f"{label}seed {seed}: ranking [faulty copy of the same rep] its clean copy outranks "
                f"it in {f['same_rep_rank']:.1%} of {f['trials']}"
            )
            print(
                f"{label}seed {seed}: ranking [different clean rep vs faulty rep] another real "
                f"clean rep outranks a faulty copy of the reference in {f['cross_rank']:.1%} of "
                f"{f['cross_total']}"
            )
            print(
                f"{label}seed {seed}: scores: unchanged min={f['unchanged_min']:.1f} | time-warped "
                f"clean copies mean={f['clean_mean']:.1f} min={f['clean_min']:.1f} (feedback items: "
                f"{f['clean_items']}) | other real reps mean={f['other_mean']:.1f} "
                f"min={f['other_min']:.1f} | faulty copies mean={f['faulty_mean']:.1f} "
                f"max={f['faulty_max']:.1f}"
            )
            if scenario == "padded":
                print(
                    f"{label}seed {seed}: attempt_window vs inserted attempt (frames, worst end): "
                    f"mean={f['window_mean']:.2f} max={f['window_max']} "
                    f"within 2 frames={f['window_within_2']:.1%} | differs by standing frames only "
                    f"(all the attempt's motion, none of the padding's)={f['window_motion']:.1%}"
                )
        if len(results) > 1:

            def worst(key: str, results: list[dict[str, float]] = results) -> float:
                return min(r[key] for r in results)

            print(
                f"{label}pose faults over seeds {seeds} (worst seed): recall={worst('recall'):.3f} "
                f"precision={worst('precision'):.3f} | faulty copy of the same rep "
                f"{worst('same_rep_rank'):.1%} | different clean rep vs faulty rep "
                f"{worst('cross_rank'):.1%} | unchanged={worst('unchanged_min'):.1f} | "
                f"time-warped clean min={worst('clean_min'):.1f}"
                + (
                    f" | window within 2 frames={worst('window_within_2'):.1%}"
                    f" | window differs by standing frames only={worst('window_motion'):.1%}"
                    if scenario == "padded"
                    else ""
                )
            )
    e2e = end_to_end(doc, params)
    win = e2e["attempt_window"]
    print(
        f"end-to-end [reference = clip 1.0-9.0 s, attempt = whole clip]: score={e2e['score']:.1f} "
        f"feedback items={len(e2e['feedback'])} mean abs error={e2e['mean_abs_error_deg']:.2f} deg "
        f"attempt_window={win['t_start']:.2f}-{win['t_end']:.2f} s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
