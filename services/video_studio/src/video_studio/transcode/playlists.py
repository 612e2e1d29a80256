"""Reading and writing the small HLS text files we produce (VOD media playlists, one master)."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from video_studio.hls_master import parse_attributes as parse_attributes  # its readers import it from here


@dataclass(frozen=True)
class MediaPlaylist:
    target_duration: int | None
    segments: tuple[tuple[str, float], ...]  # (uri, EXTINF duration)
    ended: bool  # has #EXT-X-ENDLIST
    playlist_type: str | None


@dataclass(frozen=True)
class MasterEntry:
    attributes: dict[str, str]
    uri: str


def parse_media_playlist(text: str) -> MediaPlaylist:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError("not an M3U8 playlist")
    target: int | None = None
    kind: str | None = None
    segments: list[tuple[str, float]] = []
    pending: float | None = None
    for line in lines[1:]:
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-PLAYLIST-TYPE:"):
            kind = line.split(":", 1)[1]
        elif line.startswith("#EXTINF:"):
            pending = float(line.split(":", 1)[1].split(",", 1)[0])
        elif not line.startswith("#"):
            if pending is None:
                raise ValueError(f"segment {line!r} without #EXTINF")
            segments.append((line, pending))
            pending = None
    return MediaPlaylist(
        target_duration=target,
        segments=tuple(segments),
        ended="#EXT-X-ENDLIST" in lines,
        playlist_type=kind,
    )


def parse_master_playlist(text: str) -> list[MasterEntry]:
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError("not an M3U8 playlist")
    entries: list[MasterEntry] = []
    pending: dict[str, str] | None = None
    for line in lines[1:]:
        if line.startswith("#EXT-X-STREAM-INF:"):
            pending = parse_attributes(line.split(":", 1)[1])
        elif not line.startswith("#") and pending is not None:
            entries.append(MasterEntry(attributes=pending, uri=line))
            pending = None
    return entries


@dataclass(frozen=True)
class VariantEntry:
    uri: str
    bandwidth: int
    average_bandwidth: int
    width: int
    height: int
    codecs: str
    frame_rate: float | None


def render_master_playlist(variants: list[VariantEntry]) -> str:
    out = ["#EXTM3U", "#EXT-X-VERSION:3", "#EXT-X-INDEPENDENT-SEGMENTS"]
    for v in variants:
        attrs = [
            f"BANDWIDTH={v.bandwidth}",
            f"AVERAGE-BANDWIDTH={v.average_bandwidth}",
            f"RESOLUTION={v.width}x{v.height}",
        ]
        if v.frame_rate:
            attrs.append(f"FRAME-RATE={v.frame_rate:.3f}")
        attrs.append(f'CODECS="{v.codecs}"')
        out += ["#EXT-X-STREAM-INF:" + ",".join(attrs), v.uri]
    return "\n".join(out) + "\n"


def write_text_atomic(path: Path, text: str) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


_H264_PROFILES = {66, 77, 88, 100, 110, 122, 244}


def h264_codec_string(segment: bytes) -> str | None:
    """`avc1.PPCCLL` from the first H.264 SPS found in a transport-stream segment."""
    start = 0
    while True:
        pos = segment.find(b"\x00\x00\x01", start)
        if pos < 0 or pos + 7 > len(segment):
            return None
        header = segment[pos + 3]
        if header & 0x1F == 7 and not header & 0x80:
            profile, constraints, level = segment[pos + 4], segment[pos + 5], segment[pos + 6]
            if profile in _H264_PROFILES and 9 <= level <= 62:
                return f"avc1.{profile:02x}{constraints:02x}{level:02x}"
        start = pos + 3
