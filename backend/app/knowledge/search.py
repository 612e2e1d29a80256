"""Cross-language search over approved item versions.

The query is expanded into every search language with the translation memory (glossary pairs
and human-approved translations: app/knowledge/memory.py), so an Italian query finds English
items and the other way round. PostgreSQL: each version's tsvector in its language's
configuration (italian / english / simple), matched against the variants' tsqueries, with
`unaccent` on the query (the stored text is already accent-free); a GIN index covers the
expression. SQLite: the same variants matched in Python on the same accent-free text (LIKE
pre-filter). No embeddings: no multilingual sentence-embedding model ships in a PyPI package
we could use offline (docs/KNOWLEDGE.md).
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Row, Select, or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.knowledge import memory
from app.knowledge.models import (
    TS_CONFIG_SQL,
    ItemKind,
    KnowledgeItem,
    KnowledgeLink,
    KnowledgeVersion,
    ReviewState,
)
from app.knowledge.service import current_versions, published_videos
from app.knowledge.text import search_text
from app.media import service as media_service
from video_studio.knowledge.glossary import tokens
from video_studio.knowledge.memory import TranslationMemory

# The same expression as the index ix_knowledge_versions_fts (migration 0011).
VECTOR_SQL = f"to_tsvector({TS_CONFIG_SQL}, knowledge_versions.search_text)"
CONFIGS = {"it": "italian", "en": "english"}
CANDIDATES = 200


@dataclass
class Moment:
    video_id: uuid.UUID | None
    document_id: uuid.UUID | None
    start_s: float | None
    end_s: float | None
    page: int | None


@dataclass
class Hit:
    item_id: uuid.UUID
    kind: ItemKind
    lang: str
    title: str
    snippet: str
    score: float
    matched_lang: str
    moments: list[Moment] = field(default_factory=list)


@dataclass
class Result:
    query: str
    lang: str
    expansions: dict[str, list[str]]
    hits: list[Hit]


def _tsquery_sql(variants: list[str], config: str, params: dict[str, str]) -> str:
    parts = []
    for v in variants:
        name = f"q{len(params)}"
        params[name] = v
        parts.append(f"plainto_tsquery('{config}', unaccent(:{name}))")
    return " || ".join(parts)


def _postgres_stmt(variants: list[str]) -> tuple[Select[uuid.UUID, Any], dict[str, str]]:
    params: dict[str, str] = {}
    queries = {lang: _tsquery_sql(variants, cfg, params) for lang, cfg in CONFIGS.items()}
    simple = _tsquery_sql(variants, "simple", params)
    query_sql = (
        f"CASE lang WHEN 'it' THEN ({queries['it']}) WHEN 'en' THEN ({queries['en']}) ELSE ({simple}) END"
    )
    stmt = (
        select(KnowledgeVersion.id, text(f"ts_rank({VECTOR_SQL}, {query_sql}) AS rank"))
        .where(KnowledgeVersion.review_state == ReviewState.approved)
        .where(text(f"{VECTOR_SQL} @@ ({query_sql})"))
        .order_by(text("rank DESC"))
        .limit(CANDIDATES)
    )
    return stmt, params


def _python_score(haystack: str, variants: list[list[str]]) -> float:
    score = 0.0
    for toks in variants:
        if toks and all(t in haystack for t in toks):
            score += 1.0
        elif toks:
            score += 0.25 * sum(t in haystack for t in toks) / len(toks)
    return score


def _embedded_stmt(variants: list[str]) -> tuple[Select[uuid.UUID, str], list[list[str]]] | None:
    token_lists = [[t for t in tokens(v) if len(t) > 1] for v in variants]
    words = sorted({t for toks in token_lists for t in toks})
    if not words:
        return None
    stmt = (
        select(KnowledgeVersion.id, KnowledgeVersion.search_text)
        .where(KnowledgeVersion.review_state == ReviewState.approved)
        .where(or_(*(KnowledgeVersion.search_text.like(f"%{w}%") for w in words)))
    )
    return stmt, token_lists


def _embedded_scores(
    rows: Sequence[Row[uuid.UUID, str]], token_lists: list[list[str]]
) -> dict[uuid.UUID, float]:
    scores = {}
    for version_id, haystack in rows:
        score = _python_score(search_text(haystack), token_lists)
        if score >= 1.0:  # at least one variant matched whole
            scores[version_id] = score
    return scores


def _variants(q: str, lang: str, tm: TranslationMemory | None) -> tuple[dict[str, list[str]], list[str]]:
    """`tm=None`: the query alone, in its own language (the bench's bare baseline)."""
    expansions = memory.expand_query(q, lang, tm) if tm is not None else {lang: [q] if tokens(q) else []}
    return expansions, list(dict.fromkeys(v for vs in expansions.values() for v in vs))


def _best(
    versions: Sequence[KnowledgeVersion], scores: dict[uuid.UUID, float]
) -> dict[uuid.UUID, tuple[float, KnowledgeVersion]]:
    """One candidate per item: its best-scoring approved version."""
    best: dict[uuid.UUID, tuple[float, KnowledgeVersion]] = {}
    for v in versions:
        s = scores[v.id]
        if v.item_id not in best or s > best[v.item_id][0]:
            best[v.item_id] = (s, v)
    return best


def _links_stmt(item_ids: list[uuid.UUID]) -> Select[KnowledgeLink]:
    return (
        select(KnowledgeLink)
        .where(KnowledgeLink.item_id.in_(item_ids))
        .order_by(KnowledgeLink.start_s, KnowledgeLink.page)
    )


@dataclass
class _Loaded:
    best: dict[uuid.UUID, tuple[float, KnowledgeVersion]]
    versions: Sequence[KnowledgeVersion]
    items: dict[uuid.UUID, KnowledgeItem]
    links: Sequence[KnowledgeLink]

    def video_ids(self) -> set[uuid.UUID]:
        return {ln.video_id for ln in self.links if ln.video_id is not None}


def _hits(loaded: _Loaded, published: set[uuid.UUID], lang: str, limit: int) -> list[Hit]:
    """Hits of items whose matched version is still current and that keep a public link (no link
    to an unpublished video only), shown in `lang` when approved there."""
    hits: list[Hit] = []
    for item_id, (score, matched) in sorted(loaded.best.items(), key=lambda kv: -kv[1][0]):
        current = current_versions([v for v in loaded.versions if v.item_id == item_id], public=True)
        if current.get(matched.lang) is not matched:
            continue  # an older approved version matched; the current one did not
        shown = current.get(lang, matched)
        public = [
            ln
            for ln in loaded.links
            if ln.item_id == item_id and (ln.video_id is None or ln.video_id in published)
        ]
        if not public:
            continue
        hits.append(
            Hit(
                item_id=item_id,
                kind=loaded.items[item_id].kind,
                lang=shown.lang,
                title=shown.title,
                snippet=shown.body[:200],
                score=round(score, 4),
                matched_lang=matched.lang,
                moments=[Moment(ln.video_id, ln.document_id, ln.start_s, ln.end_s, ln.page) for ln in public],
            )
        )
        if len(hits) >= limit:
            break
    return hits


async def _scores(session: AsyncSession, variants: list[str]) -> dict[uuid.UUID, float]:
    if _dialect(session) == "postgresql":
        stmt, params = _postgres_stmt(variants)
        return {row[0]: float(row[1]) for row in (await session.execute(stmt, params)).all()}
    embedded = _embedded_stmt(variants)
    if embedded is None:
        return {}
    return _embedded_scores((await session.execute(embedded[0])).all(), embedded[1])


def _scores_sync(session: Session, variants: list[str]) -> dict[uuid.UUID, float]:
    if _dialect(session) == "postgresql":
        stmt, params = _postgres_stmt(variants)
        return {row[0]: float(row[1]) for row in session.execute(stmt, params).all()}
    embedded = _embedded_stmt(variants)
    if embedded is None:
        return {}
    return _embedded_scores(session.execute(embedded[0]).all(), embedded[1])


def _dialect(session: AsyncSession | Session) -> str:
    return session.bind.dialect.name if session.bind is not None else "sqlite"


async def search(session: AsyncSession, q: str, lang: str, *, limit: int = 20, expand: bool = True) -> Result:
    """`expand=False`: the query alone, in its own language (the bench's bare baseline)."""
    expansions, variants = _variants(q, lang, await memory.load(session) if expand else None)
    scores = await _scores(session, variants) if variants else {}
    if not scores:
        return Result(q, lang, expansions, [])
    versions = (
        await session.scalars(select(KnowledgeVersion).where(KnowledgeVersion.id.in_(list(scores))))
    ).all()
    best = _best(versions, scores)
    item_ids = list(best)
    loaded = _Loaded(
        best,
        (await session.scalars(select(KnowledgeVersion).where(KnowledgeVersion.item_id.in_(item_ids)))).all(),
        {i.id: i for i in await session.scalars(select(KnowledgeItem).where(KnowledgeItem.id.in_(item_ids)))},
        (await session.scalars(_links_stmt(item_ids))).all(),
    )
    published = await published_videos(session, loaded.video_ids())
    return Result(q, lang, expansions, _hits(loaded, published, lang, limit))


def search_sync(session: Session, q: str, lang: str, *, limit: int = 20) -> Result:
    """`search` for a worker's sync session (the coach's retrieval): approved versions only, items
    of unpublished videos left out, the same expansion through the translation memory."""
    expansions, variants = _variants(q, lang, memory.load_sync(session))
    scores = _scores_sync(session, variants) if variants else {}
    if not scores:
        return Result(q, lang, expansions, [])
    versions = session.scalars(select(KnowledgeVersion).where(KnowledgeVersion.id.in_(list(scores)))).all()
    best = _best(versions, scores)
    item_ids = list(best)
    loaded = _Loaded(
        best,
        session.scalars(select(KnowledgeVersion).where(KnowledgeVersion.item_id.in_(item_ids))).all(),
        {i.id: i for i in session.scalars(select(KnowledgeItem).where(KnowledgeItem.id.in_(item_ids)))},
        session.scalars(_links_stmt(item_ids)).all(),
    )
    published = media_service.published_video_ids(session, loaded.video_ids())
    return Result(q, lang, expansions, _hits(loaded, published, lang, limit))
