"""An extra audio rendition of an HLS video: the dub as AAC segments with its own media playlist,
announced in the existing master playlist as `#EXT-X-MEDIA:TYPE=AUDIO` (LANGUAGE, NAME) in the
group every variant names with `AUDIO=`. The variants keep their own muxed audio, declared as the
group's default rendition without a URI (RFC 8216 4.3.4.1: it is in the variant itself), so a
player that ignores alternate audio plays exactly what it played before."""

from __future__ import annotations

from pathlib import Path
from typing import Final

from video_studio.transcode.ffmpeg import SAFE_INPUT_OPTIONS, input_url, run_ffmpeg
from video_studio.transcode.playlists import parse_attributes, write_text_atomic

GROUP: Final = "aud"
SEGMENT_SECONDS: Final = 6
LANGUAGE_NAMES: Final = {
    "it": "Italiano",
    "en": "English",
    "ja": "日本語",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
}


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


def _media_line(language: str, name: str, *, uri: str | None, default: bool) -> str:
    attrs = [
        "TYPE=AUDIO", f'GROUP-ID="{GROUP}"', f'LANGUAGE="{language}"', f'NAME="{name}"',
        f"DEFAULT={'YES' if default else 'NO'}", "AUTOSELECT=YES",
    ]  # fmt: skip
    if uri is not None:
        attrs.append(f'URI="{uri}"')
    return "#EXT-X-MEDIA:" + ",".join(attrs)


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


def with_audio_rendition(
    master: str,
    uri: str,
    *,
    language: str,
    name: str | None = None,
    original_language: str | None = None,
    source: str = "master",
) -> str:
    """The master playlist text announcing the audio playlist at `uri` (relative to the master)
    in LANGUAGE; a rendition of the same language is replaced."""
    lines = [line.rstrip() for line in master.splitlines() if line.strip()]
    if not lines or lines[0] != "#EXTM3U":
        raise ValueError(f"{source} is not an M3U8 playlist")
    media = [line for line in lines if line.startswith("#EXT-X-MEDIA:")]
    kept = [
        line for line in media
        if not (parse_attributes(line.split(":", 1)[1]).get("LANGUAGE") == language
                and "URI" in parse_attributes(line.split(":", 1)[1]))
    ]  # fmt: skip
    audio = [line for line in kept if parse_attributes(line.split(":", 1)[1]).get("TYPE") == "AUDIO"]
    if not any("URI" not in parse_attributes(line.split(":", 1)[1]) for line in audio):
        original = original_language or "und"
        kept.insert(0, _media_line(original, LANGUAGE_NAMES.get(original, original), uri=None, default=True))
    kept.append(_media_line(language, name or LANGUAGE_NAMES.get(language, language), uri=uri, default=False))
    head = [line for line in lines[1:] if line.startswith(("#EXT-X-VERSION", "#EXT-X-INDEPENDENT"))]
    body: list[str] = []
    for line in lines[1:]:
        if line.startswith("#EXT-X-STREAM-INF:"):
            attrs = parse_attributes(line.split(":", 1)[1])
            if "AUDIO" not in attrs:
                line = f'{line},AUDIO="{GROUP}"'
            body.append(line)
        elif not line.startswith(("#EXT-X-MEDIA:", "#EXT-X-VERSION", "#EXT-X-INDEPENDENT")):
            body.append(line)
    return "\n".join(["#EXTM3U", *head, *kept, *body]) + "\n"
