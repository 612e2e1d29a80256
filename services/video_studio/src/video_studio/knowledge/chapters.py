"""Chapters: consecutive segments about the same thing, with a title and a time range.

Each segment is named by its most confident label at or above the threshold (a named technique
before a category); neighbours with the same name join, chapters shorter than MIN_CHAPTER_S join
the one before, and chapters tile the video from 0 to its end. Titles are catalogue messages with
codes as parameters (`video_studio.knowledge.text.chapter_title` renders them).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from video_studio.knowledge.doc import ChapterDoc, Message, SegmentDoc

MIN_CHAPTER_S: Final = 4.0


def _name(segment: SegmentDoc, threshold: float) -> tuple[str, str] | None:
    for kind in ("technique", "category"):
        for label in segment["labels"]:
            if label["kind"] == kind and label["confidence"] >= threshold:
                return kind, label["value"]
    return None


def _title(name: tuple[str, str] | None, number: int) -> Message:
    if name is None:
        return {"key": "knowledge.chapter.part", "params": {"number": number}}
    kind, value = name
    if kind == "technique":
        return {"key": "knowledge.chapter.technique", "params": {"term": value}}
    return {"key": "knowledge.chapter.category", "params": {"category": value}}


def make_chapters(segments: Sequence[SegmentDoc], duration: float, threshold: float) -> list[ChapterDoc]:
    timed = [s for s in segments if s["start"] is not None and s["end"] is not None]
    if not timed or duration <= 0:
        return []
    groups: list[tuple[tuple[str, str] | None, list[SegmentDoc]]] = []
    for seg in sorted(timed, key=lambda s: s["start"] or 0.0):
        name = _name(seg, threshold)
        if groups and (groups[-1][0] == name or name is None):
            groups[-1][1].append(seg)
        elif groups and groups[-1][0] is None:
            groups[-1] = (name, [*groups[-1][1], seg])
        else:
            groups.append((name, [seg]))
    starts = [0.0] + [float(g[1][0]["start"] or 0.0) for g in groups[1:]]
    merged: list[tuple[tuple[str, str] | None, list[SegmentDoc], float]] = []
    for (name, segs), start in zip(groups, starts, strict=True):
        if merged and start - merged[-1][2] < MIN_CHAPTER_S:
            prev_name, prev_segs, prev_start = merged[-1]
            merged[-1] = (prev_name or name, prev_segs + segs, prev_start)
        else:
            merged.append((name, segs, start))
    chapters: list[ChapterDoc] = []
    for k, (name, segs, start) in enumerate(merged):
        end = merged[k + 1][2] if k + 1 < len(merged) else duration
        labels = []
        for seg in segs:
            for label in seg["labels"]:
                if label["confidence"] >= threshold and label["value"] not in labels:
                    labels.append(label["value"])
        chapters.append(
            {
                "index": k,
                "start": round(start, 3),
                "end": round(max(end, start), 3),
                "title": _title(name, k + 1),
                "labels": labels,
                "segments": [s["id"] for s in segs],
            }
        )
    return chapters
