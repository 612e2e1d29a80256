"""Captions as an HLS subtitles rendition.

An approved caption track is copied under the video's media prefix (the playback token and
CloudFront cookies cover that prefix), with a one-segment subtitles playlist, and a new master
playlist naming it (`EXT-X-MEDIA:TYPE=SUBTITLES`, `SUBTITLES="subs"` on each variant). Keys are
versioned, never rewritten: the app's playlist cache holds objects by key (app/media/playback.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

GROUP = "subs"
_TIMESTAMP = re.compile(r"(?:(\d+):)?(\d{2}):(\d{2})\.(\d{3})")
LANGUAGE_NAMES = {"it": "Italiano", "en": "English", "ja": "日本語"}


@dataclass(frozen=True)
class Rendition:
    lang: str
    uri: str  # relative to the master playlist


def vtt_duration(vtt: str) -> float:
    """The end of the last cue (seconds); 0 when there is none."""
    end = 0.0
    for line in vtt.splitlines():
        if "-->" in line:
            found = _TIMESTAMP.findall(line.split("-->", 1)[1])
            if found:
                h, m, s, ms = found[0]
                end = max(end, int(h or 0) * 3600 + int(m) * 60 + int(s) + int(ms) / 1000)
    return end


@dataclass(frozen=True)
class Cue:
    timing: str  # the "00:00:01.000 --> 00:00:03.000 ..." line, settings included
    text: str  # the payload lines, joined by newlines


def vtt_cues(vtt: str) -> list[Cue]:
    """The cues of a WebVTT file, in order (NOTE/STYLE/REGION blocks and cue ids dropped)."""
    cues = []
    for block in re.split(r"\n\s*\n", vtt.replace("\r\n", "\n").strip()):
        lines = block.split("\n")
        at = next((k for k, line in enumerate(lines) if "-->" in line), None)
        if at is None:
            continue
        text = "\n".join(line for line in lines[at + 1 :]).strip()
        if text:
            cues.append(Cue(lines[at].strip(), text))
    return cues


def webvtt(cues: Sequence[Cue]) -> str:
    return "WEBVTT\n\n" + "".join(f"{cue.timing}\n{cue.text}\n\n" for cue in cues)


def is_webvtt(text: str) -> bool:
    return text.lstrip("\ufeff").startswith("WEBVTT")


def subtitles_playlist(vtt_name: str, duration_s: float) -> str:
    target = max(1, math.ceil(duration_s))
    return "\n".join(
        [
            "#EXTM3U",
            "#EXT-X-VERSION:3",
            f"#EXT-X-TARGETDURATION:{target}",
            "#EXT-X-MEDIA-SEQUENCE:0",
            "#EXT-X-PLAYLIST-TYPE:VOD",
            f"#EXTINF:{max(duration_s, 0.001):.3f},",
            vtt_name,
            "#EXT-X-ENDLIST",
            "",
        ]
    )


def master_with_subtitles(master: str, renditions: Sequence[Rendition]) -> str:
    """The master playlist with one SUBTITLES rendition per language (the first is the default)."""
    out: list[str] = []
    media_written = False
    for line in master.splitlines():
        if line.startswith("#EXT-X-MEDIA:TYPE=SUBTITLES"):
            continue  # a previous version's renditions
        if line.startswith("#EXT-X-STREAM-INF:") and not media_written:
            for k, r in enumerate(renditions):
                name = LANGUAGE_NAMES.get(r.lang, r.lang)
                default = "YES" if k == 0 else "NO"
                out.append(
                    f'#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="{GROUP}",NAME="{name}",LANGUAGE="{r.lang}",'
                    f'DEFAULT={default},AUTOSELECT=YES,URI="{r.uri}"'
                )
            media_written = True
        if line.startswith("#EXT-X-STREAM-INF:"):
            attrs = re.sub(r',SUBTITLES="[^"]*"', "", line)
            line = attrs + f',SUBTITLES="{GROUP}"' if renditions else attrs
        out.append(line)
    return "\n".join(out) + "\n"
