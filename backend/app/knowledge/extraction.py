"""From a KnowledgeDoc (video_studio.knowledge.extract) to rows: unreviewed items with their
moments, a first caption track, the job's transcript, OCR text and chapters.

Runs on the worker. Idempotent: a rerun of the same job keeps items a person already touched
and adds only what is missing (items are unique per job, kind and key).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from app.db.session import sync_session
from app.knowledge.models import (
    CaptionTrack,
    ItemKind,
    KnowledgeItem,
    KnowledgeJob,
    KnowledgeLink,
    KnowledgeVersion,
    ReviewState,
    Source,
)
from app.knowledge.text import ITEM_LANGUAGES, search_text

MIN_CONFIDENCE = 0.3  # labels below this are not worth a reviewer's time


def job_values(doc: dict[str, Any], key: str) -> dict[str, Any]:
    """The job row's result columns."""
    speech = doc.get("speech")
    transcript = None
    if speech:
        transcript = {
            "language": speech.get("language"),
            "language_probability": speech.get("language_probability"),
            "provider": speech.get("provider"),
            "model": speech.get("model"),
            "segments": [
                {"start": s["start"], "end": s["end"], "text": s["text"], "words": s.get("words", [])}
                for s in speech.get("segments", [])
            ],
        }
    ocr = "\n".join(t["text"] for t in doc.get("texts", []) if t.get("text"))
    return {
        "doc_key": key,
        "language": doc.get("language"),
        "transcript": transcript,
        "ocr_text": ocr or None,
        "chapters": [
            {
                "index": c["index"],
                "start": c["start"],
                "end": c["end"],
                "title": c["title"],
                "labels": c["labels"],
            }
            for c in doc.get("chapters", [])
        ],
        "warnings": list(doc.get("warnings", [])),
    }


def _evidence(doc: dict[str, Any], kind: str, value: str) -> dict[str, Any] | None:
    best: dict[str, Any] | None = None
    for segment in doc.get("segments", []):
        for label in segment.get("labels", []):
            same = label["kind"] == kind and label["value"] == value
            if same and (best is None or label["confidence"] > best["confidence"]):
                best = label
    if best is None:
        return None
    return {
        "confidence": best["confidence"],
        "text_confidence": best.get("text_confidence"),
        "motion_confidence": best.get("motion_confidence"),
        **best.get("evidence", {}),
    }


def _evidence_words(evidence: dict[str, Any] | None) -> str:
    if not evidence:
        return ""
    words = [w.get("text", "") for w in evidence.get("words", [])]
    texts = [str(t.get("text", "")) for t in evidence.get("texts", []) if t.get("text")]
    return " · ".join(x for x in [" ".join(words).strip(), *texts] if x)


def _add_item(
    session: Session,
    job: KnowledgeJob,
    existing: set[tuple[str, str]],
    *,
    kind: ItemKind,
    key: str,
    titles: dict[str, str],
    body: dict[str, str],
    links: list[KnowledgeLink],
    confidence: float | None = None,
    evidence: dict[str, Any] | None = None,
) -> None:
    if (kind.value, key) in existing:
        return
    item = KnowledgeItem(
        owner_id=job.owner_id, kind=kind, key=key, job_id=job.id, confidence=confidence, evidence=evidence
    )
    session.add(item)
    session.flush()
    for link in links:
        link.item_id = item.id
        session.add(link)
    for lang, title in titles.items():
        text = body.get(lang, "")
        session.add(
            KnowledgeVersion(
                item_id=item.id,
                lang=lang,
                number=1,
                title=title[:300],
                body=text,
                source=Source.extracted,
                review_state=ReviewState.unreviewed,
                search_text=search_text(title, text),
            )
        )
    existing.add((kind.value, key))


def _moment(job: KnowledgeJob, start: float | None, end: float | None, page: int | None) -> KnowledgeLink:
    return KnowledgeLink(
        video_id=job.video_id, document_id=job.document_id, start_s=start, end_s=end, page=page
    )


def store_results(job_id: uuid.UUID, doc: dict[str, Any], caption: tuple[str, str] | None) -> None:
    from video_studio.knowledge.text import chapter_title, label_name

    with sync_session() as session:
        job = session.get(KnowledgeJob, job_id)
        if job is None:
            return
        existing = {
            (k.value, key)
            for k, key in session.execute(
                select(KnowledgeItem.kind, KnowledgeItem.key).where(KnowledgeItem.job_id == job.id)
            ).all()
        }
        for label in doc.get("labels", []):
            if label["confidence"] < MIN_CONFIDENCE:
                continue
            kind, value = label["kind"], label["value"]
            evidence = _evidence(doc, kind, value)
            said = _evidence_words(evidence)
            links = [_moment(job, float(a), float(b), None) for a, b in label.get("ranges", [])]
            links += [_moment(job, None, None, int(p)) for p in label.get("pages", [])]
            _add_item(
                session,
                job,
                existing,
                kind=ItemKind.technique,
                key=value if kind == "technique" else f"category:{value}",
                titles={lang: label_name(kind, value, lang) for lang in ITEM_LANGUAGES},
                body={lang: said for lang in ITEM_LANGUAGES},
                links=links or [_moment(job, None, None, None)],
                confidence=float(label["confidence"]),
                evidence=evidence,
            )
        for chapter in doc.get("chapters", []):
            _add_item(
                session,
                job,
                existing,
                kind=ItemKind.chapter,
                key=str(chapter["index"]),
                titles={lang: chapter_title(chapter, lang) for lang in ITEM_LANGUAGES},
                body={},
                links=[_moment(job, float(chapter["start"]), float(chapter["end"]), None)],
            )
        if doc.get("kind") in ("pdf", "image"):
            text = "\n".join(t["text"] for t in doc.get("texts", []) if t.get("text"))
            lang = doc.get("language") or "en"
            lang = lang if lang in ITEM_LANGUAGES else "en"
            title = (text.strip().splitlines() or [doc.get("source", {}).get("name", "document")])[0]
            _add_item(
                session,
                job,
                existing,
                kind=ItemKind.article,
                key="document",
                titles={lang: title},
                body={lang: text},
                links=[_moment(job, None, None, None)],
            )
        if caption is not None and job.video_id is not None:
            lang, key = caption
            known = session.scalar(select(CaptionTrack.id).where(CaptionTrack.vtt_key == key))
            if known is None:
                number = _next_caption_number(session, job.video_id, lang)
                session.add(
                    CaptionTrack(
                        video_id=job.video_id, lang=lang, number=number, vtt_key=key, source=Source.extracted
                    )
                )


def _next_caption_number(session: Session, video_id: uuid.UUID, lang: str) -> int:
    from sqlalchemy import func

    top = session.scalar(
        select(func.max(CaptionTrack.number)).where(
            CaptionTrack.video_id == video_id, CaptionTrack.lang == lang
        )
    )
    return int(top or 0) + 1
