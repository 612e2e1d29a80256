"""A course's items as other domains see them: its videos in order and its bundle offer.

Commerce reads these to sell a course and to grant its rights; this module imports nothing of
commerce, so the dependency runs one way (social.courses knows commerce, commerce knows only
this module)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationFailed
from app.media import catalog
from app.media import schemas as media_schemas
from app.social.models import Course, CourseItem


async def load_course(session: AsyncSession, course_id: uuid.UUID, *, for_update: bool = False) -> Course:
    stmt = select(Course).where(Course.id == course_id)
    if for_update:
        stmt = stmt.with_for_update()
    course = await session.scalar(stmt)
    if course is None:
        raise NotFound("No such course.", code="course_not_found")
    return course


async def course_video_ids(session: AsyncSession, course_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(CourseItem.video_id).where(CourseItem.course_id == course_id).order_by(CourseItem.position)
    )
    return list(rows)


async def published_cards(video_ids: list[uuid.UUID]) -> list[media_schemas.VideoOut]:
    cards = []
    for video_id in video_ids:
        try:
            entry = await catalog.cached_card(video_id)
        except NotFound:
            continue  # unpublished or removed since: not shown
        cards.append(media_schemas.VideoOut.model_validate_json(entry.body))
    return cards


def video_ids_of(session: Session, course_id: uuid.UUID) -> list[uuid.UUID]:
    """Every video of the course, in order (sync: commerce's workers grant a bundle's rights)."""
    return list(
        session.scalars(
            select(CourseItem.video_id).where(CourseItem.course_id == course_id).order_by(CourseItem.position)
        )
    )


@dataclass(frozen=True)
class BundleOffer:
    course_id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    price_cents: int
    currency: str
    video_count: int  # the published videos a buyer sees on the page


async def bundle_offer(session: AsyncSession, course_id: uuid.UUID) -> BundleOffer:
    """What a buyer of the course pays, if it is public and sold as a bundle."""
    course = await load_course(session, course_id)
    cards = await published_cards(await course_video_ids(session, course.id))
    if course.published_at is None or not cards:
        raise NotFound("No such course.", code="course_not_found")
    if course.price_cents is None or course.currency is None:
        raise ValidationFailed("This course is not sold as a bundle.", code="course_not_for_sale")
    return BundleOffer(
        course_id=course.id,
        owner_id=course.owner_id,
        title=course.title,
        price_cents=course.price_cents,
        currency=course.currency,
        video_count=len(cards),
    )
