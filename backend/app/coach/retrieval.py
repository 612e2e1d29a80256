"""What a question is answered from: published catalog videos (media's service), the student's
own pose reports (studio's service) and approved knowledge items (knowledge's search, which finds
items across languages through the translation memory). Candidates are ranked with the offline
answerer's word-overlap score (one scorer), the best few kept; a knowledge hit scores at least as
much as one shared title word, since its match may be in another language.

A catalog video that a knowledge hit points into carries that moment's start (`start_s`).

The student's latest reports join the candidates whenever the question is about their own
technique ("my kick", "how did I do", "la mia tecnica") as well as when their words match.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Final

from sqlalchemy.orm import Session

from app.core.i18n import t
from app.knowledge import search as knowledge_search
from app.media import service as media_service
from app.studio import service as studio_service
from video_studio.i18n import normalize_language
from video_studio.providers.base import Passage
from video_studio.providers.llm_offline import relevance, terms

MAX_PASSAGES: Final = 4
_ABOUT_ME: Final = re.compile(
    r"\b(my|mine|me|i|report|score|feedback|mio|mia|miei|mie|sono|ho|punteggio|report|valutazione)\b", re.I
)


def about_own_technique(question: str) -> bool:
    return bool(_ABOUT_ME.search(question))


def _report_text(digest: studio_service.ReportDigest, lang: str) -> str:
    score = f"{digest.score:.0f}/100" if digest.score is not None else "—"
    return t(
        "coach.report_passage",
        lang,
        technique=digest.technique_label,
        score=score,
        cues="; ".join(digest.cues[:3]),
    )


def _video_moments(hit: knowledge_search.Hit) -> Iterator[tuple[uuid.UUID, float]]:
    """(video, start) of the hit's timed video moments, earliest first."""
    return ((m.video_id, m.start_s) for m in hit.moments if m.video_id is not None and m.start_s is not None)


def retrieve(session: Session, *, student_id: uuid.UUID, question: str, language: str) -> list[Passage]:
    wanted = terms(question)
    lang = normalize_language(language)
    hits = knowledge_search.search_sync(session, question, lang, limit=MAX_PASSAGES).hits
    moments: dict[uuid.UUID, float] = {}
    for hit in hits:
        for video_id, start_s in _video_moments(hit):
            moments.setdefault(video_id, start_s)
    candidates: list[Passage] = [
        Passage(
            ref=f"knowledge:{hit.item_id}",
            kind="knowledge",
            title=hit.title,
            text=hit.snippet,
            url=f"/knowledge/items/{hit.item_id}",
            start_s=next((start for _, start in _video_moments(hit)), None),
            score=max(relevance(wanted, hit.title, hit.snippet), 2.0),
        )
        for hit in hits
    ]
    for video in media_service.published_videos_matching(session, sorted(wanted)):
        candidates.append(
            Passage(
                ref=f"video:{video.id}",
                kind="video",
                title=video.title,
                text=video.text,
                url=f"/videos/{video.id}",
                start_s=moments.get(video.id),
                score=relevance(wanted, video.title, video.text),
            )
        )
    own = about_own_technique(question)
    for digest in studio_service.latest_report_digests(session, student_id, lang):
        text = _report_text(digest, lang)
        title = f"{digest.reference_name} ({digest.technique_label})"
        score = relevance(wanted, title, text)
        if own:
            score = max(score, 1.0) + 0.5  # asked about themselves: their reports come first
        candidates.append(
            Passage(ref=f"pose_report:{digest.attempt_id}", kind="pose_report", title=title, text=text,
                    url=f"/attempts/{digest.attempt_id}", score=score)
        )  # fmt: skip
    ranked = sorted((c for c in candidates if c.score > 0), key=lambda p: -p.score)
    return ranked[:MAX_PASSAGES]
