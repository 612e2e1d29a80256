"""transcode_hls / make_trailer / make_poster / make_sprite on clips generated with lavfi."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import pytest

from video_studio.cli import main
from video_studio.errors import InvalidInputError
from video_studio.transcode import (
    DEFAULT_LADDER,
    ffmpeg_exe,
    make_poster,
    make_sprite,
    make_trailer,
    plan_ladder,
    probe,
    transcode_hls,
)
from video_studio.transcode.playlists import parse_master_playlist, parse_media_playlist


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True)


def _make_clip(path: Path, size: str, seconds: int, *, audio: bool, rate: int = 25) -> Path:
    args = ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}"]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-c:a", "aac"]
    args += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    _ffmpeg(*args, str(path))
    return path


def _stream_size(path: Path) -> tuple[int, int]:
    done = subprocess.run([ffmpeg_exe(), "-hide_banner", "-i", str(path)], capture_output=True, text=True)
    match = re.search(r"Video: .*?, (\d+)x(\d+)", done.stderr)
    assert match, done.stderr
    return int(match[1]), int(match[2])


def _all_files(root: Path) -> list[str]:
    return sorted(str(p.relative_to(root)) for p in root.rglob("*") if p.is_file())


def _check_ladder(out: Path, expected: dict[str, tuple[int, int]], *, audio: bool) -> None:
    """master parses, exact rungs, CODECS matches audio, EXTINF in range, ENDLIST present."""
    entries = parse_master_playlist((out / "master.m3u8").read_text())
    assert [e.uri for e in entries] == [f"{name}/index.m3u8" for name in expected]
    for entry, (name, (w, h)) in zip(entries, expected.items(), strict=True):
        attrs = entry.attributes
        assert attrs["RESOLUTION"] == f"{w}x{h}"
        assert int(attrs["BANDWIDTH"]) >= int(attrs["AVERAGE-BANDWIDTH"]) > 0
        codecs = attrs["CODECS"].split(",")
        assert re.fullmatch(r"avc1\.(4d|64)[0-9a-f]{4}", codecs[0]), codecs
        assert codecs[1:] == (["mp4a.40.2"] if audio else [])
        playlist = parse_media_playlist((out / name / "index.m3u8").read_text())
        assert playlist.ended and playlist.playlist_type == "VOD"
        assert playlist.target_duration is not None and playlist.target_duration <= 6
        durations = [d for _, d in playlist.segments]
        assert all(4.0 <= d <= 6.05 for d in durations[:-1]), durations
        assert 0 < durations[-1] <= 6.05
        for uri, _ in playlist.segments:
            assert re.fullmatch(r"seg_\d{5}\.ts", uri)
            assert (out / name / uri).stat().st_size > 0
        assert _stream_size(out / name / playlist.segments[0][0]) == (w, h)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("transcode_clips")
    small = _make_clip(d / "small_silent.mp4", "320x240", 8, audio=False)
    portrait = d / "portrait.mp4"  # stored landscape, rotation metadata makes it upright
    _make_clip(d / "landscape.mp4", "640x360", 5, audio=True)
    _ffmpeg("-display_rotation", "-90", "-i", str(d / "landscape.mp4"), "-c", "copy", str(portrait))
    return {
        "small": small,
        "portrait": portrait,
        "mid": _make_clip(d / "mid.mp4", "854x480", 12, audio=True),
    }


def test_plan_ladder_never_upscales_and_keeps_a_rung_for_tiny_sources() -> None:
    def names(w: int, h: int, cap: int | None = None) -> list[tuple[str, int, int]]:
        return [(r.name, r.width, r.height) for r in plan_ladder(w, h, max_short_side=cap)]

    assert names(1920, 1080) == [
        ("1080p", 1920, 1080), ("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360),
    ]  # fmt: skip
    assert names(1280, 720) == [("720p", 1280, 720), ("480p", 854, 480), ("360p", 640, 360)]
    assert names(1000, 600) == [("480p", 800, 480), ("360p", 600, 360)]
    assert names(720, 1280) == [("720p", 720, 1280), ("480p", 480, 854), ("360p", 360, 640)]
    assert names(320, 240) == [("240p", 320, 240)]
    assert names(321, 181) == [("180p", 320, 180)]
    assert names(3840, 2160, cap=720)[0] == ("720p", 1280, 720)
    for rung in plan_ladder(1279, 719, DEFAULT_LADDER):
        assert rung.width % 2 == 0 and rung.height % 2 == 0


@pytest.mark.slow
def test_720p_source_gets_720_480_360_ladder_playable_from_master(tmp_path: Path) -> None:
    source = _make_clip(tmp_path / "src720.mp4", "1280x720", 10, audio=True)
    out = tmp_path / "hls"
    seen: list[tuple[float, str]] = []
    result = transcode_hls(source, out, progress=lambda f, s: seen.append((f, s)))

    expected = {"720p": (1280, 720), "480p": (854, 480), "360p": (640, 360)}
    _check_ladder(out, expected, audio=True)
    assert [v.name for v in result.variants] == list(expected)
    assert result.has_audio and result.duration_s == pytest.approx(10.0, abs=0.1)
    assert sorted(result.files) == _all_files(out)

    fractions = [f for f, _ in seen]
    assert fractions == sorted(fractions) and fractions[-1] == 1.0
    assert seen[-1] == (1.0, "done") and any(s == "transcode" for _, s in seen)
    assert len({round(f, 2) for f in fractions}) >= 3

    # ffmpeg reads the ladder back through the master playlist (video and audio).
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-nostdin", "-i", str(out / "master.m3u8"),
         "-map", "0:v:0", "-map", "0:a:0", "-frames:v", "10", "-f", "null", "-"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert re.search(r"frame=\s*10\b", done.stderr)


@pytest.mark.slow
def test_rerun_overwrites_the_same_files_and_drops_stale_rungs(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "hls"
    first = transcode_hls(clips["mid"], out, segment_seconds=4)
    files = _all_files(out)
    assert files == sorted(first.files)
    (out / "poster.jpg").write_bytes(b"not ours")  # a neighbour the worker put there
    second = transcode_hls(clips["mid"], out, segment_seconds=4)
    assert _all_files(out) == sorted([*files, "poster.jpg"])
    assert second.files == first.files
    assert [len(v.segments) for v in second.variants] == [3, 3]  # 12 s in 4 s segments

    third = transcode_hls(clips["mid"], out, max_short_side=360)
    assert [v.name for v in third.variants] == ["360p"]
    assert _all_files(out) == sorted([*third.files, "poster.jpg"])
    assert not (out / ".staging-hls").exists()


def test_small_silent_source_keeps_one_rung_at_source_size_without_audio(
    clips: dict[str, Path], tmp_path: Path
) -> None:
    out = tmp_path / "hls"
    result = transcode_hls(clips["small"], out)
    _check_ladder(out, {"240p": (320, 240)}, audio=False)
    assert not result.has_audio
    assert result.variants[0].segment_durations == pytest.approx((6.0, 2.0), abs=0.05)


@pytest.mark.slow
def test_rotated_portrait_source_is_encoded_upright(clips: dict[str, Path], tmp_path: Path) -> None:
    info = probe(clips["portrait"])
    assert (info.width, info.height, info.rotation) == (360, 640, 90)
    out = tmp_path / "hls"
    transcode_hls(clips["portrait"], out, probe_result=info)
    _check_ladder(out, {"360p": (360, 640)}, audio=True)


def test_trailer_is_one_small_rung_of_the_first_seconds(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "trailer"
    result = make_trailer(clips["mid"], out, seconds=5)
    assert [(v.name, v.width, v.height) for v in result.variants] == [("480p", 854, 480)]
    assert result.duration_s == pytest.approx(5.0, abs=0.1)
    _check_ladder(out, {"480p": (854, 480)}, audio=True)


def _first_frame(path: Path, at_s: float = 0.0) -> bytes:
    """One decoded 32x18 grey frame (input seek to `at_s`)."""
    done = subprocess.run(
        [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-ss", f"{at_s:.3f}", "-i", str(path),
         "-frames:v", "1", "-vf", "scale=32:18", "-pix_fmt", "gray", "-f", "rawvideo", "-"],
        capture_output=True, check=True,
    )  # fmt: skip
    return done.stdout


def _distance(a: bytes, b: bytes) -> float:
    return sum(abs(x - y) for x, y in zip(a, b, strict=True)) / len(a)


def test_trailer_from_a_chosen_start_shows_that_part(clips: dict[str, Path], tmp_path: Path) -> None:
    out = tmp_path / "trailer"
    result = make_trailer(clips["mid"], out, seconds=3, start_s=6)
    assert result.duration_s == pytest.approx(3.0, abs=0.1)
    first = _first_frame(out / "480p" / result.variants[0].segments[0].split("/", 1)[1])
    assert _distance(first, _first_frame(clips["mid"], 6.0)) < 8  # testsrc2 moves every frame
    assert _distance(first, _first_frame(clips["mid"], 0.0)) > 2 * _distance(
        first, _first_frame(clips["mid"], 6.0)
    )
    with pytest.raises(ValueError):
        make_trailer(clips["mid"], tmp_path / "bad", seconds=3, start_s=-1)


def test_poster_and_sprite_have_the_right_dimensions(clips: dict[str, Path], tmp_path: Path) -> None:
    poster = make_poster(clips["mid"], tmp_path / "poster.jpg")
    assert (poster.width, poster.height) == (854, 480)
    assert poster.at_s == pytest.approx(1.2)
    assert _stream_size(tmp_path / "poster.jpg") == (854, 480)

    sprite = make_sprite(clips["mid"], tmp_path / "sprite.jpg", tmp_path / "sprite.vtt", 2.0)
    assert (sprite.tile_width, sprite.tile_height) == (160, 90)
    assert sprite.count == 6 and (sprite.columns, sprite.rows) == (6, 1)
    assert _stream_size(tmp_path / "sprite.jpg") == (160 * 6, 90)
    vtt = (tmp_path / "sprite.vtt").read_text()
    assert vtt.startswith("WEBVTT\n")
    cues = re.findall(r"(\S+) --> (\S+)\n(\S+)", vtt)
    assert len(cues) == 6
    assert cues[0] == ("00:00:00.000", "00:00:02.000", "sprite.jpg#xywh=0,0,160,90")
    assert cues[-1] == ("00:00:10.000", "00:00:12.000", "sprite.jpg#xywh=800,0,160,90")

    portrait = make_sprite(clips["portrait"], tmp_path / "p.jpg", tmp_path / "p.vtt", 1.0)
    assert (portrait.tile_width, portrait.tile_height) == (160, 284)
    assert (portrait.columns, portrait.rows) == (5, 1)
    assert _stream_size(tmp_path / "p.jpg") == (800, 284)
    poster = make_poster(clips["portrait"], tmp_path / "p_poster.jpg", at_s=99)
    assert _stream_size(tmp_path / "p_poster.jpg") == (360, 640)


def test_transcode_rejects_non_video_input(tmp_path: Path) -> None:
    bad = tmp_path / "notes.mp4"
    bad.write_text("not a video\n")
    with pytest.raises(InvalidInputError, match="not a video file"):
        transcode_hls(bad, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_hls_cli_prints_summary_and_exits_2_on_bad_input(
    clips: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "cli"
    args = ["hls", str(clips["small"]), str(out), "--segment-seconds", "4", "--max-height", "720"]
    assert main(args) == 0
    summary = json.loads(capsys.readouterr().out)
    assert [v["name"] for v in summary["variants"]] == ["240p"]
    assert summary["segment_seconds"] == 4
    assert (out / "master.m3u8").exists()

    empty = tmp_path / "empty.mp4"
    empty.write_bytes(b"")
    done = subprocess.run(
        [sys.executable, "-m", "video_studio", "hls", str(empty), str(tmp_path / "x")],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert done.stderr.strip().splitlines() == ["video_studio hls: The file is empty"]
