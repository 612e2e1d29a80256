"""Reading text in pictures (RapidOCR: PaddleOCR's PP-OCRv4 models in ONNX, shipped in the
rapidocr-onnxruntime wheel) and merging what several frames show into one text with a time range.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Final

import cv2
import numpy as np
import numpy.typing as npt
from rapidfuzz import fuzz

from video_studio.knowledge.glossary import normalise

Image = npt.NDArray[np.uint8]

MIN_SCORE: Final = 0.6  # recogniser confidence under which a line is dropped
# Two or three stray letters are mostly texture read as text: they must be read very surely.
SHORT_LINE: Final = 3
SHORT_LINE_SCORE: Final = 0.9
MAX_SIDE: Final = 1280  # frames are scaled down to this before detection
SAME_TEXT: Final = 80.0  # rapidfuzz ratio for two readings to be the same text
MAX_GAP_S: Final = 6.0  # the same text seen again after this long is a new occurrence

_engine_lock = threading.Lock()
_engine: Any = None


def _ocr_engine() -> Any:
    global _engine
    if _engine is None:
        from rapidocr_onnxruntime import RapidOCR

        _engine = RapidOCR()
    return _engine


@dataclass(frozen=True)
class OcrLine:
    text: str
    score: float
    box: tuple[float, float, float, float]  # x0, y0, x1, y1 as fractions of the picture


def read_text(rgb: Image, *, min_score: float = MIN_SCORE) -> list[OcrLine]:
    """Text lines in an RGB picture, top to bottom then left to right."""
    h, w = rgb.shape[:2]
    scale = min(1.0, MAX_SIDE / max(h, w))
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    if scale < 1.0:
        bgr = cv2.resize(bgr, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)
    with _engine_lock:  # one ONNX session set, not re-entrant
        result, _ = _ocr_engine()(bgr)
    lines = []
    sh, sw = bgr.shape[:2]
    for box, text, score in result or ():
        pts = np.asarray(box, dtype=np.float64)
        letters = sum(ch.isalnum() for ch in str(text))
        if (
            float(score) < min_score
            or letters == 0
            or (letters <= SHORT_LINE and float(score) < SHORT_LINE_SCORE)
        ):
            continue
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        frac = (round(x0 / sw, 4), round(y0 / sh, 4), round(x1 / sw, 4), round(y1 / sh, 4))
        lines.append(OcrLine(str(text).strip(), round(float(score), 4), frac))
    lines.sort(key=lambda line: (round(line.box[1], 2), line.box[0]))
    return lines


def page_text(lines: Iterable[OcrLine]) -> str:
    """OCR lines of a page joined in reading order, one line per row of text."""
    rows: list[list[OcrLine]] = []
    for line in sorted(lines, key=lambda item: (item.box[1], item.box[0])):
        height = line.box[3] - line.box[1]
        if rows and abs(rows[-1][0].box[1] - line.box[1]) < 0.5 * height:
            rows[-1].append(line)
        else:
            rows.append([line])
    return "\n".join(
        " ".join(item.text for item in sorted(row, key=lambda item: item.box[0])) for row in rows
    )


@dataclass(frozen=True)
class Observation:
    """One OCR line in one sampled frame."""

    text: str
    score: float
    t: float
    frame: int
    box: tuple[float, float, float, float]


@dataclass
class ScreenText:
    """A text shown on screen, merged from the frames it was read in."""

    text: str
    score: float  # best recogniser confidence of the chosen reading
    start: float
    end: float
    frames: list[int] = field(default_factory=list)
    box: tuple[float, float, float, float] = (0.0, 0.0, 0.0, 0.0)
    readings: dict[str, float] = field(default_factory=dict)  # reading -> summed confidence


def merge_observations(
    observations: Iterable[Observation], *, same_text: float = SAME_TEXT, max_gap_s: float = MAX_GAP_S
) -> list[ScreenText]:
    """De-duplicate lines across frames: a reading joins the open text it resembles most
    (rapidfuzz ratio ≥ `same_text` on normalised text) when that text was last seen at most
    `max_gap_s` before; the reading read most confidently overall names the result."""
    tracks: list[ScreenText] = []
    for obs in sorted(observations, key=lambda o: (o.t, o.box[1])):
        key = normalise(obs.text)
        best: ScreenText | None = None
        best_score = same_text
        for track in tracks:
            if obs.t - track.end > max_gap_s or (track.frames and track.frames[-1] == obs.frame):
                continue
            similarity = max(fuzz.ratio(key, normalise(reading)) for reading in track.readings)
            if similarity >= best_score:
                best, best_score = track, similarity
        if best is None:
            best = ScreenText(obs.text, obs.score, obs.t, obs.t, [], obs.box, {})
            tracks.append(best)
        best.end = max(best.end, obs.t)
        best.frames.append(obs.frame)
        best.readings[obs.text] = best.readings.get(obs.text, 0.0) + obs.score
        chosen = max(best.readings, key=lambda reading: best.readings[reading])
        if chosen == obs.text:
            best.box = obs.box
        best.text = chosen
        best.score = max(best.score, obs.score) if chosen == obs.text else best.score
    return tracks
