"""WebVTT captions from a transcript: cues of at most two 42-character lines and 6 seconds,
cut between words (word timestamps) so a cue never splits a word."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from video_studio.knowledge.doc import SpeechSegmentDoc

LINE_CHARS: Final = 42
MAX_CUE_S: Final = 6.0


def vtt_time(seconds: float) -> str:
    millis = max(0, round(seconds * 1000))
    h, rest = divmod(millis, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _escape(text: str) -> str:
    # "-->" would end the timing line; & and < start entities and tags in cue text.
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _wrap(words: Sequence[str]) -> str:
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= LINE_CHARS:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _cues(segment: SpeechSegmentDoc) -> list[tuple[float, float, str]]:
    words = segment["words"]
    if not words:
        text = segment["text"].strip()
        return [(segment["start"], segment["end"], _wrap(text.split()))] if text else []
    cues: list[tuple[float, float, str]] = []
    current: list[str] = []
    start = words[0]["start"]
    end = start
    for word in words:
        candidate = " ".join([*current, word["text"]])
        too_long = len(candidate) > 2 * LINE_CHARS or word["end"] - start > MAX_CUE_S
        if current and too_long:
            cues.append((start, end, _wrap(current)))
            current, start = [], word["start"]
        current.append(word["text"])
        end = word["end"]
    if current:
        cues.append((start, end, _wrap(current)))
    return cues


def to_webvtt(segments: Sequence[SpeechSegmentDoc]) -> str:
    out = ["WEBVTT", ""]
    last_end = 0.0
    for segment in segments:
        for start, end, text in _cues(segment):
            start = max(start, last_end)
            end = max(end, start + 0.2)
            out += [f"{vtt_time(start)} --> {vtt_time(end)}", _escape(text), ""]
            last_end = end
    return "\n".join(out)
