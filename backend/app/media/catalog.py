"""The public catalog: published videos, searched and filtered, cached.

Search: PostgreSQL full-text (`to_tsvector('simple', search_text)`, GIN index, prefix match per
term: "kick" finds "kicks"); SQLite: every term as a substring. `search_text` holds the title,
description, tags, discipline and style, lower-cased. Responses are cached in the
`media:catalog` namespace (Redis when configured) for MEDIA_CATALOG_CACHE_TTL_SECONDS and the
whole namespace is invalidated on publish, unpublish, edit, poster change and delete.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from typing import Any

from sqlalchemy import func, literal_column, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.core.cache import get_cache
from app.core.config import get_settings
from app.core.errors import NotFound
from app.core.pagination import apply_cursor, page_of
from app.media import schemas
from app.media.models import Level, Video, VideoStatus
from app.media.service import CATALOG_CACHE, instructor_names, to_out


def _terms(q: str) -> list[str]:
    return re.findall(r"\w+", q.lower())[:8]


async def search(
    session: AsyncSession,
    *,
    q: str | None = None,
    discipline: str | None = None,
    level: Level | None = None,
    instructor_id: uuid.UUID | None = None,
    price_type: schemas.PriceType | None = None,
    language: str | None = None,
    limit: int,
    cursor: str | None,
) -> dict[str, Any]:
    params = {
        "q": " ".join(_terms(q or "")),
        "discipline": (discipline or "").lower(),
        "level": level.value if level else "",
        "instructor": str(instructor_id or ""),
        "price": price_type or "",
        "language": language or "",
        "limit": limit,
        "cursor": cursor or "",
    }
    key = "list:" + hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest()
    cache = get_cache()
    cached = cache.get_json(CATALOG_CACHE, key)
    if cached is not None:
        return dict(cached)

    stmt = select(Video).where(Video.status == VideoStatus.published)
    terms = _terms(q or "")
    if terms:
        if session.get_bind().dialect.name == "postgresql":
            query = " & ".join(f"{t}:*" for t in terms)
            config: Any = literal_column("'simple'::regconfig")
            stmt = stmt.where(
                func.to_tsvector(config, Video.search_text).op("@@")(func.to_tsquery(config, query))
            )
        else:
            for term in terms:
                stmt = stmt.where(Video.search_text.contains(term, autoescape=True))
    if discipline:
        stmt = stmt.where(func.lower(Video.discipline) == discipline.lower())
    if level:
        stmt = stmt.where(Video.level == level)
    if instructor_id:
        stmt = stmt.where(Video.owner_id == instructor_id)
    if language:
        stmt = stmt.where(Video.language == language)
    if price_type == "free":
        stmt = stmt.where(Video.price_cents.is_(None), Video.rental_price_cents.is_(None))
    elif price_type == "ppv":
        stmt = stmt.where(Video.price_cents.is_not(None))
    elif price_type == "rental":
        stmt = stmt.where(Video.rental_price_cents.is_not(None))
    elif price_type == "subscription":
        stmt = stmt.where(Video.subscription_included.is_(True))
    rows = (await session.scalars(apply_cursor(stmt, Video.id, limit=limit, cursor=cursor))).all()
    items, next_cursor = page_of(rows, limit)
    names = await instructor_names(session, items)
    page = schemas.VideoPage(items=[to_out(v, names) for v in items], next_cursor=next_cursor)
    body = page.model_dump(mode="json")
    cache.set_json(CATALOG_CACHE, key, body, get_settings().media_catalog_cache_ttl_seconds)
    return body


async def published_detail(session: AsyncSession, video_id: uuid.UUID) -> dict[str, Any] | None:
    """A published video's public card (cached); None when it is not published."""
    cache = get_cache()
    key = f"video:{video_id}"
    cached = cache.get_json(CATALOG_CACHE, key)
    if cached is not None:
        return dict(cached)
    video = await session.get(Video, video_id)
    if video is None or video.status != VideoStatus.published:
        return None
    names = await instructor_names(session, [video])
    body = to_out(video, names).model_dump(mode="json")
    cache.set_json(CATALOG_CACHE, key, body, get_settings().media_catalog_cache_ttl_seconds)
    return body


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
    videos = await search(session, instructor_id=instructor_id, limit=limit, cursor=cursor)
    return schemas.InstructorPageOut(
        id=user.id,
        display_name=user.display_name,
        published_videos=int(count or 0),
        videos=schemas.VideoPage.model_validate(videos),
    )
