"""Technique categories and named techniques per segment, with confidence and evidence.

A segment is a stretch of the input that is classified on its own: a speech segment (with the
on-screen texts read during it), an on-screen text seen while nobody speaks, a window of motion
where neither happens, or a document page.

Text evidence: every glossary match in the segment's words and texts counts with its match score
(1 exact, the similarity when fuzzy, half for a generic category word) times how sure the reader
was (the recogniser's word probability, the OCR confidence). Matches combine as independent
evidence: p = 1 - Π(1 - wᵢ). Motion evidence (video_studio.knowledge.motion) joins the same way
for the categories the body shows: confidence = 1 - (1 - p_text)(1 - p_motion); a named
technique takes half of its category's motion score. Without a skeleton the text alone decides.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Final

from video_studio.knowledge.doc import (
    DocLabelDoc,
    EvidenceTextDoc,
    EvidenceWordDoc,
    LabelDoc,
    MotionEvidenceDoc,
    SegmentDoc,
    SpeechSegmentDoc,
    TextDoc,
)
from video_studio.knowledge.glossary import Glossary, TermMatch
from video_studio.knowledge.motion import MotionEvidence, MotionTrack
from video_studio.techniques import TECHNIQUES

KEEP: Final = 0.1  # labels under this confidence are not reported at all
TERM_MOTION_SHARE: Final = 0.5
DEFAULT_WORD_PROBABILITY: Final = 0.8
MIN_WORD_PROBABILITY: Final = 0.3
MOTION_WINDOW_S: Final = 4.0


@dataclass
class Unit:
    id: int
    start: float | None
    end: float | None
    page: int | None = None
    speech: list[SpeechSegmentDoc] = field(default_factory=list)
    texts: list[TextDoc] = field(default_factory=list)


def units_for_video(
    speech: Sequence[SpeechSegmentDoc], texts: Sequence[TextDoc], track: MotionTrack | None, duration: float
) -> list[Unit]:
    units: list[Unit] = []
    for seg in speech:
        units.append(Unit(0, seg["start"], seg["end"], speech=[seg]))
    for text in texts:
        start, end = text.get("start", 0.0), text.get("end", 0.0)
        host = [u for u in units if u.speech and _overlaps(u, start, end + 1.0)]
        if host:
            for unit in host:
                unit.texts.append(text)
        else:
            units.append(Unit(0, start, max(end, start + 1.0), texts=[text]))
    if track is not None:
        covered = sorted((u.start or 0.0, u.end or 0.0) for u in units)
        t = max(0.0, track.start)
        stop = min(duration, track.end) if duration > 0 else track.end
        while t < stop - 0.5:
            window_end = min(stop, t + MOTION_WINDOW_S)
            if not any(a < window_end and b > t for a, b in covered):
                units.append(Unit(0, round(t, 3), round(window_end, 3)))
            t = window_end
    units.sort(key=lambda u: (u.start or 0.0, u.end or 0.0))
    for k, unit in enumerate(units):
        unit.id = k
    return units


def units_for_pages(texts: Sequence[TextDoc]) -> list[Unit]:
    return [Unit(k, None, None, page=t.get("page"), texts=[t]) for k, t in enumerate(texts)]


def _overlaps(unit: Unit, start: float, end: float) -> bool:
    return (unit.start or 0.0) < end and (unit.end or 0.0) > start


@dataclass
class _Evidence:
    weights: list[float] = field(default_factory=list)
    words: list[EvidenceWordDoc] = field(default_factory=list)
    texts: list[EvidenceTextDoc] = field(default_factory=list)

    @property
    def probability(self) -> float:
        p = 1.0
        for w in self.weights:
            p *= 1.0 - min(max(w, 0.0), 0.99)
        return 1.0 - p


def _word_matches(
    glossary: Glossary, seg: SpeechSegmentDoc
) -> list[tuple[TermMatch, EvidenceWordDoc, float]]:
    words = seg["words"]
    if not words:
        return []
    out = []
    for match in glossary.find([w["text"] for w in words]):
        span = words[match.first : match.last + 1]
        probs = [w["probability"] for w in span if w["probability"] is not None]
        reliability = sum(probs) / len(probs) if probs else DEFAULT_WORD_PROBABILITY
        reliability = max(MIN_WORD_PROBABILITY, reliability)
        evidence: EvidenceWordDoc = {
            "text": match.matched,
            "start": span[0]["start"],
            "end": span[-1]["end"],
            "probability": round(reliability, 4) if probs else None,
            "segment": seg["id"],
            "term": match.form,
            "score": match.score,
        }
        out.append((match, evidence, match.score * reliability))
    return out


def _text_matches(glossary: Glossary, text: TextDoc) -> list[tuple[TermMatch, EvidenceTextDoc, float]]:
    out = []
    reliability = text["score"] if text["score"] is not None else 1.0
    for match in glossary.find(text["text"].split()):
        evidence: EvidenceTextDoc = {
            "text_id": text["id"],
            "matched": match.matched,
            "term": match.form,
            "score": match.score,
            "frames": list(text.get("frames", [])),
            "start": text.get("start"),
            "end": text.get("end"),
            "page": text.get("page"),
        }
        out.append((match, evidence, match.score * reliability))
    return out


def _motion_doc(evidence: MotionEvidence) -> MotionEvidenceDoc:
    return {
        "score": evidence.score,
        "frames": list(evidence.frames),
        "times": list(evidence.times),
        "measure": dict(evidence.measure),
    }


def classify(unit: Unit, glossary: Glossary, track: MotionTrack | None) -> list[LabelDoc]:
    """Labels of one segment, most confident first."""
    categories: dict[str, _Evidence] = defaultdict(_Evidence)
    terms: dict[str, _Evidence] = defaultdict(_Evidence)
    matches: list[tuple[TermMatch, float, EvidenceWordDoc | None, EvidenceTextDoc | None]] = []
    for seg in unit.speech:
        matches += [
            (match, weight, word_doc, None) for match, word_doc, weight in _word_matches(glossary, seg)
        ]
    for text in unit.texts:
        matches += [
            (match, weight, None, text_doc) for match, text_doc, weight in _text_matches(glossary, text)
        ]
    for match, weight, word_doc, text_doc in matches:
        targets = [categories[match.category]] if match.category is not None else []
        if match.term is not None:
            targets.append(terms[match.term.id])
        for target in targets:
            target.weights.append(weight)
            if word_doc is not None:
                target.words.append(word_doc)
            if text_doc is not None:
                target.texts.append(text_doc)
    motion: dict[str, MotionEvidence] = {}
    if track is not None and unit.start is not None and unit.end is not None:
        for seen_type, seen_evidence in track.window(unit.start, unit.end).items():
            motion[seen_type] = seen_evidence
    candidates: list[tuple[str, str, str | None, _Evidence, MotionEvidence | None, float]] = []
    for category in TECHNIQUES:
        seen = motion.get(category)
        share = 1.0 if seen is not None else 0.0
        candidates.append(("category", category, None, categories.get(category, _Evidence()), seen, share))
    for term_id, evidence in terms.items():
        term = glossary.term(term_id)
        seen = motion.get(term.category) if term.category else None
        candidates.append(("technique", term_id, term.category, evidence, seen, TERM_MOTION_SHARE))
    labels: list[LabelDoc] = []
    for kind, value, term_type, said, seen, share in candidates:
        text_p = said.probability
        motion_p = share * seen.score if seen is not None else 0.0
        confidence = 1.0 - (1.0 - text_p) * (1.0 - motion_p)
        if confidence >= KEEP:
            shown = seen if motion_p > 0 else None
            labels.append(_label(kind, value, term_type, confidence, text_p, motion_p, unit, said, shown))
    labels.sort(key=lambda lab: -lab["confidence"])
    return labels


def _label(
    kind: str,
    value: str,
    category: str | None,
    confidence: float,
    text_p: float,
    motion_p: float,
    unit: Unit,
    found: _Evidence,
    seen: MotionEvidence | None,
) -> LabelDoc:
    return {
        "kind": "category" if kind == "category" else "technique",
        "value": value,
        "category": category,
        "confidence": round(confidence, 4),
        "text_confidence": round(text_p, 4),
        "motion_confidence": round(motion_p, 4),
        "start": unit.start,
        "end": unit.end,
        "page": unit.page,
        "evidence": {
            "words": found.words,
            "texts": found.texts,
            "motion": _motion_doc(seen) if seen else None,
        },
    }


def segment_docs(units: Sequence[Unit], glossary: Glossary, track: MotionTrack | None) -> list[SegmentDoc]:
    return [
        {
            "id": unit.id,
            "start": unit.start,
            "end": unit.end,
            "page": unit.page,
            "speech": [s["id"] for s in unit.speech],
            "texts": [t["id"] for t in unit.texts],
            "labels": classify(unit, glossary, track),
        }
        for unit in units
    ]


def document_labels(segments: Sequence[SegmentDoc]) -> list[DocLabelDoc]:
    """Per (kind, value): the best confidence over the segments, and where it was found."""
    merged: dict[tuple[str, str], DocLabelDoc] = {}
    for seg in segments:
        for label in seg["labels"]:
            key = (label["kind"], label["value"])
            entry = merged.get(key)
            if entry is None:
                entry = merged[key] = {
                    "kind": label["kind"],
                    "value": label["value"],
                    "category": label["category"],
                    "confidence": 0.0,
                    "segments": [],
                    "ranges": [],
                    "pages": [],
                }
            entry["confidence"] = max(entry["confidence"], label["confidence"])
            entry["segments"].append(seg["id"])
            if seg["start"] is not None and seg["end"] is not None:
                entry["ranges"].append([seg["start"], seg["end"]])
            if seg["page"] is not None and seg["page"] not in entry["pages"]:
                entry["pages"].append(seg["page"])
    return sorted(merged.values(), key=lambda lab: (lab["kind"] != "technique", -lab["confidence"]))
