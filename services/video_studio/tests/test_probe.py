"""probe(): magic bytes, truncation checks, what FFmpeg reads from real files (codecs, profile,
sample aspect ratio, rotation, cover art, surround audio, a duration the header lacks, why a file
cannot be read), limits, and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from video_studio.cli import main
from video_studio.errors import InvalidInputError, decode_reason
from video_studio.transcode import Limits, ProbeResult, ffmpeg_exe, probe
from video_studio.transcode.probe import sniff_container


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
    cover = d / "cover.jpg"
    _ffmpeg("-f", "lavfi", "-i", "testsrc2=size=64x64", "-frames:v", "1", str(cover))
    # A phone clip: HEVC Main with non-square pixels (SAR 4:3) at 29.97 fps, 5.1 audio at 48 kHz,
    # held upright (display matrix).
    upright = d / "phone_upright.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=240x180:rate=30000/1001",
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000", "-t", "2",
        "-c:v", "libx265", "-preset", "ultrafast", "-x265-params", "log-level=error",
        "-vf", "setsar=4/3", "-pix_fmt", "yuv420p", "-tag:v", "hvc1", "-c:a", "aac", "-ac", "6",
        str(upright),
    )  # fmt: skip
    phone = d / "phone.mp4"
    _ffmpeg("-display_rotation", "-90", "-i", str(upright), "-c", "copy", str(phone))
    # An ISO file (isom brand) with sound and cover art: FFmpeg shows the cover as a one-picture
    # video stream, which is not a video track.
    audio_only = d / "voice_memo.mp4"
    _ffmpeg(
        "-f", "lavfi", "-i", "sine=frequency=440:sample_rate=44100", "-i", str(cover), "-t", "2",
        "-map", "0:a", "-map", "1:v", "-c:a", "aac", "-c:v", "mjpeg", "-disposition:v", "attached_pic",
        str(audio_only),
    )  # fmt: skip
    live = d / "recorded_in_browser.webm"  # written as it streams: no duration in the header
    _ffmpeg(
        "-f", "lavfi", "-i", "testsrc2=size=320x240:rate=25", "-t", "3",
        "-c:v", "libvpx-vp9", "-deadline", "realtime", "-cpu-used", "8", "-live", "1", "-f", "webm",
        str(live),
    )  # fmt: skip
    unknown_codec = d / "unknown_codec.avi"  # an AVI whose video is tagged with a made-up FourCC
    _ffmpeg("-i", str(silent), "-c", "copy", str(d / "silent.avi"))
    unknown_codec.write_bytes((d / "silent.avi").read_bytes().replace(b"avc1", b"qqqq"))
    # Headers that pass the sniff and the structural checks but that FFmpeg cannot read.
    bad_ebml = d / "bad_header.mkv"  # EBML header whose DocType runs past its parent element
    bad_ebml.write_bytes(b"\x1a\x45\xdf\xa3\x8a\x42\x82\x88matroskX" + bytes(300))
    bad_ts = d / "noise.ts"  # MPEG-TS sync bytes around noise
    bad_ts.write_bytes((b"\x47" + bytes(range(187))) * 20)
    return {
        "small": small, "silent": silent, "rotated": rotated, "webm": webm, "png": png,
        "empty": empty, "text": text, "cut": cut, "cut_plain": cut_plain, "webm_cut": webm_cut,
        "phone": phone, "audio_only": audio_only, "live": live, "unknown_codec": unknown_codec,
        "bad_ebml": bad_ebml, "bad_ts": bad_ts,
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


def test_a_limit_names_its_reason_code_and_numbers_for_the_apps(clips: dict[str, Path]) -> None:
    """What a job row stores: a stable code with the numbers (the apps show it in it/en)."""
    with pytest.raises(InvalidInputError) as too_long:
        probe(clips["small"], limits=Limits(max_duration_s=2.0))
    code, params = decode_reason(too_long.value.job_reason)
    assert code == "video_too_long" and params["max_duration"] == "0 min 02 s"
    with pytest.raises(InvalidInputError) as too_high:
        probe(clips["small"], limits=Limits(max_width=160, max_height=160))
    code, params = decode_reason(too_high.value.job_reason)
    assert code == "resolution_too_high" and (params["max_width"], params["max_height"]) == ("160", "160")
    assert int(params["width"]) > 160


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
    assert info.value.reason_code == "not_a_video"  # what the workers store; the apps show it in it/en


def test_probe_reads_profile_pixel_aspect_rotation_and_surround_audio(clips: dict[str, Path]) -> None:
    result = probe(clips["phone"])
    assert result.container == "mp4"
    assert result.format_name == "mov,mp4,m4a,3gp,3g2,mj2"
    assert (result.video_codec, result.video_profile) == ("hevc", "Main")
    assert result.pix_fmt == "yuv420p"
    assert (result.coded_width, result.coded_height) == (240, 180)
    assert result.rotation == 90
    assert (result.width, result.height) == (180, 320)  # SAR 4:3 widens 240 to 320, then turns
    assert result.fps == pytest.approx(29.97)
    assert result.duration_s == pytest.approx(2.0, abs=0.1)
    assert (result.audio_codec, result.audio_sample_rate, result.audio_channels) == ("aac", 48000, 6)


def test_probe_of_sound_with_cover_art_says_it_has_no_video_track(clips: dict[str, Path]) -> None:
    with pytest.raises(InvalidInputError) as info:
        probe(clips["audio_only"])
    assert str(info.value) == "This file has no video track (it looks like audio only)"


def test_probe_measures_the_duration_a_live_recorded_webm_does_not_declare(clips: dict[str, Path]) -> None:
    result = probe(clips["live"])
    assert result.container == "webm"
    assert result.duration_s == pytest.approx(3.0, abs=0.1)


@pytest.mark.parametrize(
    ("clip", "message"),
    [
        ("bad_ebml", "The video file is truncated or corrupt: the WebM/Matroska header is damaged"),
        ("bad_ts", "The video file is truncated or corrupt: Invalid data found when processing input"),
        ("unknown_codec", "This video's codec is not supported (FFmpeg has no decoder for it)"),
    ],
)
def test_probe_says_why_ffmpeg_cannot_read_a_file(clips: dict[str, Path], clip: str, message: str) -> None:
    with pytest.raises(InvalidInputError) as info:
        probe(clips[clip])
    assert str(info.value) == message


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
