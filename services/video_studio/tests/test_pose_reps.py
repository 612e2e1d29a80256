"""Issue 10, item 6 (repetitions): count them in the reference and the attempt, judge each,
report per-rep scores, say when one is missing or extra."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from video_studio.pose import compare_skeletons
from video_studio.pose_report import render_report
from video_studio.skeleton import slice_skeleton
from video_studio.skeleton.names import INDEX

FPS = 30.0


def kicks(media: Any, count: int, *, rest: float = 0.4, faulty: int | None = None) -> np.ndarray:
    """`count` kicks of 2 s with `rest` seconds standing between them; kick number `faulty`
    (1-based) with the right knee 30 degrees off through its extension."""
    from video_studio.pose import compare_docs

    one = media.kick_filmed(FPS)
    single = doc(media, one)
    ((_, t0, t1),) = [
        p
        for p in compare_docs(single, single, technique="kick").phase_times
        if p[0] == "extension"  # type: ignore[arg-type]
    ]
    standing = np.repeat(one[:1], round(rest * FPS), axis=0)
    parts = []
    for k in range(1, count + 1):
        rep = one.copy()
        if k == faulty:
            middle = np.arange(round(t0 * FPS), round(t1 * FPS) + 1)
            th = np.radians(30.0)
            rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
            knee = rep[middle, INDEX["right_knee"], None, :2]
            cells = np.ix_(
                middle, [INDEX["right_ankle"], INDEX["right_heel"], INDEX["right_foot_index"]], [0, 1]
            )
            rep[cells] = (rep[cells] - knee) @ rot.T + knee
        parts += [standing, rep]
    parts.append(standing)
    return np.concatenate(parts)


def doc(media: Any, points: np.ndarray) -> dict[str, Any]:
    return dict(media.as_doc(points, FPS, world=media.world_of(points)))


def report_of(media: Any, ref: np.ndarray, attempt: np.ndarray) -> dict[str, Any]:
    return compare_skeletons(doc(media, ref), doc(media, attempt), technique="kick")  # type: ignore[arg-type]


def test_three_kicks_against_three_kicks(media: Any) -> None:
    report = report_of(media, kicks(media, 3), kicks(media, 3, rest=0.8))
    reps = report["reps"]
    assert (reps["reference"], reps["attempt"], reps["missing"], reps["extra"]) == (3, 3, 0, 0)
    for k, item in enumerate(reps["items"]):
        kick_start = 0.8 + k * 2.8  # each window holds its kick (and may take some standing)
        assert item["t_start"] <= kick_start + 0.2 and item["t_end"] >= kick_start + 1.8
    assert all(item["score"] >= 95 for item in reps["items"])
    assert report["score"] == pytest.approx(np.mean([i["score"] for i in reps["items"]]), abs=0.1)
    assert [n["code"] for n in report["notes"]] == ["window", "reps"]


def test_a_missing_repetition_is_said(media: Any) -> None:
    report = report_of(media, kicks(media, 3), kicks(media, 2))
    assert (report["reps"]["attempt"], report["reps"]["missing"]) == (2, 1)
    notes = render_report(report, "en")["notes"]
    assert {"code": "reps_missing", "message": "1 repetition is missing."} in notes
    italian = render_report(report, "it")["notes"]
    assert {"code": "reps_missing", "message": "Manca 1 ripetizione."} in italian


def test_an_extra_repetition_is_said_and_judged(media: Any) -> None:
    report = report_of(media, kicks(media, 2), kicks(media, 3))
    assert (report["reps"]["attempt"], report["reps"]["extra"]) == (3, 1)
    assert {"code": "reps_extra", "params": {"count": 1}} in report["notes"]
    assert len(report["reps"]["items"]) == 3


def test_the_faulty_repetition_scores_lower_and_is_named(media: Any) -> None:
    report = report_of(media, kicks(media, 3), kicks(media, 3, faulty=2))
    scores = [item["score"] for item in report["reps"]["items"]]
    assert scores[1] < min(scores[0], scores[2]) - 10
    knee = [f for f in report["feedback"] if f["joint"] == "right_knee"]
    assert knee and all(f["reps"] == [2] for f in knee)


def test_a_single_kick_reference_is_one_repetition(media: Any) -> None:
    one = media.kick_filmed(FPS)
    report = report_of(media, one, kicks(media, 1))
    assert (report["reps"]["reference"], report["reps"]["attempt"]) == (1, 1)
    assert not [n for n in report["notes"] if n["code"].startswith("reps")]


@pytest.mark.slow
def test_real_squats_are_counted(real: Any) -> None:
    """The shared squat clip: three squats, the third cut off at its bottom by the clip's end.
    Marked 1-9 s (two squats), the whole clip shows two complete ones: nothing missing."""
    squats = real.skeleton("pose_squats.mp4")
    report = compare_skeletons(slice_skeleton(squats, 1.0, 9.0), squats)
    assert report["reps"]["reference"] == 2
    assert report["reps"]["attempt"] == 2 and report["reps"]["missing"] == 0
    assert all(item["score"] >= 80 for item in report["reps"]["items"])
