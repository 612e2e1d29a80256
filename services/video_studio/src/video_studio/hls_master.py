"""The text of HLS master playlists, free of any media stack, so the API process can use it (its
image carries neither PyAV nor ffmpeg): attribute lists, and the master playlist announcing an
extra audio rendition (`#EXT-X-MEDIA:TYPE=AUDIO`) that voice/rendition.py packages."""

from __future__ import annotations

import re
from typing import Final

_ATTR_RE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


def parse_attributes(text: str) -> dict[str, str]:
    return {key: value.strip('"') for key, value in _ATTR_RE.findall(text)}


GROUP: Final = "aud"
LANGUAGE_NAMES: Final = {
    "it": "Italiano",
    "en": "English",
    "ja": "日本語",
    "fr": "Français",
    "de": "Deutsch",
    "es": "Español",
}


def _media_line(language: str, name: str, *, uri: str | None, default: bool) -> str:
    attrs = [
        "TYPE=AUDIO", f'GROUP-ID="{GROUP}"', f'LANGUAGE="{language}"', f'NAME="{name}"',
        f"DEFAULT={'YES' if default else 'NO'}", "AUTOSELECT=YES",
    ]  # fmt: skip
    if uri is not None:
        attrs.append(f'URI="{uri}"')
    return "#EXT-X-MEDIA:" + ",".join(attrs)


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
