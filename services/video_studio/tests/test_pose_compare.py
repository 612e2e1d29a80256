from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import cv2
import numpy as np
import pytest

from video_studio.cli import main
from video_studio.errors import InvalidInputError
from video_studio.joints import JOINTS
from video_studio.pose import CompareParams, compare_docs, compare_skeletons, slice_skeleton
from video_studio.pose.dtw import band_mask, dtw, subsequence_window
from video_studio.pose.features import joint_angles, mirrored
from video_studio.pose.judge import Track, tolerant_match
from video_studio.pose_report import render_report
from video_studio.skeleton import SkeletonDoc, doc_from_arrays, save_doc
from video_studio.skeleton.names import INDEX

FPS = 20.0


def as_doc(points: np.ndarray, fps: float = FPS) -> SkeletonDoc:
    return doc_from_arrays(points, np.arange(len(points)) / fps, fps, 720, 720)


def kick_report(ref: np.ndarray, attempt: np.ndarray, **kw: Any) -> dict[str, Any]:
    return compare_skeletons(as_doc(ref), as_doc(attempt), technique="kick", **kw)


def time_warp(points: np.ndarray, factor: float, bend: float = 0.4) -> np.ndarray:
    n = len(points)
    m = round(n * factor)
    u = np.linspace(0, 1, m)
    src = (u + bend * np.sin(2 * np.pi * u) / (2 * np.pi)) * (n - 1)
    flat = points.reshape(n, -1)
    out = np.stack([np.interp(src, np.arange(n), flat[:, c]) for c in range(flat.shape[1])], 1)
    return out.reshape(m, *points.shape[1:])


def bend_knee(points: np.ndarray, frames: slice, deg: float) -> np.ndarray:
    """Rotate the right shank (ankle, heel, toes) about the right knee."""
    out = points.copy()
    th = np.radians(deg)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    knee = out[frames, INDEX["right_knee"], None, :2]
    idx = [INDEX["right_ankle"], INDEX["right_heel"], INDEX["right_foot_index"]]
    out[frames, idx, :2] = (out[frames][:, idx, :2] - knee) @ rot.T + knee
    return out


# Joint -> the landmarks that turn with the distal segment when that joint's angle changes.
_DISTAL = {
    "elbow": ("wrist", "pinky", "index", "thumb"),
    "shoulder": ("elbow", "wrist", "pinky", "index", "thumb"),
    "hip": ("knee", "ankle", "heel", "foot_index"),
    "knee": ("ankle", "heel", "foot_index"),
    "ankle": ("heel", "foot_index"),
}


def rotate_joint(points: np.ndarray, joint: str, frames: slice | np.ndarray, deg: float) -> np.ndarray:
    """Turn the segment below `joint` (e.g. "left_elbow") about it by deg in the given frames."""
    side, part = joint.split("_", 1)
    out = points.copy()
    th = np.radians(deg)
    rot = np.array([[np.cos(th), -np.sin(th)], [np.sin(th), np.cos(th)]])
    centre = out[frames, INDEX[joint], None, :2]
    idx = [INDEX[f"{side}_{name}"] for name in _DISTAL[part]]
    out[frames, idx, :2] = (out[frames][:, idx, :2] - centre) @ rot.T + centre
    return out


def extension_frames(kick: np.ndarray) -> slice:
    ref = compare_docs(as_doc(kick), as_doc(kick), technique="kick")
    ((_, a, b),) = [p for p in ref.phase_times if p[0] == "extension"]
    return slice(round(a * FPS), round(b * FPS) + 1)


def diffuse_variation(kick: np.ndarray, seed: int) -> np.ndarray:
    """Another clean repetition: every limb joint 3-5 degrees off everywhere, drifting over the
    move (a random offset of either sign at the start and at the end of the repetition)."""
    rng = np.random.default_rng(seed)
    out = kick
    n = len(kick)
    for joint in [j for j in JOINTS if j != "trunk"]:
        start, end = rng.choice([-1.0, 1.0], 2) * rng.uniform(3.0, 5.0, 2)
        for k, deg in enumerate(np.linspace(start, end, n)):
            out = rotate_joint(out, joint, np.array([k]), float(deg))
    return out


def test_diffuse_style_differences_outrank_one_real_fault(media: Any) -> None:
    """What a coach cares about: a repetition a few degrees off everywhere (style) beats one with
    a single clear fault (20 degrees, one joint, one phase), and only the fault is named."""
    kick = media.kick_sequence()
    ext = extension_frames(kick)
    for seed in range(5):
        styled = diffuse_variation(kick, seed)
        ang = joint_angles(styled)[0] - joint_angles(kick)[0]
        # Really diffuse (every limb joint, most frames), really small (never beyond 5 degrees).
        assert float(np.abs(ang[:, :-1]).mean()) > 2.5 and float(np.abs(ang).max()) < 5.01
        style = kick_report(kick, styled)
        fault = kick_report(kick, rotate_joint(kick, "right_knee", ext, 20.0))
        assert style["feedback"] == []
        assert [(f["joint"], f["phase"]) for f in fault["feedback"]] == [("right_knee", "extension")]
        assert style["score"] >= 90
        assert style["score"] > fault["score"] + 10, (seed, style["score"], fault["score"])
        # ... while the diffuse variation still costs a little: it is not a perfect copy.
        assert style["score"] < 100


def test_score_follows_the_fault_size_and_every_named_fault_costs(media: Any) -> None:
    """Dead-band then super-linear: sub-tolerance deviations cost at most style_weight points and
    are not named; beyond the tolerance the joint is named AND the score falls faster and faster."""
    kick = media.kick_sequence()
    ext = extension_frames(kick)
    params = CompareParams()
    scores = []
    for deg in (0.0, 5.0, 15.0, 20.0, 25.0, 30.0):
        report = kick_report(kick, rotate_joint(kick, "right_elbow", ext, deg))
        named = [(f["joint"], f["phase"]) for f in report["feedback"]]
        measured = report["errors"]["right_elbow"]["extension"]["mean_abs_deg"]
        assert (named == [("right_elbow", "extension")]) == (measured > params.tolerance_deg)
        if named:
            assert report["score"] < 100 - params.style_weight  # a named joint costs score
        else:
            assert report["score"] >= 100 - params.style_weight
        scores.append(report["score"])
    assert scores == sorted(scores, reverse=True) and len(set(scores)) == len(scores)
    # The cost (what the score's exponential is of) is super-linear in the fault size: each extra
    # 5 degrees costs more than the previous 5.
    cost = -np.log(np.array(scores[2:]) / 100)  # 15 -> 20 -> 25 -> 30 degrees
    assert np.all(np.diff(np.diff(cost)) > 0), cost
    assert scores[3] < 85  # a 20-degree fault is a real fault


def test_timing_tolerance_forgives_a_shift_of_all_joints_but_not_of_one() -> None:
    """A sample of the sparser sequence is compared with the denser one's curve within half a
    sample of the aligned moment: a timing offset moves every joint together and is forgiven,
    one joint alone being "early" is a different angle, i.e. a fault."""
    t = np.arange(40, dtype=float) / 20  # the dense curve: 20 samples per second
    slope = np.array([400.0, -300.0, 100.0])  # three joints moving fast (deg per second)
    dense = Track(t, 100 + t[:, None] * slope, np.ones((40, 3)))
    at = np.array([0.5, 1.0, 1.5])
    ones = np.ones((3, 3))
    late_all = 100 + (at[:, None] + 0.02) * slope  # every joint 20 ms late
    got, _, shift = tolerant_match(late_all, ones, dense, at, tolerance=0.05)
    assert np.abs(got - late_all).max() < 1e-6 and np.allclose(shift, 0.02)
    late_one = 100 + at[:, None] * slope + np.array([8.0, 0.0, 0.0])  # 8 degrees on one joint only
    got, _, _ = tolerant_match(late_one, ones, dense, at, tolerance=0.05)
    assert np.abs(got - late_one)[:, 0].min() > 3.0


def test_identical_attempt_scores_high_with_no_feedback(media: Any) -> None:
    kick = media.kick_sequence()
    report = kick_report(kick, kick)
    assert report["score"] >= 95
    assert report["feedback"] == []
    assert report["mirrored"] is False
    assert report["match"]["same_movement"] is True and report["match"]["reason"] == "ok"
    assert [p["name"] for p in report["phases"]] == ["chamber", "extension", "retraction"]


def test_knee_fault_in_the_extension_is_named_first(media: Any) -> None:
    kick = media.kick_sequence()
    faulty = bend_knee(kick, extension_frames(kick), 30.0)
    report = kick_report(kick, faulty)
    first = report["feedback"][0]
    assert (first["joint"], first["phase"]) == ("right_knee", "extension")
    assert first["direction"] == "increase"  # the kick is not straight enough
    message = render_report(report, "en")["feedback"][0]["message"]
    assert message.startswith("Extension: snap your right knee straight")
    assert abs(first["measured_deg"] - first["reference_deg"]) >= 15
    assert report["score"] < kick_report(kick, kick)["score"]


def test_time_warped_copy_still_scores_high(media: Any) -> None:
    kick = media.kick_sequence()
    slow = time_warp(kick, 1.6)
    report = kick_report(kick, slow)
    assert report["score"] >= 90
    assert len(report["feedback"]) <= 1


def test_mirrored_copy_is_detected_and_feedback_names_the_students_side(media: Any) -> None:
    kick = media.kick_sequence()
    mirror = mirrored(kick)
    mirror[..., 0] += 720
    report = kick_report(kick, mirror)
    assert report["mirrored"] is True
    assert report["score"] >= 95
    assert report["notes"][0]["code"] == "mirrored"
    faulty = mirrored(bend_knee(kick, extension_frames(kick), 30.0))
    faulty[..., 0] += 720
    rendered = render_report(kick_report(kick, faulty), "en")
    top = rendered["feedback"][0]
    # The student kicked with the left leg, so the coach speaks about the left knee.
    assert (top["joint"], top["phase"]) == ("left_knee", "extension")
    assert "left knee" in top["message"]
    assert "mirrored" in rendered["notes"][0]["message"]


def test_joint_angles_of_a_right_angle() -> None:
    pts = np.zeros((1, 33, 4))
    pts[..., 3] = 1
    pts[0, INDEX["right_hip"], :2] = (0, 0)
    pts[0, INDEX["right_knee"], :2] = (0, 100)
    pts[0, INDEX["right_ankle"], :2] = (100, 100)
    pts[0, INDEX["left_shoulder"], :2] = (0, -100)
    pts[0, INDEX["right_shoulder"], :2] = (100, -100)
    ang, w = joint_angles(pts)
    assert ang[0, JOINTS.index("right_knee")] == pytest.approx(90.0)
    assert ang[0, JOINTS.index("trunk")] == pytest.approx(np.degrees(np.arctan2(50, 100)))
    assert w.min() == 1.0


def test_joints_option_limits_the_feedback(media: Any) -> None:
    kick = media.kick_sequence()
    faulty = bend_knee(kick, extension_frames(kick), 30.0)
    report = kick_report(kick, faulty, joints=["left_elbow", "trunk"])
    assert report["feedback"] == []
    with pytest.raises(InvalidInputError, match="unknown joint"):
        compare_skeletons(as_doc(kick), as_doc(kick), joints=["tail"])


def test_still_reference_is_split_evenly(media: Any) -> None:
    still = np.repeat(media.kick_sequence()[:1], 30, axis=0)
    report = kick_report(still, still)
    assert [p["name"] for p in report["phases"]] == ["start", "middle", "end"]


def test_frames_without_a_person_are_bridged(media: Any) -> None:
    kick = media.kick_sequence()
    gappy = kick.copy()
    gappy[10:13] = np.nan
    report = kick_report(kick, gappy)
    assert report["score"] >= 90


def test_slice_skeleton_takes_a_time_range(media: Any) -> None:
    doc = as_doc(media.kick_sequence())
    part = slice_skeleton(doc, 0.5, 1.0)
    assert [f["index"] for f in part["frames"]] == list(range(10, 21))
    assert part["frames"][0]["t"] == 0.0
    with pytest.raises(InvalidInputError):
        slice_skeleton(doc, 5.0, 6.0)


def test_a_reference_without_a_person_is_refused(media: Any) -> None:
    empty = as_doc(np.full((10, 33, 4), np.nan))
    with pytest.raises(InvalidInputError, match="at least 3 frames"):
        compare_skeletons(empty, as_doc(media.kick_sequence()))


def test_cli_compare_writes_report_overlay_and_plots(media: Any, tmp_path: Path) -> None:
    kick = media.kick_sequence()
    ref_path = save_doc(as_doc(kick), tmp_path / "ref.json")
    att_path = save_doc(as_doc(bend_knee(kick, extension_frames(kick), 30.0)), tmp_path / "att.json")
    video = media.write_video(tmp_path / "att.mp4", [np.full((720, 720, 3), 30, np.uint8)] * len(kick), FPS)
    out = tmp_path / "report.json"
    code = main(
        [
            "compare",
            str(ref_path),
            str(att_path),
            "-o",
            str(out),
            "--overlay",
            str(video),
            "--overlay-out",
            str(tmp_path / "ov.mp4"),
            "--plots-dir",
            str(tmp_path / "plots"),
            "--technique",
            "kick",
            "--lang",
            "it",
        ]
    )
    assert code == 0
    report = json.loads(out.read_text())
    assert report["feedback"][0]["joint"] == "right_knee"
    assert report["feedback"][0]["message"].startswith(
        "Estensione: distendi con decisione il ginocchio destro"
    )
    assert report["lang"] == "it" and report["top_cues"][0]["message"] == report["feedback"][0]["message"]
    cap = cv2.VideoCapture(report["outputs"]["overlay"])
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(kick)
    fourcc = int(cap.get(cv2.CAP_PROP_FOURCC)).to_bytes(4, "little").decode()
    assert fourcc in ("avc1", "h264")
    ok, frame = cap.read()
    # Side by side: the reference (no video given: its skeleton on a dark panel) | the attempt.
    assert ok and frame.shape == (720, 1440, 3)
    plots = [Path(p) for p in report["outputs"]["plots"]]
    assert Path(tmp_path / "plots" / "angle_right_knee.png") in plots
    assert all(p.read_bytes()[:4] == b"\x89PNG" for p in plots)


def test_cli_compare_bad_json_exits_2_with_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "ref.json"
    bad.write_text("{not json")
    proc = subprocess.run(
        [sys.executable, "-m", "video_studio", "compare", str(bad), str(bad), "-o", str(tmp_path / "r.json")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "not valid JSON" in lines[0]


# --- attempts with lead-in / lead-out: the reference is matched to a window of the attempt


def pad(points: np.ndarray, before: int, after: int, rest: np.ndarray | None = None) -> np.ndarray:
    """The attempt as a student records it: standing still before and after the technique."""
    still = points[0] if rest is None else rest
    return np.concatenate([np.repeat(still[None], before, 0), points, np.repeat(still[None], after, 0)])


def assert_window(report: dict[str, Any], first: int, last: int, tol: int = 2) -> None:
    win = report["attempt_window"]
    assert abs(win["t_start"] - first / FPS) <= tol / FPS + 1e-9, (win, first, last)
    assert abs(win["t_end"] - last / FPS) <= tol / FPS + 1e-9, (win, first, last)
    for phase in report["phases"]:
        assert win["t_start"] <= phase["attempt_t_start"] <= phase["attempt_t_end"] <= win["t_end"]
    for item in report["feedback"]:
        assert win["t_start"] <= item["t_start"] <= item["t_end"] <= win["t_end"]


def test_lead_in_and_lead_out_are_ignored(media: Any) -> None:
    """The end-to-end bug: the whole recording against a marked range of the instructor's video.
    Forcing the still lead-out onto the reference's last frames made a perfect copy score 0 with
    nine "retraction" faults; only the window that matches the reference may be judged."""
    kick = media.kick_sequence()
    attempt = pad(kick, 30, 50)  # 1.5 s standing before, 2.5 s after
    report = kick_report(kick, attempt)
    assert report["score"] >= 95
    assert report["feedback"] == []
    assert report["mirrored"] is False
    assert_window(report, 30, 30 + len(kick) - 1)
    assert any(note["code"] == "window" for note in report["notes"])
    # The phases are found in the window: same reference phases, attempt times shifted by 1.5 s.
    ident = kick_report(kick, kick)
    for got, want in zip(report["phases"], ident["phases"], strict=True):
        assert got["name"] == want["name"]
        assert abs(got["attempt_t_start"] - want["attempt_t_start"] - 30 / FPS) <= 1.5 / FPS
        assert abs(got["attempt_t_end"] - want["attempt_t_end"] - 30 / FPS) <= 1.5 / FPS


def test_reference_marked_inside_the_clip_that_is_the_attempt(media: Any) -> None:
    """The product run: the reference is a marked range of a video (here it starts and ends
    mid-movement), the attempt is the whole video. The old full alignment scored this 13.5."""
    kick = media.kick_sequence()
    clip = pad(kick, 15, 25)
    report = kick_report(clip[19:51], clip)
    assert report["score"] >= 95
    assert report["feedback"] == []
    assert_window(report, 19, 50, tol=2)


def test_lead_in_and_out_around_a_slower_performance(media: Any) -> None:
    kick = media.kick_sequence()
    slow = time_warp(kick, 1.4)
    report = kick_report(kick, pad(slow, 30, 45))
    assert report["score"] >= 95
    assert report["feedback"] == []
    assert_window(report, 30, 30 + len(slow) - 1)


def test_a_faster_performance_inside_padding_still_aligns(media: Any) -> None:
    kick = media.kick_sequence()
    fast = time_warp(kick, 0.65)
    report = kick_report(kick, pad(fast, 18, 18))
    assert report["score"] >= 90
    assert len(report["feedback"]) <= 1
    assert_window(report, 18, 18 + len(fast) - 1)


def test_two_repetitions_are_each_judged(media: Any) -> None:
    kick = media.kick_sequence()
    n = len(kick)
    two = np.concatenate([pad(kick, 10, 8), pad(time_warp(kick, 1.2), 0, 10)])
    report = kick_report(kick, two)
    assert report["score"] >= 95
    assert report["feedback"] == []
    second = 10 + n + 8
    reps = report["reps"]
    assert (reps["reference"], reps["attempt"], reps["extra"]) == (1, 2, 1)
    first, other = reps["items"]
    assert abs(first["t_start"] - 10 / FPS) <= 2 / FPS and abs(first["t_end"] - (10 + n - 1) / FPS) <= 2 / FPS
    assert abs(other["t_start"] - second / FPS) <= 2 / FPS
    assert abs(other["t_end"] - (second + round(1.2 * n) - 1) / FPS) <= 2 / FPS
    assert all(item["score"] >= 95 for item in reps["items"])


def test_a_fault_inside_padding_is_named_with_its_joint_phase_and_time(media: Any) -> None:
    kick = media.kick_sequence()
    ext = extension_frames(kick)
    lead = 30
    attempt = pad(rotate_joint(kick, "right_knee", ext, 25.0), lead, 45)
    report = kick_report(kick, attempt)
    assert [(f["joint"], f["phase"]) for f in report["feedback"]] == [("right_knee", "extension")]
    assert report["score"] < 90
    assert_window(report, lead, lead + len(kick) - 1)
    item = report["feedback"][0]
    # Attempt times of the fault: the extension of the inserted copy, not the lead-out.
    assert abs(item["t_start"] - (lead + ext.start) / FPS) <= 1.5 / FPS
    assert abs(item["t_end"] - (lead + ext.stop - 1) / FPS) <= 1.5 / FPS


def test_padding_with_a_different_standing_pose_and_noise(media: Any) -> None:
    """Real lead-in is not the reference's first frame: another standing posture, jitter."""
    kick = media.kick_sequence()
    rng = np.random.default_rng(7)
    rest = rotate_joint(
        rotate_joint(kick[:1], "left_elbow", slice(0, 1), 25.0), "right_elbow", slice(0, 1), -20.0
    )[0]
    attempt = pad(kick, 20, 30, rest)
    attempt[..., :2] += rng.normal(0.0, 1.0, attempt[..., :2].shape)
    report = kick_report(kick, attempt)
    assert report["score"] >= 95
    assert report["feedback"] == []
    assert_window(report, 20, 20 + len(kick) - 1)


def test_mirrored_attempt_inside_padding(media: Any) -> None:
    kick = media.kick_sequence()
    ext = extension_frames(kick)
    mirror = mirrored(pad(rotate_joint(kick, "right_knee", ext, 25.0), 12, 20))
    mirror[..., 0] += 720
    report = kick_report(kick, mirror)
    assert report["mirrored"] is True
    assert report["notes"][0]["code"] == "mirrored"
    assert [(f["joint"], f["phase"]) for f in report["feedback"]] == [("left_knee", "extension")]
    assert_window(report, 12, 12 + len(kick) - 1)


def test_an_attempt_shorter_than_the_reference_is_aligned_whole(media: Any) -> None:
    kick = media.kick_sequence()
    fast = time_warp(kick, 0.7)
    report = kick_report(kick, fast)
    assert report["attempt_window"]["t_start"] <= 1 / FPS
    assert report["attempt_window"]["t_end"] >= (len(fast) - 2) / FPS
    assert not any(note["code"] == "window" for note in report["notes"])
    assert report["score"] >= 90


def test_subsequence_window_keeps_the_tempo_in_range() -> None:
    """The window search cannot fold the whole reference onto a few frames (or stretch it over
    far more than max_tempo times its length), even where that would be cheaper."""
    ref = np.linspace(0.0, 1.0, 20)
    jump = np.concatenate([np.zeros(15), np.linspace(0, 1, 4), np.ones(15)])  # 0.2x: too fast
    cost = np.abs(ref[:, None] - jump[None, :])
    win = subsequence_window(cost, 0.5, 2.0)
    assert win is not None and 10 <= len(win) <= 40
    exact = np.concatenate([np.zeros(15), ref, np.ones(15)])
    win = subsequence_window(np.abs(ref[:, None] - exact[None, :]), 0.5, 2.0)
    assert win is not None and (win.first, win.last) == (15, 34)
    assert subsequence_window(np.zeros((20, 8)), 0.5, 2.0) is None  # attempt too short


def test_vectorised_dtw_matches_the_row_by_row_recurrence() -> None:
    rng = np.random.default_rng(3)
    for n, m in [(5, 9), (17, 11), (30, 30), (12, 40)]:
        cost = np.round(rng.random((n, m)) * 4) / 4  # many ties
        inside = band_mask(n, m, 0.25)
        acc = np.full((n + 1, m + 1), np.inf)
        acc[0, 0] = 0.0
        for i in range(1, n + 1):
            for j in range(1, m + 1):
                if inside[i - 1, j - 1]:
                    acc[i, j] = cost[i - 1, j - 1] + min(acc[i - 1, j - 1], acc[i - 1, j], acc[i, j - 1])
        mean, path = dtw(cost, 0.25)
        assert path[0] == (0, 0) and path[-1] == (n - 1, m - 1)
        # Row by row with a running minimum: the same optimum up to float rounding.
        assert mean * len(path) == pytest.approx(acc[n, m], rel=1e-12)
        assert sum(cost[i, j] for i, j in path) == pytest.approx(acc[n, m], rel=1e-12)


def test_overlay_and_plots_of_a_padded_attempt(media: Any, tmp_path: Path) -> None:
    from video_studio.pose.render import render_angle_plots, render_overlay

    kick = media.kick_sequence()
    attempt = pad(rotate_joint(kick, "right_knee", extension_frames(kick), 25.0), 10, 14)
    comparison = compare_docs(as_doc(kick), as_doc(attempt), technique="kick")
    # Lead-in and lead-out map to no reference moment; the repetition does.
    assert (
        comparison.ref_time_at(5 / FPS) is None and comparison.ref_time_at((len(attempt) - 3) / FPS) is None
    )
    inside = comparison.ref_time_at((10 + len(kick) // 2) / FPS)
    assert inside is not None and abs(inside[0] - (len(kick) // 2) / FPS) <= 2 / FPS and inside[1] == 1
    video = media.write_video(
        tmp_path / "att.mp4", [np.full((720, 720, 3), 30, np.uint8)] * len(attempt), FPS
    )
    out = render_overlay(comparison, video, tmp_path / "ov.mp4", lang="it")
    cap = cv2.VideoCapture(str(out))
    assert int(cap.get(cv2.CAP_PROP_FRAME_COUNT)) == len(attempt)
    plots = render_angle_plots(comparison, tmp_path / "plots", lang="it")
    assert tmp_path / "plots" / "angle_right_knee.png" in plots


def test_the_side_by_side_video_shows_the_reference_at_the_aligned_moment(media: Any, tmp_path: Path) -> None:
    """Reference | attempt, aligned in time: the attempt is the kick 2x slower, the reference
    video's frames are numbered by their brightness; at every attempt frame inside the kick the
    left side shows the reference frame aligned with it. The score is burned in at the top."""
    from video_studio.pose.render import render_overlay

    kick = media.kick_sequence()
    slow = time_warp(kick, 2.0, bend=0.0)
    comparison = compare_docs(as_doc(kick), as_doc(slow), technique="kick")
    ref_video = media.write_video(
        tmp_path / "ref.mp4", [np.full((720, 720, 3), 5 * k + 20, np.uint8) for k in range(len(kick))], FPS
    )
    att_video = media.write_video(
        tmp_path / "att.mp4", [np.full((720, 720, 3), 30, np.uint8)] * len(slow), FPS
    )
    out = render_overlay(comparison, att_video, tmp_path / "ov.mp4", reference_video=ref_video, lang="it")
    cap = cv2.VideoCapture(str(out))
    checked = 0
    for k in range(len(slow)):
        ok, frame = cap.read()
        assert ok and frame.shape == (720, 1440, 3)
        aligned = comparison.ref_time_at(k / FPS)
        if aligned is None or not 4 <= k <= len(slow) - 5:
            continue
        shown = float(frame[300:400, 10:60].mean())  # a patch of the reference picture, no skeleton
        expected = 5 * aligned[0] * FPS + 20
        assert abs(shown - expected) <= 5 * 1.5 + 3, (k, shown, expected)
        if shown > 60:  # the score is burned in on a dark band across the top
            assert frame[2:8, 600:700].mean() < 0.7 * float(frame[300:400, 600:700].mean())
        checked += 1
    assert checked > len(slow) // 2
