"""Probe an uploaded file: is it a video we accept, and what is in it.

There is no ffprobe in imageio-ffmpeg, so probing is (1) a magic-bytes sniff of the first bytes,
(2) a structural check for truncation where the container makes it cheap (ISO-BMFF top-level
boxes, the Matroska/WebM Segment size), and (3) parsing what `ffmpeg -hide_banner -i FILE`
prints on stderr. Every rejection raises InvalidInputError with a message meant for an instructor.
"""

from __future__ import annotations

import math
import os
import re
import subprocess
from dataclasses import asdict, dataclass
from typing import Any

from video_studio.errors import InvalidInputError
from video_studio.transcode.ffmpeg import SAFE_INPUT_OPTIONS, ffmpeg_exe, input_url

GIB = 1024**3


@dataclass(frozen=True)
class Limits:
    """What an upload may be. Dimensions are checked in either orientation (portrait 2160x3840
    passes a 4096x4096 limit, so does landscape)."""

    max_bytes: int = 4 * GIB
    max_duration_s: float = 4 * 3600.0
    min_duration_s: float = 0.5
    max_width: int = 4096
    max_height: int = 4096
    min_side: int = 32


DEFAULT_LIMITS = Limits()


@dataclass(frozen=True)
class ProbeResult:
    path: str
    size_bytes: int
    container: str  # from the magic bytes: mp4, mov, 3gp, webm, matroska, avi, mpegts, ...
    format_name: str  # ffmpeg's demuxer name list, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    video_codec: str  # ffmpeg codec name: h264, hevc, vp9, av1, mpeg4, ...
    video_profile: str | None
    pix_fmt: str | None
    coded_width: int  # as stored in the stream
    coded_height: int
    width: int  # as displayed: rotation and sample aspect ratio applied
    height: int
    rotation: int  # clockwise degrees a player turns the picture: 0, 90, 180 or 270
    duration_s: float
    fps: float | None
    bitrate_kbps: int | None  # overall, from the container header
    audio_codec: str | None  # None when the file has no audio track
    audio_sample_rate: int | None
    audio_channels: int | None

    @property
    def has_audio(self) -> bool:
        return self.audio_codec is not None

    @property
    def short_side(self) -> int:
        return min(self.width, self.height)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["has_audio"] = self.has_audio
        return data


# --- magic bytes --------------------------------------------------------------------------

_ISO_IMAGE_BRANDS = {b"heic", b"heix", b"heim", b"heis", b"mif1", b"msf1", b"avif", b"avis"}
_ISO_AUDIO_BRANDS = {b"M4A ", b"M4B ", b"M4P "}
_MOV_LEADING_BOXES = {b"moov", b"mdat", b"wide", b"free", b"skip", b"pnot"}

_NOT_VIDEO_SIGNATURES: tuple[tuple[int, bytes, str], ...] = (
    (0, b"\x89PNG\r\n\x1a\n", "PNG image"),
    (0, b"\xff\xd8\xff", "JPEG image"),
    (0, b"GIF87a", "GIF image"),
    (0, b"GIF89a", "GIF image"),
    (0, b"BM", "BMP image"),
    (0, b"II*\x00", "TIFF image"),
    (0, b"MM\x00*", "TIFF image"),
    (0, b"%PDF", "PDF document"),
    (0, b"PK\x03\x04", "ZIP archive or Office document"),
    (0, b"\x1f\x8b", "gzip archive"),
    (0, b"Rar!", "RAR archive"),
    (0, b"7z\xbc\xaf\x27\x1c", "7-Zip archive"),
    (0, b"ID3", "MP3 audio"),
    (0, b"fLaC", "FLAC audio"),
    (0, b"\x7fELF", "program"),
    (0, b"MZ", "Windows program"),
    (0, b"#EXTM3U", "playlist (text)"),
)


def sniff_container(head: bytes) -> str:
    """Container name from the first bytes, or raise InvalidInputError naming what it looks like."""
    if len(head) >= 12 and head[4:8] == b"ftyp":
        brand = head[8:12]
        if brand in _ISO_IMAGE_BRANDS:
            raise InvalidInputError("This is not a video file (looks like HEIC/AVIF image)")
        if brand in _ISO_AUDIO_BRANDS:
            raise InvalidInputError("This is not a video file (looks like M4A audio)")
        if brand == b"qt  ":
            return "mov"
        if brand.startswith(b"3g"):
            return "3gp"
        return "mp4"
    if len(head) >= 8 and head[4:8] in _MOV_LEADING_BOXES:
        return "mov"
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm" if b"webm" in head[:64] else "matroska"
    if head.startswith(b"RIFF") and len(head) >= 12:
        kind = head[8:12]
        if kind == b"AVI ":
            return "avi"
        if kind == b"WAVE":
            raise InvalidInputError("This is not a video file (looks like WAV audio)")
        if kind == b"WEBP":
            raise InvalidInputError("This is not a video file (looks like WEBP image)")
        raise InvalidInputError("This is not a video file (unrecognised RIFF file)")
    if _ts_sync(head, 0, 188) or _ts_sync(head, 4, 192):
        return "mpegts"
    if head.startswith(b"\x00\x00\x01\xba"):
        return "mpeg-ps"
    if head.startswith(b"FLV\x01"):
        return "flv"
    if head.startswith(b"\x30\x26\xb2\x75\x8e\x66\xcf\x11"):
        return "asf"
    if head.startswith(b"OggS"):
        return "ogg"
    for offset, magic, what in _NOT_VIDEO_SIGNATURES:
        if head[offset : offset + len(magic)] == magic:
            raise InvalidInputError(f"This is not a video file (looks like {what})")
    if head.startswith(b"\xff") and len(head) > 1 and head[1] & 0xE0 == 0xE0:
        raise InvalidInputError("This is not a video file (looks like MP3 audio)")
    if _looks_like_text(head):
        raise InvalidInputError("This is not a video file (looks like a text file)")
    raise InvalidInputError("This is not a video file (unrecognised format)")


def _ts_sync(head: bytes, start: int, stride: int) -> bool:
    """MPEG-TS: a 0x47 sync byte every `stride` bytes (188; 192 for M2TS with a 4-byte prefix)."""
    positions = [p for p in (start, start + stride, start + 2 * stride) if p < len(head)]
    return len(positions) >= 2 and all(head[p] == 0x47 for p in positions)


def _looks_like_text(head: bytes) -> bool:
    try:
        text = head.decode("utf-8")
    except UnicodeDecodeError:
        # The sniff window may cut a multi-byte character: retry without the last 3 bytes.
        try:
            text = head[:-3].decode("utf-8")
        except UnicodeDecodeError:
            return False
    if not text:
        return False
    printable = sum(ch.isprintable() or ch in "\r\n\t" for ch in text)
    return printable / len(text) > 0.95


# --- structural truncation checks ----------------------------------------------------------


def _check_iso_bmff(path: str, size: int) -> None:
    """Walk the top-level boxes: a box running past the end of the file means the upload was cut."""
    offset = 0
    seen: list[str] = []
    with open(path, "rb") as fh:
        while offset < size:
            fh.seek(offset)
            header = fh.read(16)
            if len(header) < 8:
                raise InvalidInputError("The video file is truncated or corrupt: it ends inside a box header")
            box_size = int.from_bytes(header[0:4], "big")
            box_type = header[4:8].decode("latin-1")
            if box_size == 1:
                if len(header) < 16:
                    raise InvalidInputError(
                        "The video file is truncated or corrupt: it ends inside a box header"
                    )
                box_size = int.from_bytes(header[8:16], "big")
            elif box_size == 0:  # box extends to end of file
                box_size = size - offset
            if box_size < 8:
                raise InvalidInputError(
                    f"The video file is truncated or corrupt: invalid box at byte {offset}"
                )
            if offset + box_size > size:
                missing = offset + box_size - size
                raise InvalidInputError(
                    "The video file is truncated or corrupt: it ends inside the "
                    f"'{box_type.strip()}' box ({missing} bytes missing) - the upload was "
                    "probably cut short"
                )
            seen.append(box_type)
            offset += box_size
    if "moov" not in seen:
        raise InvalidInputError(
            "The video file is truncated or corrupt: its index (moov box) is missing - "
            "the recording or the upload did not finish"
        )


def _read_vint(data: bytes, pos: int, *, keep_marker: bool) -> tuple[int, int, bool]:
    """EBML variable-size integer at `pos`: (value, length, all_ones)."""
    if pos >= len(data):
        raise IndexError(pos)
    first = data[pos]
    length = 1
    mask = 0x80
    while length <= 8 and not first & mask:
        mask >>= 1
        length += 1
    if length > 8 or pos + length > len(data):
        raise IndexError(pos)
    value = first if keep_marker else first & (mask - 1)
    all_ones = (first & (mask - 1)) == mask - 1
    for byte in data[pos + 1 : pos + length]:
        value = (value << 8) | byte
        all_ones = all_ones and byte == 0xFF
    return value, length, all_ones


def _check_ebml(path: str, size: int) -> None:
    """Matroska/WebM: the Segment element declares its size (unless recorded live: unknown)."""
    with open(path, "rb") as fh:
        data = fh.read(4096)
    try:
        _, id_len, _ = _read_vint(data, 0, keep_marker=True)
        header_size, size_len, _ = _read_vint(data, id_len, keep_marker=False)
        pos = id_len + size_len + header_size
        segment_id, id_len, _ = _read_vint(data, pos, keep_marker=True)
        if segment_id != 0x18538067:
            return
        segment_size, size_len, unknown = _read_vint(data, pos + id_len, keep_marker=False)
    except IndexError:
        raise InvalidInputError(
            "The video file is truncated or corrupt: the WebM/Matroska header is incomplete"
        ) from None
    end = pos + id_len + size_len + segment_size
    if not unknown and end > size:
        raise InvalidInputError(
            "The video file is truncated or corrupt: "
            f"{end - size} bytes are missing at the end - the upload was probably cut short"
        )


# --- ffmpeg stderr parsing ------------------------------------------------------------------

_INPUT_RE = re.compile(r"^Input #0, (?P<fmt>.+?), from ", re.MULTILINE)
_DURATION_RE = re.compile(
    r"Duration: (?:(?P<h>\d+):(?P<m>\d\d):(?P<s>\d\d(?:\.\d+)?)|N/A)"
    r"(?:, start: [-\d.]+)?(?:, bitrate: (?:(?P<br>\d+) kb/s|N/A))?"
)
_STREAM_RE = re.compile(
    r"^(?P<indent>\s*)Stream #0:(?P<index>\d+)(?:\[[^\]]*\])?(?:\([^)]*\))?: "
    r"(?P<kind>Video|Audio|Subtitle|Data|Attachment): (?P<rest>.*)$"
)
_ROTATION_RES = (
    # ffmpeg >= 5: display matrix side data; the angle is counter-clockwise.
    (re.compile(r"(?i)display ?matrix: rotation of (?P<deg>-?[\d.]+) degrees"), -1.0),
    # older muxers/ffmpeg: the legacy clockwise `rotate` tag.
    (re.compile(r"^\s*rotate\s*:\s*(?P<deg>-?[\d.]+)\s*$", re.MULTILINE), 1.0),
)
_CHANNELS = {"mono": 1, "stereo": 2, "2.1": 3, "quad": 4, "4.0": 4, "5.0": 5, "5.1": 6, "6.1": 7}


@dataclass
class _Stream:
    kind: str
    fields: list[str]
    block: str
    attached_pic: bool


def split_top_level(text: str) -> list[str]:
    """Split ffmpeg's stream description on commas that are not inside parentheses/brackets."""
    parts: list[str] = []
    depth = 0
    current: list[str] = []
    for ch in text:
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        if ch == "," and depth == 0:
            parts.append("".join(current).strip())
            current = []
        else:
            current.append(ch)
    parts.append("".join(current).strip())
    return [p for p in parts if p]


def _parse_streams(stderr: str) -> list[_Stream]:
    lines = stderr.splitlines()
    streams: list[_Stream] = []
    i = 0
    while i < len(lines):
        match = _STREAM_RE.match(lines[i])
        if not match:
            i += 1
            continue
        indent = len(match["indent"])
        block = [lines[i]]
        i += 1
        # The stream's metadata / side data lines are indented deeper than the Stream line.
        while i < len(lines):
            line = lines[i]
            stripped = len(line) - len(line.lstrip())
            if not line.strip() or stripped <= indent:
                break
            block.append(line)
            i += 1
        rest = match["rest"]
        streams.append(
            _Stream(
                kind=match["kind"],
                fields=split_top_level(rest),
                block="\n".join(block),
                attached_pic="(attached pic)" in rest,
            )
        )
    return streams


def _number(text: str) -> float | None:
    text = text.strip()
    scale = 1.0
    if text.endswith("k"):
        scale, text = 1000.0, text[:-1]
    try:
        value = float(text) * scale
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def _codec_and_profile(first_field: str) -> tuple[str, str | None]:
    codec = first_field.split()[0] if first_field.split() else "unknown"
    profile_match = re.match(r"\S+\s+\(([^)]*)\)", first_field)
    profile = profile_match.group(1) if profile_match else None
    if profile and "/" in profile:  # "(avc1 / 0x31637661)" is a tag, not a profile
        profile = None
    return codec, profile


def _dimensions(fields: list[str]) -> tuple[int, int, float]:
    """(width, height, sample aspect ratio) from the stream fields."""
    for field in fields:
        match = re.match(r"^(\d+)x(\d+)(?:\s|$)", field)
        if match:
            sar = 1.0
            sar_match = re.search(r"SAR (\d+):(\d+)", field)
            if sar_match and int(sar_match[1]) > 0 and int(sar_match[2]) > 0:
                sar = int(sar_match[1]) / int(sar_match[2])
            return int(match[1]), int(match[2]), sar
    raise InvalidInputError("The video file is truncated or corrupt: the picture size is unknown")


def _sar_field(fields: list[str]) -> float | None:
    for field in fields:  # webm prints "SAR 1:1 DAR 4:3" as its own field
        sar_match = re.match(r"^SAR (\d+):(\d+)", field)
        if sar_match and int(sar_match[1]) > 0 and int(sar_match[2]) > 0:
            return int(sar_match[1]) / int(sar_match[2])
    return None


def _fps(fields: list[str]) -> float | None:
    for suffix in (" fps", " tbr"):
        for field in fields:
            if field.endswith(suffix):
                value = _number(field[: -len(suffix)])
                if value and 0 < value <= 1000:
                    return round(value, 3)
    return None


def _rotation(block: str) -> int:
    for pattern, sign in _ROTATION_RES:
        match = pattern.search(block)
        if match:
            degrees = float(match["deg"]) * sign
            return round(degrees / 90.0) * 90 % 360
    return 0


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


def _ffmpeg_failure_reason(stderr: str) -> str:
    lowered = stderr.lower()
    if "moov atom not found" in lowered:
        return "its index (moov box) is missing - the recording or the upload did not finish"
    if "ebml header parsing failed" in lowered:
        return "the WebM/Matroska header is damaged"
    for line in reversed(stderr.splitlines()):
        text = re.sub(r"^\[[^\]]*\]\s*", "", line.strip())
        if not text or text.startswith(("At least one output", "Error opening input file")):
            continue
        if "error" in text.lower() or "invalid" in text.lower():
            return text.removeprefix("Error opening input files: ").removeprefix("Error opening input: ")
    return "ffmpeg cannot read it"


def _measure_duration(path: str) -> float | None:
    """Duration by reading every video packet (no decoding), for files whose header has none
    (e.g. browser MediaRecorder WebM)."""
    cmd = [
        ffmpeg_exe(), "-hide_banner", "-nostdin", "-nostats", "-progress", "pipe:1",
        *SAFE_INPUT_OPTIONS, "-i", input_url(path),
        "-map", "0:v:0", "-c", "copy", "-f", "null", "-",
    ]  # fmt: skip
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=600, check=False)
    except subprocess.TimeoutExpired:
        return None
    best = 0
    for line in done.stdout.decode("ascii", "replace").splitlines():
        key, _, value = line.partition("=")
        if key == "out_time_us" and value.strip().lstrip("-").isdigit():
            best = max(best, int(value))
    return best / 1e6 if best > 0 else None


def parse_ffmpeg_info(stderr: str) -> dict[str, Any]:
    """The parts of `ffmpeg -i` output probe() needs. Raises InvalidInputError when unreadable."""
    input_match = _INPUT_RE.search(stderr)
    if not input_match:
        raise InvalidInputError(f"The video file is truncated or corrupt: {_ffmpeg_failure_reason(stderr)}")
    streams = _parse_streams(stderr)
    videos = [s for s in streams if s.kind == "Video" and not s.attached_pic]
    audios = [s for s in streams if s.kind == "Audio"]
    if not videos:
        if audios:
            raise InvalidInputError("This file has no video track (it looks like audio only)")
        raise InvalidInputError("This file has no video track")
    video = videos[0]
    codec, profile = _codec_and_profile(video.fields[0])
    pix_fmt = video.fields[1].split("(")[0].strip() if len(video.fields) > 1 else None
    if pix_fmt and re.match(r"^\d+x\d+", pix_fmt):
        pix_fmt = None
    coded_w, coded_h, sar = _dimensions(video.fields)
    sar = _sar_field(video.fields) or sar
    rotation = _rotation(video.block)
    display_w = coded_w * sar if sar > 0 else float(coded_w)
    width, height = (_even(display_w) if sar != 1.0 else coded_w), coded_h
    if rotation in (90, 270):
        width, height = height, width

    duration: float | None = None
    bitrate: int | None = None
    duration_match = _DURATION_RE.search(stderr)
    if duration_match and duration_match["h"] is not None:
        duration = (
            int(duration_match["h"]) * 3600 + int(duration_match["m"]) * 60 + float(duration_match["s"])
        )
    if duration_match and duration_match["br"]:
        bitrate = int(duration_match["br"])

    audio_codec = sample_rate = channels = None
    if audios:
        audio_fields = audios[0].fields
        audio_codec = audio_fields[0].split()[0]
        for field in audio_fields[1:]:
            hz = re.match(r"^(\d+) Hz$", field)
            if hz:
                sample_rate = int(hz[1])
            elif field in _CHANNELS:
                channels = _CHANNELS[field]
            elif re.match(r"^\d+ channels", field):
                channels = int(field.split()[0])
            elif re.match(r"^\d+\.\d+(\(\w+\))?$", field):  # "7.1", "5.1(side)"
                main, _, lfe = field.split("(")[0].partition(".")
                channels = int(main) + int(lfe)
    return {
        "format_name": input_match["fmt"],
        "video_codec": codec,
        "video_profile": profile,
        "pix_fmt": pix_fmt,
        "coded_width": coded_w,
        "coded_height": coded_h,
        "width": width,
        "height": height,
        "rotation": rotation,
        "duration_s": duration,
        "fps": _fps(video.fields),
        "bitrate_kbps": bitrate,
        "audio_codec": audio_codec,
        "audio_sample_rate": sample_rate,
        "audio_channels": channels,
    }


def _format_duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def _format_bytes(count: int) -> str:
    value = float(count)
    for unit in ("bytes", "KB", "MB", "GB"):
        if value < 1024 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "bytes" else f"{value:.1f} {unit}"
        value /= 1024
    return f"{count} bytes"  # pragma: no cover


def probe(path: str | os.PathLike[str], *, limits: Limits = DEFAULT_LIMITS) -> ProbeResult:
    """Check that `path` is a video within `limits` and describe it. Raises InvalidInputError."""
    path = os.fspath(path)
    try:
        stat = os.stat(path)
    except FileNotFoundError:
        raise InvalidInputError("The file was not found") from None
    if not os.path.isfile(path):
        raise InvalidInputError("This is not a file")
    size = stat.st_size
    if size == 0:
        raise InvalidInputError("The file is empty")
    if size > limits.max_bytes:
        raise InvalidInputError(
            f"The file is too large ({_format_bytes(size)}; the limit is {_format_bytes(limits.max_bytes)})"
        )
    with open(path, "rb") as fh:
        head = fh.read(4096)
    container = sniff_container(head)
    if container in ("mp4", "mov", "3gp"):
        _check_iso_bmff(path, size)
    elif container in ("webm", "matroska"):
        _check_ebml(path, size)

    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin", *SAFE_INPUT_OPTIONS, "-i", input_url(path)]
    try:
        done = subprocess.run(cmd, capture_output=True, timeout=120, check=False)
    except subprocess.TimeoutExpired:
        raise InvalidInputError(
            "The video file is truncated or corrupt: reading its header took too long"
        ) from None
    info = parse_ffmpeg_info(done.stderr.decode("utf-8", "replace"))
    if info["duration_s"] is None or info["duration_s"] <= 0:
        info["duration_s"] = _measure_duration(path)
        if info["duration_s"] is None:
            raise InvalidInputError(
                "The video file is truncated or corrupt: its duration cannot be determined"
            )
    result = ProbeResult(path=path, size_bytes=size, container=container, **info)
    check_limits(result, limits)
    return result


def check_limits(result: ProbeResult, limits: Limits) -> None:
    if result.duration_s > limits.max_duration_s:
        raise InvalidInputError(
            f"The video is too long ({_format_duration(result.duration_s)}; "
            f"the limit is {_format_duration(limits.max_duration_s)})"
        )
    if result.duration_s < limits.min_duration_s:
        raise InvalidInputError(
            f"The video is too short ({result.duration_s:.2f} s; "
            f"at least {limits.min_duration_s:g} s is needed)"
        )
    w, h = result.width, result.height
    fits = (w <= limits.max_width and h <= limits.max_height) or (
        w <= limits.max_height and h <= limits.max_width
    )
    if not fits:
        raise InvalidInputError(
            f"The video resolution is too high ({w}x{h}; the limit is {limits.max_width}x{limits.max_height})"
        )
    if min(w, h) < limits.min_side:
        raise InvalidInputError(f"The video picture is too small ({w}x{h})")
