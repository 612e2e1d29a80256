"""The public catalog: published videos, searched and filtered, newest published first, cached
as encoded response bytes.

Search: every term must match. PostgreSQL: full-text prefix match (`to_tsvector('simple',
search_text)`, GIN index: "kick" finds "kicks"); SQLite: the term as a substring. Either way a
word of 4+ letters also matches a word that differs by a typo ("squt" finds "squat": pg_trgm's
`<%` on a trigram index, the same rule as a SQL function on SQLite), and accents never matter
("karaté" finds "karate" and back): `search_text` (title, description, tags, discipline, style)
and the terms are folded the same way (app/core/text_search.py).

Order and paging: `published_at` descending (ties: id), keyset cursor over both — a video
published today comes first even if it was created a year ago.

Cache (app.core.cache, namespace `media:catalog`): a page or a card is stored as the JSON bytes
the client receives, with their ETag, for MEDIA_CATALOG_CACHE_TTL_SECONDS (pages with a search
text: MEDIA_SEARCH_CACHE_TTL_SECONDS), and the namespace is invalidated on publish, unpublish,
edit, poster change and delete. A hit costs one Redis round trip and no database session: a
miss opens its own session, so the route needs none. Everything here is public and the same
for every user; anything personal (what the user owns) belongs to its own endpoint, so that this
body can be shared.
"""

from __future__ import annotations

import base64
import hashlib
import struct
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import ColumnElement, func, literal, literal_column, or_, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.core import text_search
from app.core.cache import CachedBody, get_cache
from app.core.config import get_settings
from app.core.errors import NotFound, ValidationFailed
from app.db.session import async_session_scope
from app.media import schemas
from app.media.models import Level, Video, VideoStatus
from app.media.service import CATALOG_CACHE, instructor_names, to_out

_CURSOR = struct.Struct(">q16s")  # published_at in µs since the epoch, then the id


@dataclass(frozen=True)
class CatalogQuery:
    q: str | None = None
    discipline: str | None = None
    level: Level | None = None
    instructor_id: uuid.UUID | None = None
    instructor_ids: tuple[uuid.UUID, ...] | None = None  # any of these (social's following feed)
    price_type: schemas.PriceType | None = None
    language: str | None = None
    limit: int = 20
    cursor: str | None = None

    @property
    def terms(self) -> list[str]:
        return text_search.terms(self.q or "")

    def cache_key(self) -> str:
        """Equal for queries that select the same rows (normalised text, case-folded filters)."""
        parts = (
            " ".join(self.terms),
            (self.discipline or "").lower(),
            self.level.value if self.level else "",
            str(self.instructor_id or ""),
            ",".join(sorted(str(i) for i in self.instructor_ids or ())),
            self.price_type or "",
            self.language or "",
            str(self.limit),
            self.cursor or "",
        )
        return "page:" + hashlib.blake2b("\x1f".join(parts).encode(), digest_size=16).hexdigest()


def encode_cursor(published_at: datetime, video_id: uuid.UUID) -> str:
    micros = int(published_at.timestamp() * 1_000_000)
    return base64.urlsafe_b64encode(_CURSOR.pack(micros, video_id.bytes)).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        micros, id_bytes = _CURSOR.unpack(raw)
        return datetime.fromtimestamp(micros / 1_000_000, UTC), uuid.UUID(bytes=id_bytes)
    except (ValueError, TypeError, struct.error, OverflowError, OSError) as exc:
        raise ValidationFailed("The cursor is not valid.", code="invalid_cursor") from exc


def _term_matches(term: str, *, postgres: bool) -> ColumnElement[bool]:
    exact: ColumnElement[bool]
    near: ColumnElement[bool]
    if postgres:
        config: Any = literal_column("'simple'::regconfig")
        exact = func.to_tsvector(config, Video.search_text).op("@@")(func.to_tsquery(config, f"{term}:*"))
    else:
        exact = Video.search_text.contains(term, autoescape=True)
    if not text_search.forgives_typos(term):
        return exact
    if postgres:
        near = literal(term).op("<%")(Video.search_text)
    else:
        near = func.word_similarity(term, Video.search_text) >= text_search.WORD_SIMILARITY_THRESHOLD
    return or_(exact, near)


async def query_page(session: AsyncSession, query: CatalogQuery) -> schemas.VideoPage:
    """The page from the database (no cache)."""
    stmt = select(Video).where(Video.status == VideoStatus.published, Video.published_at.is_not(None))
    terms = query.terms
    postgres = session.get_bind().dialect.name == "postgresql"
    for term in terms:
        stmt = stmt.where(_term_matches(term, postgres=postgres))
    if query.discipline:
        stmt = stmt.where(func.lower(Video.discipline) == query.discipline.lower())
    if query.level:
        stmt = stmt.where(Video.level == query.level)
    if query.instructor_id:
        stmt = stmt.where(Video.owner_id == query.instructor_id)
    if query.instructor_ids is not None:
        stmt = stmt.where(Video.owner_id.in_(query.instructor_ids))
    if query.language:
        stmt = stmt.where(Video.language == query.language)
    if query.price_type == "free":
        stmt = stmt.where(Video.price_cents.is_(None), Video.rental_price_cents.is_(None))
    elif query.price_type == "ppv":
        stmt = stmt.where(Video.price_cents.is_not(None))
    elif query.price_type == "rental":
        stmt = stmt.where(Video.rental_price_cents.is_not(None))
    elif query.price_type == "subscription":
        stmt = stmt.where(Video.subscription_included.is_(True))
    if query.cursor:
        published_at, last_id = decode_cursor(query.cursor)
        stmt = stmt.where(tuple_(Video.published_at, Video.id) < tuple_(published_at, last_id))
    stmt = stmt.order_by(Video.published_at.desc(), Video.id.desc()).limit(query.limit + 1)
    rows = list((await session.scalars(stmt)).all())
    items = rows[: query.limit]
    next_cursor = None
    if len(rows) > query.limit and items:
        last = items[-1]
        assert last.published_at is not None
        next_cursor = encode_cursor(last.published_at, last.id)
    names = await instructor_names(session, items)
    return schemas.VideoPage(items=[to_out(v, names) for v in items], next_cursor=next_cursor)


async def cached_page(query: CatalogQuery) -> CachedBody:
    """The page's JSON bytes and ETag (see the module doc for the cache)."""
    if query.cursor:
        decode_cursor(query.cursor)  # a bad cursor is a 422, never a cached entry

    async def compute() -> bytes:
        async with async_session_scope() as session:
            return (await query_page(session, query)).model_dump_json().encode()

    settings = get_settings()
    ttl = settings.media_search_cache_ttl_seconds if query.terms else settings.media_catalog_cache_ttl_seconds
    return await get_cache().fetch(CATALOG_CACHE, query.cache_key(), compute, ttl_seconds=ttl)


async def cached_card(video_id: uuid.UUID) -> CachedBody:
    """A published video's public card as JSON bytes (cached); NotFound when not published."""

    async def compute() -> bytes:
        async with async_session_scope() as session:
            video = await session.get(Video, video_id)
            if video is None or video.status != VideoStatus.published:
                raise NotFound("No such video.", code="video_not_found")
            names = await instructor_names(session, [video])
            return to_out(video, names).model_dump_json().encode()

    ttl = get_settings().media_catalog_cache_ttl_seconds
    return await get_cache().fetch(CATALOG_CACHE, f"video:{video_id}", compute, ttl_seconds=ttl)


async def instructor_page(
    session: AsyncSession, instructor_id: uuid.UUID, *, limit: int, cursor: str | None
) -> schemas.InstructorPageOut:
    try:
        user = await auth_service.get_user(session, instructor_id)
    except NotFound:
        raise NotFound("No such instructor.", code="instructor_not_found") from None
    count = await session.scalar(
        select(func.count())
        .select_from(Video)
        .where(Video.owner_id == instructor_id, Video.status == VideoStatus.published)
    )
    if not count and user.role.value == "student":
        raise NotFound("No such instructor.", code="instructor_not_found")
    page = await cached_page(CatalogQuery(instructor_id=instructor_id, limit=limit, cursor=cursor))
    return schemas.InstructorPageOut(
        id=user.id,
        display_name=user.display_name,
        published_videos=int(count or 0),
        videos=schemas.VideoPage.model_validate_json(page.body),
    )
