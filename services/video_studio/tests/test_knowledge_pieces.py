"""Captions, OCR de-duplication, motion evidence, categorisation and chapters, on made-up data."""

from __future__ import annotations

import html
import itertools
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from video_studio.errors import InvalidInputError, decode_reason
from video_studio.knowledge.captions import LINE_CHARS, to_webvtt, vtt_time
from video_studio.knowledge.categorise import Unit, classify, document_labels, segment_docs, units_for_video
from video_studio.knowledge.chapters import make_chapters
from video_studio.knowledge.doc import SpeechSegmentDoc, TextDoc
from video_studio.knowledge.documents import pdf_pages
from video_studio.knowledge.glossary import default_glossary
from video_studio.knowledge.motion import MotionTrack
from video_studio.knowledge.ocr import Observation, merge_observations


def speech(
    seg_id: int, start: float, words: list[str], probability: float = 0.9, step: float = 0.4
) -> SpeechSegmentDoc:
    ws = [
        {
            "text": w,
            "start": round(start + k * step, 3),
            "end": round(start + (k + 1) * step - 0.05, 3),
            "probability": probability,
        }
        for k, w in enumerate(words)
    ]
    return {
        "id": seg_id, "start": start, "end": ws[-1]["end"], "text": " ".join(words), "language": None,
        "confidence": probability, "words": ws,  # type: ignore[typeddict-item]
    }  # fmt: skip


def screen(text_id: int, text: str, start: float, end: float, score: float = 0.95) -> TextDoc:
    return {
        "id": text_id, "source": "ocr", "text": text, "language": None, "language_confidence": 0.0,
        "score": score, "start": start, "end": end, "frames": [int(start * 10), int(end * 10)],
    }  # fmt: skip


def labels_of(unit: Unit, track: MotionTrack | None = None) -> dict[tuple[str, str], dict[str, Any]]:
    return {(lab["kind"], lab["value"]): dict(lab) for lab in classify(unit, default_glossary(), track)}


def test_webvtt_cues_are_timed_escaped_and_wrapped() -> None:
    words = [
        "Oggi",
        "alleniamo",
        "mae",
        "geri",
        "e",
        "poi",
        "gyaku",
        "zuki",
        "<con>",
        "la",
        "gamba",
        "destra",
        "&",
        "il",
        "braccio",
        "sinistro",
    ]
    vtt = to_webvtt([speech(0, 1.0, words, step=0.3)])
    assert vtt.startswith("WEBVTT\n\n")
    assert vtt_time(3661.5) == "01:01:01.500"
    cues = [block.split("\n") for block in vtt.strip().split("\n\n")[1:]]
    assert cues[0][0].startswith("00:00:01.000 --> ")
    # the limit is on what the viewer reads, entities unescaped
    assert all(len(html.unescape(line)) <= LINE_CHARS for cue in cues for line in cue[1:])
    text = " ".join(" ".join(cue[1:]) for cue in cues)
    assert "&lt;con&gt;" in text and " &amp; " in text and "<con>" not in text
    assert html.unescape(" ".join(text.split())) == " ".join(words)


def test_ocr_readings_of_one_caption_across_frames_merge_into_one_text() -> None:
    box = (0.1, 0.1, 0.5, 0.2)
    obs = [
        Observation("Mae geri", 0.97, 1.0, 10, box),
        Observation("Mae gerl", 0.71, 1.5, 15, box),
        Observation("Mae geri", 0.96, 2.0, 20, box),
        Observation("Kiba dachi", 0.93, 2.0, 20, (0.1, 0.5, 0.5, 0.6)),
        Observation("Mae geri", 0.95, 30.0, 300, box),  # shown again much later: a new occurrence
    ]
    merged = merge_observations(obs)
    assert [(t.text, t.start, t.end, t.frames) for t in merged] == [
        ("Mae geri", 1.0, 2.0, [10, 15, 20]),
        ("Kiba dachi", 2.0, 2.0, [20]),
        ("Mae geri", 30.0, 30.0, [300]),
    ]


def test_motion_sees_a_kick_in_a_kick_and_not_in_arm_swings(media: Any) -> None:
    kick = MotionTrack(media.as_doc(media.kick_filmed(20.0, 2.0), fps=20.0)).window(0, 10)
    swings = MotionTrack(media.as_doc(media.arm_swings(20.0, 4.0), fps=20.0)).window(0, 10)
    assert kick["kick"].score >= 0.8 and kick["kick"].frames
    assert swings["kick"].score == 0.0


def test_motion_counts_repetitions_as_an_exercise(media: Any) -> None:
    reps = np.concatenate([media.kick_filmed(20.0, 1.5) for _ in range(4)])
    track = MotionTrack(media.as_doc(reps, fps=20.0))
    assert track.window(0, track.end)["general"].measure["repetitions"] >= 3
    assert track.window(0, track.end)["general"].score > 0.5


def test_named_technique_in_speech_gives_technique_and_category_labels_with_word_evidence() -> None:
    unit = Unit(0, 0.0, 3.0, speech=[speech(0, 0.0, ["adesso", "mae", "geri", "con", "la", "destra"])])
    labels = labels_of(unit)
    technique = labels[("technique", "mae_geri")]
    assert technique["confidence"] >= 0.85 and technique["category"] == "kick"
    word = technique["evidence"]["words"][0]
    assert word["text"] == "mae geri" and word["start"] == 0.4 and word["segment"] == 0
    assert labels[("category", "kick")]["confidence"] == technique["confidence"]


def test_unsure_words_and_generic_words_give_lower_confidence() -> None:
    sure = labels_of(Unit(0, 0.0, 2.0, speech=[speech(0, 0.0, ["yoko", "geri"], probability=0.95)]))
    unsure = labels_of(Unit(0, 0.0, 2.0, speech=[speech(0, 0.0, ["yoko", "geri"], probability=0.4)]))
    generic = labels_of(Unit(0, 0.0, 2.0, speech=[speech(0, 0.0, ["a", "kick"], probability=0.95)]))
    assert sure[("category", "kick")]["confidence"] > unsure[("category", "kick")]["confidence"]
    assert generic[("category", "kick")]["confidence"] < 0.5
    assert ("technique", "yoko_geri") not in generic


def test_on_screen_text_and_motion_add_evidence(media: Any) -> None:
    words_only = labels_of(Unit(0, 0.0, 2.0, speech=[speech(0, 0.0, ["a", "kick"])]))
    with_text = labels_of(
        Unit(0, 0.0, 2.0, speech=[speech(0, 0.0, ["a", "kick"])], texts=[screen(0, "Mae geri", 0.5, 1.5)])
    )
    track = MotionTrack(media.as_doc(media.kick_filmed(20.0, 2.0), fps=20.0))
    with_motion = labels_of(Unit(0, 0.0, 2.0, speech=[speech(0, 0.0, ["a", "kick"])]), track)
    base = words_only[("category", "kick")]["confidence"]
    assert with_text[("category", "kick")]["confidence"] > base
    assert with_text[("technique", "mae_geri")]["evidence"]["texts"][0]["frames"] == [5, 15]
    kick = with_motion[("category", "kick")]
    assert (
        kick["confidence"] > base and kick["motion_confidence"] > 0.5 and kick["evidence"]["motion"]["frames"]
    )


def test_segments_cover_speech_text_and_motion_only_stretches_and_become_chapters(media: Any) -> None:
    track = MotionTrack(media.as_doc(media.kick_filmed(20.0, 2.0), fps=20.0, t0=20.0))
    units = units_for_video(
        [
            speech(0, 0.0, ["oggi", "lavoriamo", "su", "mae", "geri"]),
            speech(1, 10.0, ["adesso", "kiba", "dachi"]),
        ],
        [screen(0, "Mae geri", 1.0, 2.0), screen(1, "Heian Shodan", 15.0, 16.0)],
        track,
        duration=24.0,
    )
    assert [(u.start, [s["id"] for s in u.speech], [t["id"] for t in u.texts]) for u in units][:3] == [
        (0.0, [0], [0]), (10.0, [1], []), (15.0, [], [1]),
    ]  # fmt: skip
    assert any(u.start == 20.0 and not u.speech and not u.texts for u in units)  # motion only
    segments = segment_docs(units, default_glossary(), track)
    labels = document_labels(segments)
    assert labels[0]["kind"] == "technique"
    chapters = make_chapters(segments, 24.0, 0.5)
    assert chapters[0]["start"] == 0.0 and chapters[-1]["end"] == 24.0
    assert all(a["end"] == b["start"] for a, b in itertools.pairwise(chapters))
    assert [c["title"]["params"] for c in chapters][:3] == [
        {"term": "mae_geri"},
        {"term": "kiba_dachi"},
        {"term": "heian_shodan"},
    ]
    assert chapters[-1]["title"] == {"key": "knowledge.chapter.category", "params": {"category": "kick"}}


def test_document_refusals_carry_a_reason_code_and_their_numbers(tmp_path: Path) -> None:
    """What the knowledge job stores for a refused document: a code the apps show in it/en."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    for _ in range(3):
        writer.add_blank_page(width=200, height=200)
    long_pdf = tmp_path / "long.pdf"
    with long_pdf.open("wb") as handle:
        writer.write(handle)
    with pytest.raises(InvalidInputError) as too_long:
        pdf_pages(long_pdf, ocr=False, max_pages=2)
    expected = ("pdf_too_many_pages", {"pages": "3", "max_pages": "2"})
    assert decode_reason(too_long.value.job_reason) == expected

    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"%PDF-1.7\nthis is not really a PDF")
    with pytest.raises(InvalidInputError) as unreadable:
        pdf_pages(broken, ocr=False)
    assert unreadable.value.job_reason == "pdf_unreadable"
