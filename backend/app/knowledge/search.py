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
from dataclasses import dataclass, field

from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from app.knowledge import memory
from app.knowledge.models import (
    TS_CONFIG_SQL,
    ItemKind,
    KnowledgeItem,
    KnowledgeLink,
    KnowledgeVersion,
    ReviewState,
)
from app.knowledge.service import _public_links, current_versions
from app.knowledge.text import search_text
from video_studio.knowledge.glossary import tokens

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


async def _postgres(session: AsyncSession, variants: list[str]) -> dict[uuid.UUID, float]:
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
    rows = (await session.execute(stmt, params)).all()
    return {row[0]: float(row[1]) for row in rows}


def _python_score(haystack: str, variants: list[list[str]]) -> float:
    score = 0.0
    for toks in variants:
        if toks and all(t in haystack for t in toks):
            score += 1.0
        elif toks:
            score += 0.25 * sum(t in haystack for t in toks) / len(toks)
    return score


async def _embedded(session: AsyncSession, variants: list[str]) -> dict[uuid.UUID, float]:
    token_lists = [[t for t in tokens(v) if len(t) > 1] for v in variants]
    words = sorted({t for toks in token_lists for t in toks})
    if not words:
        return {}
    stmt = (
        select(KnowledgeVersion.id, KnowledgeVersion.search_text)
        .where(KnowledgeVersion.review_state == ReviewState.approved)
        .where(or_(*(KnowledgeVersion.search_text.like(f"%{w}%") for w in words)))
    )
    scores = {}
    for version_id, haystack in (await session.execute(stmt)).all():
        score = _python_score(search_text(haystack), token_lists)
        if score >= 1.0:  # at least one variant matched whole
            scores[version_id] = score
    return scores


async def search(session: AsyncSession, q: str, lang: str, *, limit: int = 20, expand: bool = True) -> Result:
    """`expand=False`: the query alone, in its own language (the bench's bare baseline)."""
    if expand:
        expansions = memory.expand_query(q, lang, await memory.load(session))
    else:
        expansions = {lang: [q] if tokens(q) else []}
    variants = list(dict.fromkeys(v for vs in expansions.values() for v in vs))
    if not variants:
        return Result(q, lang, expansions, [])
    dialect = session.bind.dialect.name if session.bind is not None else "sqlite"
    scores = await (_postgres(session, variants) if dialect == "postgresql" else _embedded(session, variants))
    if not scores:
        return Result(q, lang, expansions, [])
    versions = (
        await session.scalars(select(KnowledgeVersion).where(KnowledgeVersion.id.in_(list(scores))))
    ).all()
    # One hit per item: its best-scoring current approved version.
    best: dict[uuid.UUID, tuple[float, KnowledgeVersion]] = {}
    for v in versions:
        s = scores[v.id]
        if v.item_id not in best or s > best[v.item_id][0]:
            best[v.item_id] = (s, v)
    item_ids = list(best)
    all_versions = (
        await session.scalars(select(KnowledgeVersion).where(KnowledgeVersion.item_id.in_(item_ids)))
    ).all()
    items = {
        i.id: i for i in (await session.scalars(select(KnowledgeItem).where(KnowledgeItem.id.in_(item_ids))))
    }
    links = (await session.scalars(select(KnowledgeLink).where(KnowledgeLink.item_id.in_(item_ids)))).all()
    hits: list[Hit] = []
    for item_id, (score, matched) in sorted(best.items(), key=lambda kv: -kv[1][0]):
        current = current_versions([v for v in all_versions if v.item_id == item_id], public=True)
        if current.get(matched.lang) is not matched:
            continue  # an older approved version matched; the current one did not
        shown = current.get(lang, matched)
        public = await _public_links(session, [ln for ln in links if ln.item_id == item_id])
        if not public:
            continue
        hits.append(
            Hit(
                item_id=item_id,
                kind=items[item_id].kind,
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
    return Result(q, lang, expansions, hits)
