"""The translation memory in the database (table knowledge_memory): the compute glossary's pairs
(seeded by migration 0011) and every human-approved translation. The compute side's
`TranslationMemory` does the fuzzy matching; this module loads it, adds to it, and expands
search queries into the other languages with it.
"""

from __future__ import annotations

import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.core.config import Settings
from app.knowledge.models import KnowledgeVersion, MemoryRow
from video_studio.knowledge.glossary import TERM_LANGUAGES, Glossary, default_glossary, tokens
from video_studio.knowledge.memory import MemoryEntry, Translation, TranslationMemory
from video_studio.knowledge.memory import translate as tm_translate
from video_studio.providers.base import Translator

_lock = threading.Lock()
_cached: tuple[tuple[int, str], TranslationMemory] | None = None


def glossary_rows(glossary: Glossary | None = None) -> Iterator[dict[str, str]]:
    """The glossary's side of the memory: each form in each language -> the approved name in the others."""
    gloss = glossary or default_glossary()
    for source in TERM_LANGUAGES:
        for target in TERM_LANGUAGES:
            if source != target:
                for term_id, form, approved in gloss.pairs(source, target):
                    yield {
                        "source_lang": source,
                        "source_text": form,
                        "target_lang": target,
                        "target_text": approved,
                        "origin": "glossary",
                        "ref": term_id,
                    }


_STAMP = select(func.count(MemoryRow.id), func.max(MemoryRow.created_at))


def _cached_for(stamp: tuple[int, str]) -> TranslationMemory | None:
    with _lock:
        return _cached[1] if _cached is not None and _cached[0] == stamp else None


def _keep(stamp: tuple[int, str], rows: Iterable[MemoryRow]) -> TranslationMemory:
    global _cached
    tm = TranslationMemory(_entries(rows))
    with _lock:
        _cached = (stamp, tm)
    return tm


async def load(session: AsyncSession) -> TranslationMemory:
    """The memory as stored; rebuilt only when rows were added (count + newest id)."""
    count, newest = (await session.execute(_STAMP)).one()
    stamp = (int(count or 0), str(newest))
    cached = _cached_for(stamp)
    if cached is not None:
        return cached
    return _keep(stamp, (await session.execute(select(MemoryRow))).scalars().all())


def load_sync(session: Session) -> TranslationMemory:
    """`load` for a worker's sync session (the coach's retrieval)."""
    count, newest = session.execute(_STAMP).one()
    stamp = (int(count or 0), str(newest))
    cached = _cached_for(stamp)
    if cached is not None:
        return cached
    return _keep(stamp, session.execute(select(MemoryRow)).scalars().all())


def _entries(rows: Iterable[MemoryRow]) -> Iterator[MemoryEntry]:
    for r in rows:
        origin: Any = "glossary" if r.origin == "glossary" else "human"
        yield MemoryEntry(r.source_lang, r.source_text, r.target_lang, r.target_text, origin, r.ref)


async def add_pair(session: AsyncSession, a: KnowledgeVersion, b: KnowledgeVersion) -> None:
    """Both directions of an approved pair (titles; bodies when both are short enough)."""
    pairs = [(a.title, b.title)]
    if a.body.strip() and b.body.strip() and max(len(a.body), len(b.body)) <= 500:
        pairs.append((a.body, b.body))
    for x, y in pairs:
        for (sl, st), (tl, tt) in (((a.lang, x), (b.lang, y)), ((b.lang, y), (a.lang, x))):
            session.add(
                MemoryRow(
                    source_lang=sl,
                    source_text=st,
                    target_lang=tl,
                    target_text=tt,
                    origin="human",
                    ref=str(b.id),
                )
            )


def translator(settings: Settings) -> Translator | None:
    from video_studio.providers import make_translator

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    return make_translator(
        "openai",
        api_key=key,
        base_url=settings.openai_base_url or None,
        model=settings.knowledge_translation_model,
    )


def translate(
    text: str, source: str, target: str, tm: TranslationMemory, tr: Translator | None
) -> Translation:
    return tm_translate(text, source=source, target=target, memory=tm, translator=tr)


@dataclass(frozen=True)
class Suggestion:
    text: str
    score: float
    origin: str


def suggestions(result: Translation) -> list[Suggestion]:
    return [Suggestion(h.text, h.score, h.origin) for h in result.suggestions]


def expand_query(
    q: str, lang: str, tm: TranslationMemory, glossary: Glossary | None = None
) -> dict[str, list[str]]:
    """The query in each search language: itself in `lang`, plus the memory's translation of the
    whole query and the glossary names of every term in it, in every language."""
    gloss = glossary or default_glossary()
    out: dict[str, list[str]] = {code: [] for code in TERM_LANGUAGES}

    def add(code: str, text: str) -> None:
        if text and text not in out[code]:
            out[code].append(text)

    add(lang if lang in out else "en", q)
    for target in TERM_LANGUAGES:
        for source in TERM_LANGUAGES:
            if source != target:
                for hit in tm.lookup(q, source=source, target=target, limit=2, min_score=0.85):
                    add(target, hit.text)
    for match in gloss.find(q.split()):
        if match.term is not None:
            for code in TERM_LANGUAGES:
                for name in match.term.names[code][:2]:
                    add(code, name)
        elif match.category is not None:
            for word_lang, words in gloss.category_words.get(match.category, {}).items():
                if word_lang in out:
                    for word in words[:2]:
                        add(word_lang, word)
    # Each variant must have something to match.
    return {code: [v for v in variants if tokens(v)] for code, variants in out.items()}
