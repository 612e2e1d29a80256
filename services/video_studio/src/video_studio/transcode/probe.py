"""Probe an uploaded file: is it a video we accept, and what is in it.

Three steps, every rejection an InvalidInputError with a message meant for an instructor:
(1) a magic-bytes sniff of the first bytes, (2) a structural check for truncation where the
container makes it cheap (ISO-BMFF top-level boxes, the Matroska/WebM Segment size), (3) FFmpeg's
own demuxers and decoders, in-process through PyAV (`av`, which ships FFmpeg's libraries): the
streams, codecs, profile, pixel format, sample aspect ratio, frame rate, audio, bit rate and
duration as FFmpeg reads them, the rotation from the first decoded picture, and - for files whose
header declares no duration (browser MediaRecorder WebM) - the duration from the timestamps of
every video packet (demuxed, not decoded).

Where PyAV fits worse, ours stays:
- The sniff: FFmpeg opens a PNG, a JPEG or a GIF as a one-picture "video", and says nothing
  helpful about a PDF or a ZIP; the sniff refuses those and names what the file looks like.
- The truncation checks: FFmpeg opens an MP4 whose media data were cut off (the index is at the
  front) and a WebM missing its tail without complaint, and fails later, mid-transcode; the
  checks say "the upload was probably cut short" before any work starts.
- Rotation: PyAV does not expose a stream's display matrix, only a decoded picture's, so the
  probe decodes the first picture (which also proves the track decodes at all).
- FFmpeg's log lines say more than its error codes ("EBML header parsing failed" is only
  "Invalid data found when processing input"): they are captured while opening the file.
The legacy `rotate` metadata tag is not read: no FFmpeg since 5.0 exports it (the demuxers turn
the track matrix into the display matrix read here), and the bundled ffmpeg that transcodes
would not honour it, so reporting it would make the probe disagree with the output.
"""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from dataclasses import asdict, dataclass
from fractions import Fraction
from typing import Any

import av
import av.logging
from av.container import InputContainer
from av.stream import Disposition, Stream
from av.video.stream import VideoStream

from video_studio.errors import CorruptVideoError, EmptyFileError, InvalidInputError, NotAVideoError
from video_studio.transcode.ffmpeg import input_url

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
            raise NotAVideoError("This is not a video file (looks like HEIC/AVIF image)")
        if brand in _ISO_AUDIO_BRANDS:
            raise NotAVideoError("This is not a video file (looks like M4A audio)")
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
            raise NotAVideoError("This is not a video file (looks like WAV audio)")
        if kind == b"WEBP":
            raise NotAVideoError("This is not a video file (looks like WEBP image)")
        raise NotAVideoError("This is not a video file (unrecognised RIFF file)")
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
            raise NotAVideoError(f"This is not a video file (looks like {what})")
    if head.startswith(b"\xff") and len(head) > 1 and head[1] & 0xE0 == 0xE0:
        raise NotAVideoError("This is not a video file (looks like MP3 audio)")
    if _looks_like_text(head):
        raise NotAVideoError("This is not a video file (looks like a text file)")
    raise NotAVideoError("This is not a video file (unrecognised format)")


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
                raise CorruptVideoError("The video file is truncated or corrupt: it ends inside a box header")
            box_size = int.from_bytes(header[0:4], "big")
            box_type = header[4:8].decode("latin-1")
            if box_size == 1:
                if len(header) < 16:
                    raise CorruptVideoError(
                        "The video file is truncated or corrupt: it ends inside a box header"
                    )
                box_size = int.from_bytes(header[8:16], "big")
            elif box_size == 0:  # box extends to end of file
                box_size = size - offset
            if box_size < 8:
                raise CorruptVideoError(
                    f"The video file is truncated or corrupt: invalid box at byte {offset}"
                )
            if offset + box_size > size:
                missing = offset + box_size - size
                raise CorruptVideoError(
                    "The video file is truncated or corrupt: it ends inside the "
                    f"'{box_type.strip()}' box ({missing} bytes missing) - the upload was "
                    "probably cut short"
                )
            seen.append(box_type)
            offset += box_size
    if "moov" not in seen:
        raise CorruptVideoError(
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
        raise CorruptVideoError(
            "The video file is truncated or corrupt: the WebM/Matroska header is incomplete"
        ) from None
    end = pos + id_len + size_len + segment_size
    if not unknown and end > size:
        raise CorruptVideoError(
            "The video file is truncated or corrupt: "
            f"{end - size} bytes are missing at the end - the upload was probably cut short"
        )


# --- what FFmpeg reads (PyAV) ---------------------------------------------------------------

CORRUPT = "The video file is truncated or corrupt: "
# FFmpeg log lines that say more than the error code that follows them.
_KNOWN_FAILURES = (
    ("moov atom not found", "its index (moov box) is missing - the recording or the upload did not finish"),
    ("ebml header parsing failed", "the WebM/Matroska header is damaged"),
)


@contextlib.contextmanager
def _ffmpeg_errors() -> Iterator[list[tuple[int, str, str]]]:
    """FFmpeg's error lines logged by this thread meanwhile (PyAV logs nothing by default)."""
    previous = av.logging.get_level()
    av.logging.set_level(av.logging.ERROR)
    try:
        with av.logging.Capture(local=True) as logs:
            yield logs
    finally:
        av.logging.set_level(previous)


def _failure_reason(logs: list[tuple[int, str, str]], error: av.FFmpegError) -> str:
    said = " ".join(message for _, _, message in logs).lower()
    for needle, reason in _KNOWN_FAILURES:
        if needle in said:
            return reason
    return str(error.strerror or "FFmpeg cannot read it")


def _open(path: str) -> InputContainer:
    with _ffmpeg_errors() as logs:
        try:
            # Uploads are untrusted: a `file:` URL, and no protocol but the local file (no http,
            # no concat of other local files through a crafted playlist).
            return av.open(
                input_url(path),
                container_options={"protocol_whitelist": "file"},
                metadata_errors="replace",
            )
        except av.FFmpegError as exc:
            raise CorruptVideoError(CORRUPT + _failure_reason(logs, exc)) from None


def _is_cover_art(stream: Stream) -> bool:
    return bool(stream.disposition & Disposition.attached_pic)


def _rate(value: Fraction | None) -> float | None:
    if value is None or not 0 < value <= 1000:
        return None
    return round(float(value), 3)


def _even(value: float) -> int:
    return max(2, round(value / 2.0) * 2)


@dataclass
class _Timeline:
    """The first decoded picture's rotation and, when asked, the span of the packet timestamps."""

    rotation: int = 0
    decoded: bool = False
    first_pts: int | None = None
    end_pts: int | None = None

    def add(self, pts: int, end: int) -> None:
        self.first_pts = pts if self.first_pts is None else min(self.first_pts, pts)
        self.end_pts = end if self.end_pts is None else max(self.end_pts, end)

    def seconds(self, stream: VideoStream) -> float | None:
        if self.first_pts is None or self.end_pts is None or stream.time_base is None:
            return None
        span = round(float((self.end_pts - self.first_pts) * stream.time_base), 3)
        return span if span > 0 else None


def _read_video(container: InputContainer, stream: VideoStream, *, measure: bool) -> _Timeline:
    """Decode the first picture (its rotation); with `measure`, go on demuxing (not decoding) to
    the last video packet for the duration a header did not declare."""
    timeline = _Timeline()
    with _ffmpeg_errors() as logs:
        try:
            for packet in container.demux(stream):
                if packet.pts is not None:
                    timeline.add(packet.pts, packet.pts + (packet.duration or 0))
                if not timeline.decoded:
                    for frame in packet.decode():
                        # FFmpeg's angle is counter-clockwise; ours is the clockwise turn a player makes.
                        timeline.rotation = round(-frame.rotation / 90.0) * 90 % 360
                        timeline.decoded = True
                        break
                if timeline.decoded and not measure:
                    break
        except av.FFmpegError as exc:
            raise CorruptVideoError(
                CORRUPT + f"its pictures cannot be decoded ({_failure_reason(logs, exc)})"
            ) from None
    if not timeline.decoded:
        raise CorruptVideoError(CORRUPT + "its video track holds no picture")
    return timeline


def _read_streams(path: str) -> dict[str, Any]:
    """What FFmpeg reads from `path`: the fields of ProbeResult after `container`. Raises
    InvalidInputError when FFmpeg cannot read it or it has no video track."""
    with _open(path) as container:
        videos = [s for s in container.streams.video if not _is_cover_art(s)]
        audios = list(container.streams.audio)
        if not videos:
            if audios:
                raise InvalidInputError(
                    "This file has no video track (it looks like audio only)", reason_code="no_video_track"
                )
            raise InvalidInputError("This file has no video track", reason_code="no_video_track")
        video = videos[0]
        if video.codec_context is None:
            raise InvalidInputError(
                "This video's codec is not supported (FFmpeg has no decoder for it)",
                reason_code="unsupported_codec",
            )
        coded_w, coded_h = video.codec_context.width, video.codec_context.height
        if coded_w <= 0 or coded_h <= 0:
            raise CorruptVideoError(CORRUPT + "the picture size is unknown")
        declared = round(container.duration / av.time_base, 3) if container.duration else None
        timeline = _read_video(container, video, measure=declared is None)
        duration = declared if declared is not None else timeline.seconds(video)

        sar = video.sample_aspect_ratio
        width = _even(coded_w * float(sar)) if sar and sar > 0 and sar != 1 else coded_w
        height = coded_h
        if timeline.rotation in (90, 270):
            width, height = height, width

        audio = audios[0].codec_context if audios and audios[0].codec_context is not None else None
        bit_rate = container.bit_rate
        return {
            "format_name": container.format.name,
            "video_codec": video.codec_context.codec.canonical_name,
            "video_profile": video.codec_context.profile,
            "pix_fmt": video.codec_context.pix_fmt,
            "coded_width": coded_w,
            "coded_height": coded_h,
            "width": width,
            "height": height,
            "rotation": timeline.rotation,
            "duration_s": duration,
            "fps": _rate(video.average_rate) or _rate(video.base_rate),
            "bitrate_kbps": bit_rate // 1000 if bit_rate and bit_rate > 0 else None,
            "audio_codec": audio.codec.canonical_name if audio is not None else None,
            "audio_sample_rate": (audio.sample_rate or None) if audio is not None else None,
            "audio_channels": (audio.channels or None) if audio is not None else None,
        }


def _format_duration(seconds: float) -> str:
    seconds = round(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours} h {minutes:02d} min" if hours else f"{minutes} min {secs:02d} s"


def format_bytes(count: int) -> str:
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
        raise EmptyFileError("The file is empty")
    if size > limits.max_bytes:
        raise InvalidInputError(
            f"The file is too large ({format_bytes(size)}; the limit is {format_bytes(limits.max_bytes)})",
            reason_code="file_too_large",
            size=format_bytes(size),
            max_size=format_bytes(limits.max_bytes),
        )
    with open(path, "rb") as fh:
        head = fh.read(4096)
    container = sniff_container(head)
    if container in ("mp4", "mov", "3gp"):
        _check_iso_bmff(path, size)
    elif container in ("webm", "matroska"):
        _check_ebml(path, size)

    info = _read_streams(path)
    if info["duration_s"] is None or info["duration_s"] <= 0:
        raise CorruptVideoError(CORRUPT + "its duration cannot be determined")
    result = ProbeResult(path=path, size_bytes=size, container=container, **info)
    check_limits(result, limits)
    return result


def check_limits(result: ProbeResult, limits: Limits) -> None:
    if result.duration_s > limits.max_duration_s:
        raise InvalidInputError(
            f"The video is too long ({_format_duration(result.duration_s)}; "
            f"the limit is {_format_duration(limits.max_duration_s)})",
            reason_code="video_too_long",
            duration=_format_duration(result.duration_s),
            max_duration=_format_duration(limits.max_duration_s),
        )
    if result.duration_s < limits.min_duration_s:
        raise InvalidInputError(
            f"The video is too short ({result.duration_s:.2f} s; "
            f"at least {limits.min_duration_s:g} s is needed)",
            reason_code="video_too_short",
            seconds=round(result.duration_s, 2),
            min_seconds=limits.min_duration_s,
        )
    w, h = result.width, result.height
    fits = (w <= limits.max_width and h <= limits.max_height) or (
        w <= limits.max_height and h <= limits.max_width
    )
    if not fits:
        raise InvalidInputError(
            f"The video resolution is too high ({w}x{h}; "
            f"the limit is {limits.max_width}x{limits.max_height})",
            reason_code="resolution_too_high",
            width=w,
            height=h,
            max_width=limits.max_width,
            max_height=limits.max_height,
        )
    if min(w, h) < limits.min_side:
        raise InvalidInputError(
            f"The video picture is too small ({w}x{h})",
            reason_code="resolution_too_low",
            width=w,
            height=h,
            min_side=limits.min_side,
        )
