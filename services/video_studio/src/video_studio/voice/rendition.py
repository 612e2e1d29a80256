"""An extra audio rendition of an HLS video: the dub as AAC segments with its own media playlist,
announced in the existing master playlist as `#EXT-X-MEDIA:TYPE=AUDIO` (LANGUAGE, NAME) in the
group every variant names with `AUDIO=`. The variants keep their own muxed audio, declared as the
group's default rendition without a URI (RFC 8216 4.3.4.1: it is in the variant itself), so a
player that ignores alternate audio plays exactly what it played before."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from video_studio.hls_master import with_audio_rendition
from video_studio.transcode.ffmpeg import SAFE_INPUT_OPTIONS, input_url, run_ffmpeg
from video_studio.transcode.playlists import write_text_atomic

SEGMENT_SECONDS: Final = 6


def package_audio(audio: Path, out_dir: Path, *, bitrate_kbps: int = 128) -> Path:
    """`audio` -> out_dir/index.m3u8 + AAC-LC (48 kHz stereo) MPEG-TS segments, VOD."""
    out_dir.mkdir(parents=True, exist_ok=True)
    playlist = out_dir / "index.m3u8"
    run_ffmpeg(
        [*SAFE_INPUT_OPTIONS, "-i", input_url(audio), "-vn", "-c:a", "aac", "-profile:a", "aac_low",
         "-ac", "2", "-ar", "48000", "-b:a", f"{bitrate_kbps}k", "-f", "hls",
         "-hls_time", str(SEGMENT_SECONDS), "-hls_playlist_type", "vod",
         "-hls_segment_filename", str(out_dir / "seg_%05d.ts"), "-y", str(playlist)],
        timeout_s=1800,
    )  # fmt: skip
    return playlist


def add_audio_rendition(
    master: Path,
    playlist: Path,
    *,
    language: str,
    name: str | None = None,
    original_language: str | None = None,
) -> str:
    """Announce `playlist` (inside master's folder) in `master`; idempotent: a rendition of the same
    language is replaced. Returns the new master text (also written, atomically)."""
    relative = playlist.resolve().relative_to(master.parent.resolve()).as_posix()
    text = with_audio_rendition(
        master.read_text(encoding="utf-8"),
        relative,
        language=language,
        name=name,
        original_language=original_language,
        source=master.name,
    )
    write_text_atomic(master, text)
    return text
