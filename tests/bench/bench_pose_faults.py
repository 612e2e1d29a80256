"""Pose feedback bench: fault injection on real squat skeletons, then the issue-10 classes.

Part 1, fault injection (below). Part 2, the classes (`classes`): frame-rate pairs and tempos,
different movements / standing still / no person, rotated and sideways, several people, and the
cost of a comparison, all built from the shared real clips (ffmpeg variants, skeletons cached in
var/bench-cache/pose), each printed with our figure, a bare baseline from the same run (one full
DTW over 2D joint angles of every recorded frame, no resampling, window or checks:
pose_bench_support.bare_compare) and their ratio where that means something.

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

sys.path.insert(0, str(Path(__file__).resolve().parent))
import pose_bench_support as support

from video_studio.joints import ANGLES, JOINTS
from video_studio.pose.compare import CompareParams, compare_docs
from video_studio.pose.features import joint_angles
from video_studio.skeleton import SkeletonDoc, doc_from_arrays, doc_to_arrays, slice_skeleton
from video_studio.skeleton.doc import doc_world

FloatArray = npt.NDArray[np.float64]
FIXTURES = support.FIXTURES
FAULT_JOINTS = [j for j in JOINTS if j in ANGLES]
# What an instructor marks for a squat: the legs and the trunk (the clip's own squats differ in
# how the arms are held, which is not what a squat is judged on).
SQUAT_JOINTS = ["left_hip", "right_hip", "left_knee", "right_knee", "left_ankle", "right_ankle", "trunk"]


def load_skeleton(use_reference_json: bool, clips: support.Clips) -> SkeletonDoc:
    ref_path = FIXTURES / "pose_squats.full.json"
    if use_reference_json:
        raw = np.array(json.loads(ref_path.read_text()), dtype=np.float64)
        pts = np.concatenate([raw, np.ones((*raw.shape[:2], 1))], axis=2)
        return doc_from_arrays(pts, np.arange(len(pts)) / 5.0, 5.0, 720, 1280)
    return clips.skeleton("squats", "pose_squats.mp4")


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


def _resample(values: FloatArray, src: FloatArray) -> FloatArray:
    n = len(values)
    flat = values.reshape(n, -1)
    out = np.stack([np.interp(src, np.arange(n), flat[:, c]) for c in range(flat.shape[1])], 1)
    return out.reshape(len(src), *values.shape[1:])


def warp(
    points: FloatArray, world: FloatArray | None, rng: np.random.Generator
) -> tuple[FloatArray, FloatArray | None, FloatArray]:
    """A slower or faster copy with uneven tempo; also returns each frame's reference position."""
    n = len(points)
    m = max(6, round(n * rng.uniform(0.7, 1.6)))
    u = np.linspace(0.0, 1.0, m)
    a = rng.uniform(-0.6, 0.6)
    src = (u + a * np.sin(2 * np.pi * u) / (2 * np.pi)) * (n - 1)
    out = _resample(points, src)
    out[..., :2] += rng.normal(0.0, 1.5, out[..., :2].shape)
    return out, None if world is None else _resample(world, src), src


inject = support.inject


class Padder:
    """Lead-in / lead-out around an attempt cut from points[a..b], as a student records it: 0.5-2 s
    each side, the clip's real neighbouring frames (the end of the previous / the start of the next
    repetition) or, half of the time and where the clip has no more frames, one of the clip's
    standing frames held still; landmark noise on all of it."""

    def __init__(
        self, points: FloatArray, world: FloatArray | None, fps: float, rng: np.random.Generator
    ) -> None:
        self.points, self.world, self.fps, self.rng = points, world, fps, rng
        ang, _ = joint_angles(points)
        knee = ang[:, [JOINTS.index("left_knee"), JOINTS.index("right_knee")]].mean(axis=1)
        self.standing_level = knee.min() + 0.8 * (knee.max() - knee.min())
        self.rest = np.flatnonzero(knee > self.standing_level)

    def moving(self, pts: FloatArray) -> npt.NDArray[np.bool_]:
        """Frames of pts that are not standing (the squat itself)."""
        ang, _ = joint_angles(pts)
        knee = ang[:, [JOINTS.index("left_knee"), JOINTS.index("right_knee")]].mean(axis=1)
        return np.asarray(knee <= self.standing_level, dtype=bool)

    def _side(self, rows: npt.NDArray[np.int64], k: int, before: bool) -> npt.NDArray[np.int64]:
        """Source rows of k padding frames: real neighbouring frames, else a held standing one."""
        held = int(self.rng.choice(self.rest))
        if self.rng.random() < 0.5:
            rows = rows[:0]
        rows = rows[len(rows) - min(k, len(rows)) :] if before else rows[:k]
        fill = np.full(k - len(rows), held, dtype=np.int64)
        return np.concatenate([fill, rows] if before else [rows, fill])

    def __call__(
        self, att: FloatArray, att_world: FloatArray | None, a: int, b: int
    ) -> tuple[FloatArray, FloatArray | None, int]:
        """The padded attempt (pixel and world landmarks) and the row where `att` starts in it."""
        k0, k1 = (max(1, round(self.fps * float(self.rng.uniform(0.5, 2.0)))) for _ in range(2))
        n = len(self.points)
        before = self._side(np.arange(0, a), k0, True)
        after = self._side(np.arange(b + 1, n), k1, False)
        pad_in, pad_out = self.points[before].copy(), self.points[after].copy()
        for pad in (pad_in, pad_out):
            pad[..., :2] += self.rng.normal(0.0, 1.5, pad[..., :2].shape)
        points = np.concatenate([pad_in, att, pad_out])
        world = None
        if self.world is not None and att_world is not None:
            world = np.concatenate([self.world[before], att_world, self.world[after]])
        return points, world, k0


def evaluate(
    points: FloatArray,
    reps: list[tuple[int, int]],
    doc: SkeletonDoc,
    rng: np.random.Generator,
    trials_per: int,
    params: CompareParams,
    padded: bool = False,
    joints: list[str] | None = None,
) -> dict[str, float]:
    """All figures for one seed: faults injected into time-warped copies of each repetition; with
    `padded`, every attempt (unchanged, clean, faulty, other rep) gets lead-in and lead-out."""
    fps = float(doc["fps"])
    world = doc_world(doc)
    padder = Padder(points, world, fps, rng) if padded else None
    window_err: list[int] = []
    window_motion: list[bool] = []

    def as_doc(pts: FloatArray, wld: FloatArray | None) -> SkeletonDoc:
        return doc_from_arrays(pts, np.arange(len(pts)) / fps, fps, doc["width"], doc["height"], world=wld)

    def judge(
        ref_doc: SkeletonDoc, pts: FloatArray, wld: FloatArray | None, a: int, b: int
    ) -> tuple[dict[str, Any], int]:
        """The report on attempt `pts` (cut from points[a..b]) and the row where it starts."""
        if padder is None:
            return compare_docs(ref_doc, as_doc(pts, wld), params=params, joints=joints).report, 0
        full, full_world, start = padder(pts, wld, a, b)
        report = compare_docs(ref_doc, as_doc(full, full_world), params=params, joints=joints).report
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

    def score(report: dict[str, Any]) -> float:
        return float(report["score"]) if report["score"] is not None else 0.0

    not_movement = 0
    for r, (a, b) in enumerate(reps):
        ref_pts = points[a : b + 1]
        ref_world = None if world is None else world[a : b + 1]
        ref_doc = as_doc(ref_pts, ref_world)
        # Phases in reference frames (the reference is at its own rate, starting at 0 s).
        phases = [
            (name, t0 * fps, t1 * fps)
            for name, t0, t1 in compare_docs(ref_doc, ref_doc, params=params).phase_times
        ]
        unchanged.append(score(judge(ref_doc, ref_pts, ref_world, a, b)[0]))
        # The other real repetitions of the same clip: clean, but naturally a little different.
        others = [
            score(
                judge(ref_doc, points[a2 : b2 + 1], None if world is None else world[a2 : b2 + 1], a2, b2)[0]
            )
            for r2, (a2, b2) in enumerate(reps)
            if r2 != r
        ]
        other_rep_scores += others
        for _ in range(trials_per):
            for joint in [j for j in FAULT_JOINTS if joints is None or j in joints]:
                for phase, p0, p1 in phases:
                    att, att_world, src = warp(ref_pts, ref_world, rng)
                    clean = judge(ref_doc, att, att_world, a, b)[0]
                    not_movement += not clean["match"]["same_movement"]
                    clean_scores.append(score(clean))
                    clean_items += len(clean["feedback"])
                    frames = (src >= p0 - 0.5) & (src <= p1 + 0.5)
                    faulty_pts, faulty_world = inject(
                        att, att_world, frames, joint, float(rng.uniform(15, 30))
                    )
                    faulty, start = judge(ref_doc, faulty_pts, faulty_world, a, b)
                    faulty_scores.append(score(faulty))
                    trials += 1
                    named = [(f["joint"], f["phase"]) for f in faulty["feedback"]]
                    found += (joint, phase) in named
                    top1 += bool(named) and named[0] == (joint, phase)
                    tp += sum(n == (joint, phase) for n in named)
                    fp += sum(n != (joint, phase) for n in named)
                    clean_wins += score(clean) > score(faulty)
                    cross_total += len(others)
                    cross_wins += sum(s > score(faulty) for s in others)
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
        "clean_not_movement": not_movement,
    }


def end_to_end(doc: SkeletonDoc, params: CompareParams) -> dict[str, Any]:
    """The product run that showed the lead-out bug: the reference is the clip's 1-9 s range,
    the attempt the whole clip (the same frames plus 1 s before and 4 s after)."""
    ref = slice_skeleton(doc, 1.0, 9.0)
    return dict(compare_docs(ref, doc, params=params).report)


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
    parser.add_argument("--skip-faults", action="store_true", help="only the classes")
    parser.add_argument("--skip-classes", action="store_true", help="only the fault injection")
    args = parser.parse_args()
    if not (FIXTURES / "pose_squats.mp4").is_file():
        print(f"pose faults bench skipped: {FIXTURES / 'pose_squats.mp4'} not found")
        return 0
    params = _override(CompareParams(), args.set)
    clips = support.Clips()
    print(
        f"pose bench: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f} "
        "(a shared machine: timings are noisy)"
    )
    fault_figures = faults(args, params, clips) if not args.skip_faults else {}
    if not args.skip_classes:
        from pose_bench_classes import run_classes

        run_classes(clips, params, fault_figures)
    return 0


def faults(args: argparse.Namespace, params: CompareParams, clips: support.Clips) -> dict[str, float]:
    """Part 1: faults injected into time-warped copies of the real squat repetitions."""
    doc = load_skeleton(args.reference_json, clips)
    points, times = doc_to_arrays(doc)
    reps = split_reps(points)
    print(
        f"pose faults: source={'reference json' if args.reference_json else 'our extractor'} "
        f"reps={[(int(times[a]), int(times[b])) for a, b in reps]} (seconds)"
        + (f" params: {', '.join(args.set)}" if args.set else "")
    )
    seeds = [args.seed] if args.seed is not None else args.seeds
    summary: dict[str, float] = {}
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
        if scenario == "tight":
            summary = {
                "trials": float(sum(r["trials"] for r in results)),
                "precision": min(r["precision"] for r in results),
                "recall": min(r["recall"] for r in results),
                "same_rep_rank": min(r["same_rep_rank"] for r in results),
                "cross_rank": min(r["cross_rank"] for r in results),
                "clean_not_movement": float(sum(r["clean_not_movement"] for r in results)),
            }
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
        f"attempt_window={win['t_start']:.2f}-{win['t_end']:.2f} s reps={e2e['reps']['attempt']}"
    )
    # The same with the joints an instructor marks for a squat (one seed).
    legs = evaluate(
        points, reps, doc, np.random.default_rng(seeds[0]), args.trials, params, joints=SQUAT_JOINTS
    )
    print(
        f"[squat joints: {', '.join(SQUAT_JOINTS)}] seed {seeds[0]}: trials={legs['trials']} "
        f"recall={legs['recall']:.3f} precision={legs['precision']:.3f} | faulty copy of the same rep "
        f"{legs['same_rep_rank']:.1%} | different clean rep vs faulty rep {legs['cross_rank']:.1%} of "
        f"{legs['cross_total']} | other real reps min={legs['other_min']:.1f}"
    )
    summary["legs_trials"] = float(legs["trials"])
    summary["legs_cross_rank"] = legs["cross_rank"]
    summary["legs_same_rep_rank"] = legs["same_rep_rank"]
    summary["legs_precision"], summary["legs_recall"] = legs["precision"], legs["recall"]
    return summary


if __name__ == "__main__":
    sys.exit(main())
