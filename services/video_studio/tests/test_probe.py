"""probe(): magic bytes, truncation checks, ffmpeg stderr parsing, limits, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from video_studio.cli import main
from video_studio.errors import InvalidInputError
from video_studio.transcode import Limits, ProbeResult, ffmpeg_exe, probe
from video_studio.transcode.probe import parse_ffmpeg_info, sniff_container, split_top_level


def _ffmpeg(*args: str) -> None:
    subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-nostdin", "-y", *args], check=True)


@pytest.fixture(scope="module")
def clips(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("probe_clips")
    small = d / "small.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100",
        "-t", "4", "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
        "-c:a", "aac", "-movflags", "+faststart", str(small),
    )  # fmt: skip
    silent = d / "silent.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=30", "-t", "3",
        "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", str(silent),
    )  # fmt: skip
    rotated = d / "rotated.mp4"  # a phone held upright: stored 320x240, shown 240x320
    _ffmpeg("-display_rotation", "-90", "-i", str(silent), "-c", "copy", str(rotated))
    webm = d / "clip.webm"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "2",
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", str(webm),
    )  # fmt: skip
    png = d / "photo.mp4"  # a PNG renamed .mp4
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", "-f", "image2",
            "-c:v", "png", str(png))  # fmt: skip
    empty = d / "empty.mp4"
    empty.write_bytes(b"")
    text = d / "notes.mp4"
    text.write_text("Kata notes: step left, block, punch.\n" * 20)
    data = small.read_bytes()
    cut = d / "cut_in_half.mp4"  # moov first (faststart), media data cut off
    cut.write_bytes(data[: len(data) // 2])
    plain = d / "moov_last.mp4"
    _ffmpeg("-i", str(small), "-c", "copy", str(plain))
    cut_plain = d / "cut_moov_last.mp4"  # moov at the end never arrived
    cut_plain.write_bytes(plain.read_bytes()[: plain.stat().st_size // 2])
    webm_cut = d / "cut.webm"
    webm_cut.write_bytes(webm.read_bytes()[: webm.stat().st_size // 2])
    return {
        "small": small, "silent": silent, "rotated": rotated, "webm": webm, "png": png,
        "empty": empty, "text": text, "cut": cut, "cut_plain": cut_plain, "webm_cut": webm_cut,
    }  # fmt: skip


def test_probe_reports_container_codecs_size_duration_and_audio(clips: dict[str, Path]) -> None:
    result = probe(clips["small"])
    assert isinstance(result, ProbeResult)
    assert result.container == "mp4"
    assert result.video_codec == "h264"
    assert result.audio_codec == "aac"
    assert result.has_audio
    assert (result.width, result.height) == (320, 240)
    assert result.rotation == 0
    assert result.duration_s == pytest.approx(4.0, abs=0.1)
    assert result.fps == pytest.approx(25.0)
    assert result.bitrate_kbps is not None and result.bitrate_kbps > 0
    assert result.audio_sample_rate == 44100
    assert result.audio_channels == 1
    assert result.size_bytes == clips["small"].stat().st_size


def test_probe_of_a_silent_clip_has_no_audio(clips: dict[str, Path]) -> None:
    result = probe(clips["silent"])
    assert result.audio_codec is None and not result.has_audio
    assert result.fps == pytest.approx(30.0)


def test_probe_applies_rotation_to_display_size(clips: dict[str, Path]) -> None:
    result = probe(clips["rotated"])
    assert (result.coded_width, result.coded_height) == (320, 240)
    assert result.rotation == 90
    assert (result.width, result.height) == (240, 320)


def test_probe_reads_webm(clips: dict[str, Path]) -> None:
    result = probe(clips["webm"])
    assert result.container == "webm"
    assert result.video_codec == "vp9"
    assert result.duration_s == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    ("clip", "message"),
    [
        ("empty", "The file is empty"),
        ("text", "This is not a video file (looks like a text file)"),
        ("png", "This is not a video file (looks like PNG image)"),
        ("cut", "The video file is truncated or corrupt: it ends inside the 'mdat' box"),
        ("cut_plain", "The video file is truncated or corrupt"),
        ("webm_cut", "The video file is truncated or corrupt"),
    ],
)
def test_probe_rejects_bad_input_with_a_clear_reason(clips: dict[str, Path], clip: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        probe(clips[clip])
    assert str(info.value).startswith(message)
    assert "\n" not in str(info.value)


def test_probe_rejects_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(InvalidInputError, match="not found"):
        probe(tmp_path / "nope.mp4")


def test_probe_enforces_limits(clips: dict[str, Path]) -> None:
    with pytest.raises(InvalidInputError, match="too large"):
        probe(clips["small"], limits=Limits(max_bytes=1000))
    with pytest.raises(InvalidInputError, match="too long"):
        probe(clips["small"], limits=Limits(max_duration_s=2.0))
    with pytest.raises(InvalidInputError, match="too short"):
        probe(clips["small"], limits=Limits(min_duration_s=10.0))
    with pytest.raises(InvalidInputError, match="resolution is too high"):
        probe(clips["small"], limits=Limits(max_width=160, max_height=160))
    # Either orientation fits: a 240x320 portrait clip passes a 320x240 limit.
    assert probe(clips["rotated"], limits=Limits(max_width=320, max_height=240)).height == 320


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        (b"\x00\x00\x00\x18ftypisom" + b"\x00" * 20, "mp4"),
        (b"\x00\x00\x00\x14ftypqt  " + b"\x00" * 20, "mov"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01webm" + b"\x00" * 20, "webm"),
        (b"\x1a\x45\xdf\xa3\x9f\x42\x86\x81\x01matroska", "matroska"),
        (b"RIFF\x00\x00\x00\x00AVI LIST", "avi"),
        ((b"\x47" + b"\x00" * 187) * 3, "mpegts"),
        (b"\x00\x00\x01\xba" + b"\x00" * 20, "mpeg-ps"),
    ],
)
def test_sniff_recognises_video_containers(head: bytes, expected: str) -> None:
    assert sniff_container(head) == expected


@pytest.mark.parametrize(
    ("head", "what"),
    [
        (b"\xff\xd8\xff\xe0\x00\x10JFIF", "JPEG image"),
        (b"%PDF-1.7\n", "PDF document"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "WAV audio"),
        (b"\x00\x00\x00\x18ftypheic" + b"\x00" * 8, "HEIC/AVIF image"),
        (b"\x00\x00\x00\x18ftypM4A " + b"\x00" * 8, "M4A audio"),
        (b"#EXTM3U\n#EXT-X-VERSION:3\n", "playlist"),
        (bytes(range(256)) * 4, "unrecognised format"),
    ],
)
def test_sniff_names_what_a_non_video_looks_like(head: bytes, what: str) -> None:
    with pytest.raises(InvalidInputError, match="This is not a video file") as info:
        sniff_container(head)
    assert what in str(info.value)


def test_parse_ffmpeg_info_handles_older_rotate_tag_sar_and_attached_pictures() -> None:
    stderr = """Input #0, mov,mp4,m4a,3gp,3g2,mj2, from 'phone.mov':
  Duration: 00:01:02.50, start: 0.000000, bitrate: 17000 kb/s
  Stream #0:0[0x1](und): Video: hevc (Main) (hvc1 / 0x31637668), yuv420p(tv, bt709), 1440x1080 [SAR 4:3 DAR 16:9], 16000 kb/s, 29.97 fps, 29.97 tbr, 600 tbn (default)
    Metadata:
      rotate          : 90
      handler_name    : Core Media Video
  Stream #0:1[0x2](und): Audio: aac (LC) (mp4a / 0x6134706D), 48000 Hz, 5.1, fltp, 256 kb/s
  Stream #0:2: Video: mjpeg (Baseline), yuvj420p(pc), 600x600, 90k tbr, 90k tbn (attached pic)
"""  # noqa: E501
    info = parse_ffmpeg_info(stderr)
    assert info["video_codec"] == "hevc"
    assert info["video_profile"] == "Main"
    assert (info["coded_width"], info["coded_height"]) == (1440, 1080)
    assert info["rotation"] == 90
    assert (info["width"], info["height"]) == (1080, 1920)  # SAR 4:3 widens to 1920, then turns
    assert info["fps"] == pytest.approx(29.97)
    assert info["duration_s"] == pytest.approx(62.5)
    assert info["audio_channels"] == 6 and info["audio_sample_rate"] == 48000


def test_parse_ffmpeg_info_audio_only_is_not_a_video() -> None:
    stderr = """Input #0, mp3, from 'song.mp3':
  Duration: 00:03:00.00, start: 0.000000, bitrate: 128 kb/s
  Stream #0:0: Audio: mp3 (mp3float), 44100 Hz, stereo, fltp, 128 kb/s
"""
    with pytest.raises(InvalidInputError, match="no video track"):
        parse_ffmpeg_info(stderr)


def test_split_top_level_keeps_parenthesised_commas() -> None:
    assert split_top_level("vp9 (Profile 0), yuv420p(tv, progressive), 320x240, SAR 1:1") == [
        "vp9 (Profile 0)",
        "yuv420p(tv, progressive)",
        "320x240",
        "SAR 1:1",
    ]


def test_probe_cli_prints_json(clips: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["probe", str(clips["small"])]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["video_codec"] == "h264" and data["has_audio"] is True
    assert (data["width"], data["height"]) == (320, 240)


def test_probe_cli_exits_2_with_one_stderr_line_on_bad_input(clips: dict[str, Path]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "video_studio", "probe", str(clips["png"])],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert done.stdout == ""
    lines = done.stderr.strip().splitlines()
    assert lines == ["video_studio probe: This is not a video file (looks like PNG image)"]
