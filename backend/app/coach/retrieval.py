"""What a question is answered from: published catalog videos (media's service), the student's
own pose reports (studio's service) and, once that domain exists, knowledge items. Candidates
are ranked with the offline answerer's word-overlap score (one scorer), the best few kept.

The student's latest reports join the candidates whenever the question is about their own
technique ("my kick", "how did I do", "la mia tecnica") as well as when their words match.
"""

from __future__ import annotations

import re
import uuid
from typing import Final

from sqlalchemy.orm import Session

from app.core.i18n import t
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


def retrieve(session: Session, *, student_id: uuid.UUID, question: str, language: str) -> list[Passage]:
    wanted = terms(question)
    candidates: list[Passage] = []
    for video in media_service.published_videos_matching(session, sorted(wanted)):
        candidates.append(
            Passage(
                ref=f"video:{video.id}",
                kind="video",
                title=video.title,
                text=video.text,
                url=f"/videos/{video.id}",
                score=relevance(wanted, video.title, video.text),
            )
        )
    own = about_own_technique(question)
    lang = normalize_language(language)
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
