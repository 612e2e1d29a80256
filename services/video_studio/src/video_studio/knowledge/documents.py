"""Text from documents an instructor uploads: PDFs (the text layer with pypdf; pages without one
are rendered with pypdfium2 and read by OCR) and pictures (OCR)."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Final

import numpy as np

from video_studio.errors import InvalidInputError
from video_studio.knowledge.ocr import page_text, read_text

MAX_PAGES: Final = 500
MIN_TEXT_CHARS: Final = 20  # a page with less text than this is treated as scanned
RENDER_DPI: Final = 150
MAX_IMAGE_PIXELS: Final = 50_000_000


@dataclass(frozen=True)
class PageText:
    page: int  # 1-based
    text: str
    source: str  # "pdf" (text layer) or "ocr"
    score: float | None  # mean OCR confidence for "ocr"


def pdf_pages(path: Path, *, ocr: bool = True, max_pages: int = MAX_PAGES) -> list[PageText]:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    logging.getLogger("pypdf").setLevel(logging.ERROR)  # malformed-but-readable files warn a lot
    try:
        reader = PdfReader(str(path))
        if reader.is_encrypted and not reader.decrypt(""):
            raise InvalidInputError(
                f"{path.name} is password-protected; upload it without a password",
                reason_code="pdf_password_protected",
            )
        count = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, OSError) as exc:
        raise InvalidInputError(
            f"{path.name} is not a readable PDF ({exc.__class__.__name__})", reason_code="pdf_unreadable"
        ) from None
    if count == 0:
        raise InvalidInputError(f"{path.name} has no pages", reason_code="pdf_no_pages")
    if count > max_pages:
        raise InvalidInputError(
            f"{path.name} has {count} pages; at most {max_pages} are accepted",
            reason_code="pdf_too_many_pages",
            pages=count,
            max_pages=max_pages,
        )
    pages: list[PageText] = []
    scanned: list[int] = []
    for number in range(count):
        try:
            text = (reader.pages[number].extract_text() or "").strip()
        except Exception:  # pypdf raises many kinds on damaged content streams; OCR instead
            text = ""
        if len(text) >= MIN_TEXT_CHARS:
            pages.append(PageText(number + 1, text, "pdf", None))
        else:
            scanned.append(number)
    if scanned and ocr:
        pages.extend(_ocr_pages(path, scanned))
    pages.sort(key=lambda p: p.page)
    return pages


def _ocr_pages(path: Path, numbers: list[int]) -> list[PageText]:
    import pypdfium2 as pdfium

    out = []
    document = pdfium.PdfDocument(str(path))
    try:
        for number in numbers:
            page = document[number]
            try:
                bitmap = page.render(scale=RENDER_DPI / 72)
                rgb = np.asarray(bitmap.to_pil().convert("RGB"), dtype=np.uint8)
            finally:
                page.close()
            lines = read_text(rgb)
            if lines:
                score = round(float(np.mean([line.score for line in lines])), 4)
                out.append(PageText(number + 1, page_text(lines), "ocr", score))
    finally:
        document.close()
    return out


def image_text(path: Path) -> PageText:
    import cv2

    data = np.fromfile(str(path), dtype=np.uint8)
    bgr = cv2.imdecode(data, cv2.IMREAD_COLOR) if data.size else None
    if bgr is None:
        raise InvalidInputError(f"{path.name} is not a picture we can read", reason_code="picture_unreadable")
    h, w = bgr.shape[:2]
    if h * w > MAX_IMAGE_PIXELS:
        raise InvalidInputError(
            f"{path.name} is {w}x{h}, larger than the {MAX_IMAGE_PIXELS:,} pixels we accept",
            reason_code="too_many_pixels",
            width=w,
            height=h,
            max_megapixels=f"{MAX_IMAGE_PIXELS / 1e6:.1f}",
        )
    rgb = np.asarray(cv2.cvtColor(bgr, cv2.COLOR_BGR2RGB), dtype=np.uint8)
    lines = read_text(rgb)
    score = round(float(np.mean([line.score for line in lines])), 4) if lines else None
    return PageText(1, page_text(lines), "ocr", score)
