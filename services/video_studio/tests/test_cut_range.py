"""cut_range: a frame-accurate, video-only re-encode of a time range (lavfi clips, real ffmpeg)."""

from __future__ import annotations

import math
import subprocess
from pathlib import Path

import pytest

from video_studio.errors import InvalidInputError
from video_studio.transcode import cut_range, ffmpeg_exe, probe


@pytest.fixture(scope="module")
def clip(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 s of 320x240 at 25 fps with an audio track."""
    path = tmp_path_factory.mktemp("cut") / "source.mp4"
    subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
         "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
         "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000",
         "-t", "6", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac",
         str(path)],
        check=True,
    )  # fmt: skip
    return path


def test_cut_range_keeps_exactly_the_range_as_video_only_h264(clip: Path, tmp_path: Path) -> None:
    seen: list[tuple[float, str]] = []
    out = cut_range(clip, tmp_path / "cut.mp4", 1.5, 2.0, progress=lambda f, s: seen.append((f, s)))

    assert out == tmp_path / "cut.mp4"
    info = probe(out)
    assert info.video_codec == "h264" and info.pix_fmt == "yuv420p"
    assert info.audio_codec is None  # video only
    assert (info.width, info.height) == (320, 240)
    assert info.duration_s == pytest.approx(2.0, abs=0.05)
    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and seen[-1] == (1.0, "done")
    assert all(s in ("cut", "done") for _, s in seen)


def test_cut_range_rerun_overwrites_the_output(clip: Path, tmp_path: Path) -> None:
    out = tmp_path / "cut.mp4"
    cut_range(clip, out, 0.0, 3.0)
    cut_range(clip, out, 4.0, 1.0)
    assert probe(out).duration_s == pytest.approx(1.0, abs=0.05)


def test_cut_range_past_the_end_is_invalid_input(clip: Path, tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="holds no video frames"):
        cut_range(clip, tmp_path / "cut.mp4", 10.0, 2.0)


def test_cut_range_of_a_non_video_or_missing_file_is_invalid_input(tmp_path: Path) -> None:
    junk = tmp_path / "junk.mp4"
    junk.write_bytes(b"this is not a video at all" * 100)
    with pytest.raises(InvalidInputError, match="could not be decoded"):
        cut_range(junk, tmp_path / "cut.mp4", 0.0, 1.0)
    with pytest.raises(InvalidInputError, match="not found"):
        cut_range(tmp_path / "missing.mp4", tmp_path / "cut.mp4", 0.0, 1.0)


@pytest.mark.parametrize(("start", "length"), [(-1.0, 1.0), (0.0, 0.0), (0.0, -2.0), (math.nan, 1.0)])
def test_cut_range_rejects_a_nonsensical_range(
    clip: Path, tmp_path: Path, start: float, length: float
) -> None:
    with pytest.raises(ValueError, match="invalid range"):
        cut_range(clip, tmp_path / "cut.mp4", start, length)
