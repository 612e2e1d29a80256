"""Compare an attempt with a reference and coach the differences.

The steps, each in its own module:
1. sequences from the skeleton documents; the attempt turned upright when the phone was held
   differently (features.quarter_turn) and mirrored when performed on the other side;
2. the reference cut into repetitions (segments.split_repetitions); the most typical one is the
   template every repetition of the attempt is judged against;
3. coarse-to-fine alignment on one time base (align, timebase): the attempt's windows that match
   the template, each aligned sample by sample;
4. "is this the movement?" (checks.judge_match) from the alignment cost, how much of the template
   the attempt covers and how well, how much it moves and how visible the person is;
5. per repetition, per (joint, phase): the deviation after forgiving timing; a deviation beyond
   the tolerance is a fault, named in the feedback and costing score.

The report is language-neutral (codes and numbers): video_studio.pose_report renders it.
"""

from __future__ import annotations

import math
from collections.abc import Sequence as Seq
from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from video_studio.errors import InvalidInputError
from video_studio.joints import JOINTS
from video_studio.pose import checks
from video_studio.pose.align import Alignment, CoarseWindow, align_window, coarse_windows
from video_studio.pose.features import (
    Basis,
    FloatArray,
    Sequence,
    choose_basis,
    mirrored_sequence,
    quarter_turn,
    rotate_sequence,
    sequence_features,
    sequence_from_doc,
)
from video_studio.pose.judge import JudgeParams, RepResult, Track, judge_rep
from video_studio.pose.segments import find_phases, moving_joints, split_repetitions, typical_repetition
from video_studio.pose.timebase import coarse_rate
from video_studio.pose_report import REPORT_VERSION, TOP_CUES
from video_studio.skeleton.doc import SkeletonDoc
from video_studio.techniques import DEFAULT_TECHNIQUE, Technique, technique_or_default

__all__ = ["REPORT_VERSION", "CompareParams", "Comparison", "compare_docs", "compare_skeletons"]


@dataclass(frozen=True)
class CompareParams:
    """Tuning of the comparison. The defaults were chosen on the fault-injection bench
    (tests/bench/bench_pose_faults.py) on real clips; see the notes per field.

    Scoring in one line: each (joint, phase) whose mean deviation exceeds `tolerance_deg` is a
    fault, named in the feedback, and costs ``(excess / score_scale_deg) ** score_power`` in
    ``score = (100 - style_weight * style) * exp(-sum of costs)``; deviations under the tolerance
    are style and together cost at most `style_weight` points. A repetition is scored on its own;
    the report's score is the mean over the attempt's repetitions.
    """

    # Dead-band: a (joint, phase) mean deviation up to this many degrees is normal rep-to-rep
    # variation (style), not a fault. Above it the joint is named in the feedback AND costs score:
    # the feedback threshold and the score's dead-band are the same number on purpose.
    tolerance_deg: float = 9.0
    # One (joint, phase) off by tolerance + score_scale_deg alone brings a rep to 100/e (37).
    score_scale_deg: float = 25.0
    # > 1: the cost grows faster than the excess, so one clear fault weighs more than several
    # marginal ones and the score is driven by the worst (joint, phase) errors.
    score_power: float = 1.5
    # Points lost, at most, for deviations under the tolerance.
    style_weight: float = 5.0
    # Per-joint slack (degrees) after the timing correction: landmark jitter.
    angle_noise_deg: float = 1.0
    # A window of the attempt must last min_tempo..max_tempo times the template (in seconds): a
    # performance 2x faster to 2x slower, with 10% to spare (the first and last frames of a
    # recording fall anywhere within a frame of the movement's start and end).
    min_tempo: float = 0.45
    max_tempo: float = 2.2
    band: float = 0.25  # local tempo freedom of the window search, fraction of the template
    # Ignored lead-in / lead-out shorter than this (seconds) gets no note in the report.
    window_note_s: float = 0.25
    # Mirrored wins only if its alignment cost is clearly lower (symmetric moves look the same).
    mirror_gain: float = 0.85
    min_visibility: float = 0.5
    # A feedback item names a direction when the signed mean deviation is at least this share of
    # the absolute one; otherwise the joint deviates both ways ("moves differently").
    direction_share: float = 0.5
    max_reps: int = 20
    # Tempo within this ratio of 1 is "the same tempo".
    same_tempo: float = 0.15
    match: checks.MatchParams = field(default_factory=checks.MatchParams)


FeedbackItem = dict[str, Any]


@dataclass
class Comparison:
    """Everything the report, overlay and plots need."""

    report: dict[str, Any]
    ref: Sequence  # the reference as in its video
    attempt_original: Sequence | None  # the attempt as in its video (None: nobody in it)
    template_span: tuple[float, float]  # the repetition of the reference judged against (s)
    phase_times: list[tuple[str, float, float]]  # the template's phases (reference seconds)
    reps: list[RepResult]
    joints: list[str]
    mirrored: bool = False
    turn: int = 0  # degrees clockwise the attempt's picture is turned against the reference's
    basis: Basis | None = None

    @property
    def ref_angles(self) -> FloatArray:
        return sequence_features(self.ref, self.basis).angles

    def ref_time_at(self, t: float) -> tuple[float, int] | None:
        """The reference time aligned with attempt time t, and the (1-based) repetition, or None
        outside every judged repetition."""
        for number, rep in enumerate(self.reps, start=1):
            al = rep.alignment
            if al.t_start - 1e-9 <= t <= al.t_end + 1e-9:
                ref_t = al.ref.times[[i for i, _ in al.path]]
                att_t = al.attempt.times[[j for _, j in al.path]]
                return float(np.interp(t, att_t, ref_t)), number
        return None


def swap_sides(text: str) -> str:
    return text.replace("left", "\0").replace("right", "left").replace("\0", "right")


def _direction(signed: float, deviation: float, share: float) -> str:
    if abs(signed) >= share * deviation:
        return "increase" if signed < 0 else "decrease"
    return "mixed"


def aggregate_feedback(reps: list[RepResult], p: CompareParams) -> list[FeedbackItem]:
    """One item per faulty (joint, phase) over the repetitions, most important first: the
    deviation stated is the one the fault test judged (mean absolute), the direction the sign of
    the mean signed deviation when it is clear."""
    grouped: dict[tuple[str, str], list[tuple[int, dict[str, Any]]]] = {}
    for number, rep in enumerate(reps, start=1):
        for fault in rep.faults:
            grouped.setdefault((fault["joint"], fault["phase"]), []).append((number, fault))
    items: list[tuple[float, FeedbackItem]] = []
    for (joint, phase), found in grouped.items():
        faults = [f for _, f in found]
        deviation = float(np.mean([f["deviation_deg"] for f in faults]))
        signed = float(np.mean([f["signed_deg"] for f in faults]))
        importance = sum(f["deviation_deg"] * f["visibility"] for f in faults) / max(len(reps), 1)
        first = faults[0]
        items.append(
            (
                importance,
                {
                    "joint": joint,
                    "phase": phase,
                    "t_start": first["t_start"],
                    "t_end": first["t_end"],
                    "measured_deg": round(float(np.mean([f["measured_deg"] for f in faults])), 1),
                    "reference_deg": round(float(np.mean([f["reference_deg"] for f in faults])), 1),
                    "deviation_deg": round(deviation, 1),
                    "signed_deg": round(signed, 1),
                    "direction": _direction(signed, deviation, p.direction_share),
                    "reps": [n for n, _ in found],
                },
            )
        )
    items.sort(key=lambda x: -x[0])
    return [item for _, item in items]


def _aggregate_errors(reps: list[RepResult]) -> dict[str, dict[str, dict[str, float]]]:
    out: dict[str, dict[str, dict[str, float]]] = {}
    for rep in reps:
        for joint, phases in rep.errors.items():
            for phase, values in phases.items():
                out.setdefault(joint, {}).setdefault(phase, {k: 0.0 for k in values})
                for k, v in values.items():
                    out[joint][phase][k] += v / len(reps)
    return {
        j: {ph: {k: round(v, 2) for k, v in vals.items()} for ph, vals in p.items()} for j, p in out.items()
    }


def _tempo(ratio: float, p: CompareParams) -> dict[str, Any]:
    if abs(math.log(max(ratio, 1e-6))) <= math.log(1 + p.same_tempo):
        code = "same"
    else:
        code = "slower" if ratio > 1 else "faster"
    return {"ratio": round(ratio, 2), "code": code}


def _no_person_report(
    chosen: list[str], technique: Technique, warnings: list[dict[str, Any]], k_ref: int
) -> dict[str, Any]:
    return {
        "version": REPORT_VERSION,
        "technique": technique,
        "score": None,
        "mean_abs_error_deg": None,
        "mirrored": False,
        "rotation_deg": 0,
        "angle_basis": {},
        "match": checks.no_person_match(),
        "tempo": None,
        "warnings": warnings,
        "notes": [],
        "joints": chosen,
        "phases": [],
        "reps": {"reference": k_ref, "attempt": 0, "missing": k_ref, "extra": 0, "items": []},
        "attempt_window": None,
        "errors": {},
        "feedback": [],
        "top_cues": [],
        "alignment": None,
    }


def _accept_more_reps(
    windows: list[CoarseWindow],
    template: Sequence,
    compared: Sequence,
    first: Alignment,
    *,
    basis: Basis | None,
    rate: float,
    key_joints: list[int],
    p: CompareParams,
) -> list[tuple[Alignment, CoarseWindow]]:
    """The best window's alignment and those of the later windows that are the movement on their
    own too (repetitions), with their windows, in time order."""
    accepted = [(first, windows[0])]
    for win in windows[1:]:
        al = align_window(template, compared, win, basis=basis, coarse_rate=rate)
        if checks.rep_is_movement(al, first, key_joints, p.match):
            accepted.append((al, win))
    accepted.sort(key=lambda pair: pair[0].t_start)
    return accepted


@dataclass
class ReferenceRep:
    """One repetition of the reference: its samples, phases and curves."""

    number: int  # 1-based
    seq: Sequence
    phase_times: list[tuple[str, float, float]]
    track: Track


def _reference_reps(
    ref: Sequence, spans: list[tuple[int, int]], basis: Basis, jidx: list[int], technique: Technique
) -> list[ReferenceRep]:
    out = []
    for number, (a, b) in enumerate(spans, start=1):
        seq = _slice(ref, a, b)
        feats = sequence_features(seq, basis)
        bounds = find_phases(feats.angles, feats.weights, seq.times, jidx, technique)
        phase_times = [(n, float(seq.times[i0]), float(seq.times[i1])) for n, i0, i1 in bounds]
        out.append(ReferenceRep(number, seq, phase_times, Track(seq.times, feats.angles, feats.weights)))
    return out


def _rescaled(window: CoarseWindow, template: Sequence, other: Sequence) -> CoarseWindow:
    """The coarse window's path, its template times mapped linearly onto another repetition."""
    scale = other.duration / max(template.duration, 1e-6)
    ref_t = float(other.times[0]) + (window.path_ref_t - float(template.times[0])) * scale
    return replace(window, path_ref_t=ref_t)


def _judged_against_best_rep(
    al: Alignment,
    window: CoarseWindow,
    template_rep: ReferenceRep,
    ref_reps: list[ReferenceRep],
    compared: Sequence,
    *,
    basis: Basis,
    rate: float,
) -> tuple[Alignment, ReferenceRep]:
    """An attempt repetition is judged against the reference repetition it matches best: the
    reference's own repetitions differ a little from each other (a first squat with the arms
    down), and the attempt's first one should be held to the reference's first, not its typical."""
    best, best_rep = al, template_rep
    for rep in ref_reps:
        if rep is template_rep:
            continue
        # The coarse path was found for the template: around the window's diagonal instead.
        other = align_window(
            rep.seq,
            compared,
            _rescaled(window, template_rep.seq, rep.seq),
            basis=basis,
            coarse_rate=rate,
            diagonal_band=0.25,
        )
        if other.mean_cost < best.mean_cost:
            best, best_rep = other, rep
    return best, best_rep


def compare_sequences(
    ref: Sequence,
    attempt: Sequence | None,
    *,
    joints: Seq[str] | None = None,
    technique: str | None = None,
    params: CompareParams | None = None,
    attempt_subject: dict[str, Any] | None = None,
) -> Comparison:
    p = params or CompareParams()
    tech = technique_or_default(technique or DEFAULT_TECHNIQUE)
    chosen = list(joints) if joints else list(JOINTS)
    unknown = [j for j in chosen if j not in JOINTS]
    if unknown:
        raise InvalidInputError(f"unknown joint(s) {', '.join(unknown)}; choose from {', '.join(JOINTS)}")
    jidx = [JOINTS.index(j) for j in chosen]

    basis = choose_basis([ref] if attempt is None else [ref, attempt])
    ref_feat = sequence_features(ref, basis)
    spans, signal = split_repetitions(ref_feat.angles, ref_feat.weights, ref.times, tech)
    key_joints = moving_joints(ref_feat.angles, ref_feat.weights)
    t_idx = typical_repetition(spans, signal, ref_feat.angles, key_joints or jidx)
    a, b = spans[t_idx]
    template_span = (float(ref.times[a]), float(ref.times[b]))
    template = _slice(ref, a, b)
    tfeat = sequence_features(template, basis)
    phase_bounds = find_phases(tfeat.angles, tfeat.weights, template.times, jidx, tech)
    phase_times = [(n, float(template.times[i0]), float(template.times[i1])) for n, i0, i1 in phase_bounds]

    warnings = checks.subject_warnings(attempt_subject)
    warnings += checks.frame_rate_warnings(ref, attempt, p.match)
    if attempt is None:
        empty = _no_person_report(chosen, tech, warnings, len(spans))
        return Comparison(empty, ref, None, template_span, phase_times, [], chosen, basis=basis)

    turn = quarter_turn(ref, attempt)
    upright = rotate_sequence(attempt, turn)
    if turn:
        warnings.append({"code": "view_mismatch", "params": {"kind": "rotated", "degrees": turn}})

    rate = coarse_rate(template.duration, min(template.effective_fps, upright.effective_fps))
    search = {
        "basis": basis,
        "rate": rate,
        "min_tempo": p.min_tempo,
        "max_tempo": p.max_tempo,
        "slack_frac": p.band,
        "max_windows": min(p.max_reps, 2 * len(spans) + 3),
    }
    plain, _ = coarse_windows(template, upright, **search)  # type: ignore[arg-type]
    flipped = mirrored_sequence(upright)
    mirror, _ = coarse_windows(template, flipped, **search)  # type: ignore[arg-type]
    is_mirrored = mirror[0].mean_cost < p.mirror_gain * plain[0].mean_cost
    windows = mirror if is_mirrored else plain
    compared = flipped if is_mirrored else upright

    best = align_window(template, compared, windows[0], basis=basis, coarse_rate=rate)
    match = checks.judge_match(best, template, compared, key_joints, p.match, min_length=p.min_tempo)
    view = checks.view_warning(template, compared, p.match)
    if view is not None and not turn:
        warnings.append(view)
    windows_found = (
        _accept_more_reps(
            windows, template, compared, best, basis=basis, rate=rate, key_joints=key_joints, p=p
        )
        if match["same_movement"]
        else [(best, windows[0])]
    )
    ref_reps = _reference_reps(ref, spans, basis, jidx, tech)
    template_rep = ref_reps[t_idx]
    paired = [
        _judged_against_best_rep(al, win, template_rep, ref_reps, compared, basis=basis, rate=rate)
        if len(ref_reps) > 1 and match["same_movement"]
        else (al, template_rep)
        for al, win in windows_found
    ]
    alignments = [al for al, _ in paired]
    attempt_track = Track.of(compared, basis)
    rules = JudgeParams(
        p.tolerance_deg, p.score_scale_deg, p.score_power, p.style_weight, p.angle_noise_deg, p.min_visibility
    )
    reps = [judge_rep(al, rep.track, attempt_track, rep.phase_times, jidx, rules) for al, rep in paired]
    for result, (_, rep) in zip(reps, paired, strict=True):
        result.reference_rep = rep.number
    first_phases = paired[0][1].phase_times
    warnings += checks.body_warnings(alignments, chosen, p.match)

    feedback = aggregate_feedback(reps, p) if match["same_movement"] else []
    errors = _aggregate_errors(reps)
    if is_mirrored:
        # Feedback speaks about the student's own body: name their sides, not the reference's.
        for item in feedback:
            item["joint"] = swap_sides(item["joint"])
        errors = {swap_sides(joint): v for joint, v in errors.items()}
    for rank, item in enumerate(feedback, start=1):
        item["rank"] = rank

    first, last = alignments[0], alignments[-1]
    times = upright.times
    notes: list[dict[str, Any]] = []
    if is_mirrored:
        notes.append({"code": "mirrored", "params": {}})
    lead_in, lead_out = first.t_start - float(times[0]), float(times[-1]) - last.t_end
    if max(lead_in, lead_out) >= p.window_note_s:
        notes.append(
            {"code": "window", "params": {"start": round(first.t_start, 2), "end": round(last.t_end, 2)}}
        )
    same = bool(match["same_movement"])
    found = len(reps) if same else 0
    if same and (len(spans) > 1 or found > 1):
        notes.append({"code": "reps", "params": {"count": len(spans), "found": found}})
        if found < len(spans):
            notes.append({"code": "reps_missing", "params": {"count": len(spans) - found}})
        elif found > len(spans):
            notes.append({"code": "reps_extra", "params": {"count": found - len(spans)}})
    score = float(np.mean([r.score for r in reps])) if same else None
    tempo_ratio = float(np.median([al.tempo for al in alignments]))
    path = [(int(first.ref.indices[i]), int(first.attempt.indices[j])) for i, j in first.path]
    report: dict[str, Any] = {
        "version": REPORT_VERSION,
        "technique": tech,
        "score": None if score is None else round(score, 1),
        "mean_abs_error_deg": round(float(np.mean([r.base_error for r in reps])), 2),
        "mirrored": bool(is_mirrored),
        "rotation_deg": turn,
        "angle_basis": {j: b for j, b in basis.items() if j in chosen},
        "match": match,
        "tempo": _tempo(tempo_ratio, p) if same else None,
        "warnings": warnings,
        "notes": notes,
        "joints": chosen,
        "phases": [
            {
                "name": name,
                "t_start": round(t0, 3),
                "t_end": round(t1, 3),
                "attempt_t_start": ph["attempt_t_start"],
                "attempt_t_end": ph["attempt_t_end"],
            }
            for (name, t0, t1), ph in zip(first_phases, reps[0].phases, strict=True)
        ],
        "reps": {
            "reference": len(spans),
            "attempt": found,
            "missing": max(0, len(spans) - found),
            "extra": max(0, found - len(spans)),
            "items": [
                {
                    "index": k,
                    "t_start": round(r.alignment.t_start, 3),
                    "t_end": round(r.alignment.t_end, 3),
                    "score": round(r.score, 1),
                    "tempo": round(r.alignment.tempo, 2),
                    "faults": len(r.faults),
                    "reference_rep": r.reference_rep,
                }
                for k, r in enumerate(reps, start=1)
            ]
            if same
            else [],
        },
        "attempt_window": {
            "t_start": round(first.t_start, 3),
            "t_end": round(last.t_end, 3),
            "frame_start": int(first.attempt.indices[first.path[0][1]]),
            "frame_end": int(last.attempt.indices[last.path[-1][1]]),
        },
        "errors": errors,
        "feedback": feedback,
        "top_cues": [dict(item) for item in feedback[:TOP_CUES]],
        "alignment": {
            "cost": round(first.mean_cost, 4),
            "cost_unmirrored": round(plain[0].mean_cost, 4),
            "cost_mirrored": round(mirror[0].mean_cost, 4),
            "path": [list(pair) for pair in dict.fromkeys(path)],
        },
    }
    return Comparison(
        report,
        ref,
        attempt,
        template_span,
        phase_times,
        reps if same else reps[:1],
        chosen,
        mirrored=is_mirrored,
        turn=turn,
        basis=basis,
    )


def _slice(seq: Sequence, a: int, b: int) -> Sequence:
    return replace(
        seq,
        points=seq.points[a : b + 1],
        times=seq.times[a : b + 1],
        indices=seq.indices[a : b + 1],
        world=None if seq.world is None else seq.world[a : b + 1],
        found=seq.detected[a : b + 1],
    )


def _attempt_sequence(doc: SkeletonDoc) -> Sequence | None:
    """The attempt's sequence, or None when fewer than 3 frames show a person."""
    if sum(1 for f in doc["frames"] if f["landmarks"] is not None) < 3:
        return None
    return sequence_from_doc(doc, "attempt")


def compare_docs(
    reference: SkeletonDoc,
    attempt: SkeletonDoc,
    *,
    joints: Seq[str] | None = None,
    technique: str | None = None,
    params: CompareParams | None = None,
) -> Comparison:
    subject = attempt.get("subject")
    return compare_sequences(
        sequence_from_doc(reference, "reference"),
        _attempt_sequence(attempt),
        joints=joints,
        technique=technique,
        params=params,
        attempt_subject=dict(subject) if subject else None,
    )


def compare_skeletons(
    reference: SkeletonDoc,
    attempt: SkeletonDoc,
    *,
    joints: Seq[str] | None = None,
    technique: str | None = None,
    params: CompareParams | None = None,
) -> dict[str, Any]:
    """The language-neutral report comparing an attempt with a reference (Comparison.report)."""
    return compare_docs(reference, attempt, joints=joints, technique=technique, params=params).report
