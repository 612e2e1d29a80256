from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from video_studio.cli import main
from video_studio.errors import InvalidInputError
from video_studio.skeleton import LANDMARK_NAMES, doc_to_arrays, extract_skeleton

UPPER = [0, 11, 12]  # nose and shoulders: what the astronaut picture shows clearly


@pytest.mark.slow
def test_landmarks_follow_a_person_moving_across_the_frame(astronaut_video: Path) -> None:
    progress: list[float] = []
    doc = extract_skeleton(astronaut_video, progress=progress.append)
    assert doc["width"] == 720 and doc["height"] == 720 and doc["fps"] == pytest.approx(10.0)
    assert doc["landmark_names"] == list(LANDMARK_NAMES)
    assert len(doc["frames"]) == 16
    assert progress[-1] == 1.0 and progress == sorted(progress)
    pts, times = doc_to_arrays(doc)
    assert not np.isnan(pts).any()
    np.testing.assert_allclose(times, np.arange(16) / 10.0)
    x = pts[:, UPPER, 0].mean(axis=1)
    y = pts[:, UPPER, 1].mean(axis=1)
    expected = x[0] + 6.0 * np.arange(16)
    assert np.abs(x - expected).max() < 15.0
    assert np.abs(y - y[0]).max() < 15.0
    # The nose is above the shoulders and the shoulders about 100 px apart at this scale.
    assert (pts[:, 0, 1] < pts[:, 11, 1]).all()
    assert 60 < np.median(np.abs(pts[:, 11, 0] - pts[:, 12, 0])) < 160


@pytest.mark.slow
def test_rotation_metadata_gives_display_oriented_landmarks(
    media: Any,
    tmp_path: Path,
) -> None:
    src = media.write_video(tmp_path / "wide.mp4", [f[200:700] for f in media.astronaut_frames(6, 0)])
    rotated = media.with_rotation(src, tmp_path / "rotated.mp4", 90)
    doc = extract_skeleton(rotated)
    assert (doc["width"], doc["height"]) == (500, 720)
    pts, _ = doc_to_arrays(doc)
    plain, _ = doc_to_arrays(extract_skeleton(src))
    # 90° counter-clockwise display rotation maps (x, y) in the stored frame to (y, W - x).
    expect_x = plain[:, UPPER, 1]
    expect_y = 720 - plain[:, UPPER, 0]
    assert np.abs(pts[:, UPPER, 0] - expect_x).mean() < 25
    assert np.abs(pts[:, UPPER, 1] - expect_y).mean() < 25


@pytest.mark.slow
def test_frame_sampling_keeps_the_target_rate(astronaut_video: Path) -> None:
    doc = extract_skeleton(astronaut_video, target_fps=5.0)
    assert [f["index"] for f in doc["frames"]] == list(range(0, 16, 2))
    assert doc["frames"][1]["t"] == pytest.approx(0.2)


@pytest.mark.slow
def test_blank_video_has_no_person(media: Any, tmp_path: Path) -> None:
    blank = media.write_video(tmp_path / "blank.mp4", [np.full((240, 320, 3), 90, np.uint8)] * 8)
    with pytest.raises(InvalidInputError, match="no person"):
        extract_skeleton(blank)


def test_text_file_renamed_mp4_is_not_a_video(tmp_path: Path) -> None:
    fake = tmp_path / "notes.mp4"
    fake.write_text("these are my training notes, not a video\n" * 50)
    with pytest.raises(InvalidInputError, match="not a video"):
        extract_skeleton(fake)


def test_empty_file_is_refused(tmp_path: Path) -> None:
    empty = tmp_path / "empty.mp4"
    empty.touch()
    with pytest.raises(InvalidInputError, match="empty"):
        extract_skeleton(empty)


def test_missing_file_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not found"):
        extract_skeleton(tmp_path / "nope.mp4")


def test_truncated_mp4_is_refused(astronaut_video: Path, tmp_path: Path) -> None:
    data = astronaut_video.read_bytes()
    cut = tmp_path / "cut.mp4"
    cut.write_bytes(data[: len(data) // 2])
    with pytest.raises(InvalidInputError):
        extract_skeleton(cut)


@pytest.mark.slow
def test_truncated_faststart_mp4_is_refused(
    media: Any,
    astronaut_video: Path,
    tmp_path: Path,
) -> None:
    fast = tmp_path / "fast.mp4"
    subprocess.run(
        [
            media.ffmpeg_exe(),
            "-y",
            "-loglevel",
            "error",
            "-i",
            str(astronaut_video),
            "-c",
            "copy",
            "-movflags",
            "+faststart",
            str(fast),
        ],
        check=True,
    )
    data = fast.read_bytes()
    cut = tmp_path / "cut_fast.mp4"
    cut.write_bytes(data[: len(data) // 3])
    with pytest.raises(InvalidInputError):
        extract_skeleton(cut)


def test_huge_resolution_is_refused(astronaut_video: Path) -> None:
    with pytest.raises(InvalidInputError, match="larger than"):
        extract_skeleton(astronaut_video, max_pixels=640 * 480)


def test_cli_bad_input_exits_2_with_one_stderr_line(tmp_path: Path) -> None:
    fake = tmp_path / "fake.mp4"
    fake.write_bytes(b"\x00\x01garbage" * 100)
    proc = subprocess.run(
        [sys.executable, "-m", "video_studio", "skeleton", str(fake), "-o", str(tmp_path / "o.json")],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "fake.mp4" in lines[0]


@pytest.mark.slow
def test_cli_writes_the_skeleton_json(astronaut_video: Path, tmp_path: Path) -> None:
    out = tmp_path / "skel.json"
    video = shutil.copy(astronaut_video, tmp_path / "in.mp4")
    assert main(["skeleton", str(video), "-o", str(out), "--target-fps", "5"]) == 0
    doc = json.loads(out.read_text())
    assert doc["version"] == 2 and len(doc["frames"]) == 8
    assert len(doc["frames"][0]["world"]) == 33 and doc["subject"]["first_index"] == 0
    assert len(doc["frames"][0]["landmarks"]) == 33
    assert len(doc["frames"][0]["landmarks"][0]) == 4
