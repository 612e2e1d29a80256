"""Courses: an instructor's ordered series of their own videos, with a public course page.

A course holds only its instructor's videos, in the order they set (the whole order is replaced
at once, so there is no position arithmetic to get wrong). It is public once published and while
at least one of its videos is published; the page lists its published videos in order, each as
its catalog card (price, free, subscription-included), so what a visitor can watch or buy is
the videos' own offer.

Not built: selling a course as one bundle. Commerce's purchase flow is one video per purchase and
one entitlement per purchase (the source key of a grant, its refund and its dispute), so a bundle
needs a purchase that grants several rights: a change to commerce, left for its own session.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.media import catalog
from app.media import schemas as media_schemas
from app.media import service as media_service
from app.social import schemas
from app.social.models import Course, CourseItem

MAX_VIDEOS = 200


def _manages(course: Course, user: User | None) -> bool:
    if user is None:
        return False
    return user.role == Role.admin or (user.role == Role.instructor and user.id == course.owner_id)


async def _load(session: AsyncSession, course_id: uuid.UUID, *, for_update: bool = False) -> Course:
    stmt = select(Course).where(Course.id == course_id)
    if for_update:
        stmt = stmt.with_for_update()
    course = await session.scalar(stmt)
    if course is None:
        raise NotFound("No such course.", code="course_not_found")
    return course


async def _managed(session: AsyncSession, user: User, course_id: uuid.UUID) -> Course:
    course = await _load(session, course_id, for_update=True)
    if not _manages(course, user):
        raise PermissionDenied("Only the course's instructor may do this.", code="not_course_owner")
    return course


async def _video_ids(session: AsyncSession, course_id: uuid.UUID) -> list[uuid.UUID]:
    rows = await session.scalars(
        select(CourseItem.video_id).where(CourseItem.course_id == course_id).order_by(CourseItem.position)
    )
    return list(rows)


async def _published_cards(video_ids: list[uuid.UUID]) -> list[media_schemas.VideoOut]:
    cards = []
    for video_id in video_ids:
        try:
            entry = await catalog.cached_card(video_id)
        except NotFound:
            continue  # unpublished or removed since: not shown
        cards.append(media_schemas.VideoOut.model_validate_json(entry.body))
    return cards


async def _out(session: AsyncSession, course: Course, viewer: User | None) -> schemas.CourseOut:
    ids = await _video_ids(session, course.id)
    cards = await _published_cards(ids)
    owner = await auth_service.get_user(session, course.owner_id)
    return schemas.CourseOut(
        id=course.id,
        owner_id=course.owner_id,
        instructor_name=owner.display_name,
        title=course.title,
        description=course.description,
        published=course.published_at is not None,
        videos=cards,
        video_ids=ids if _manages(course, viewer) else [v.id for v in cards],
    )


async def create(session: AsyncSession, *, user: User, title: str, description: str) -> schemas.CourseOut:
    course = Course(owner_id=user.id, title=title.strip(), description=description.strip())
    session.add(course)
    await session.commit()
    return await _out(session, course, user)


async def update(
    session: AsyncSession,
    *,
    user: User,
    course_id: uuid.UUID,
    title: str | None,
    description: str | None,
    published: bool | None,
) -> schemas.CourseOut:
    course = await _managed(session, user, course_id)
    if title is not None:
        course.title = title.strip()
    if description is not None:
        course.description = description.strip()
    if published is True and course.published_at is None:
        if not await _published_cards(await _video_ids(session, course.id)):
            raise Conflict("Add at least one published video first.", code="course_empty")
        course.published_at = utcnow()
    elif published is False:
        course.published_at = None
    await session.commit()
    return await _out(session, course, user)


async def set_videos(
    session: AsyncSession, *, user: User, course_id: uuid.UUID, video_ids: list[uuid.UUID]
) -> schemas.CourseOut:
    """Replace the course's videos with `video_ids`, in that order (the course owner's own)."""
    course = await _managed(session, user, course_id)
    if len(set(video_ids)) != len(video_ids):
        raise ValidationFailed("A video appears twice.", code="duplicate_video")
    if len(video_ids) > MAX_VIDEOS:
        raise ValidationFailed(f"A course holds at most {MAX_VIDEOS} videos.", code="course_too_long")
    for video_id in video_ids:
        video = await media_service.get_video_summary(session, video_id)
        if video.owner_id != course.owner_id or video.status == "archived":
            raise ValidationFailed("A course holds only its instructor's own videos.", code="not_own_video")
    await session.execute(delete(CourseItem).where(CourseItem.course_id == course.id))
    for position, video_id in enumerate(video_ids):
        session.add(CourseItem(course_id=course.id, video_id=video_id, position=position))
    course.updated_at = utcnow()
    await session.commit()
    return await _out(session, course, user)


async def get(session: AsyncSession, *, course_id: uuid.UUID, viewer: User | None) -> schemas.CourseOut:
    """Published courses with a published video for everyone; any course for its managers."""
    course = await _load(session, course_id)
    out = await _out(session, course, viewer)
    if not _manages(course, viewer) and (not out.published or not out.videos):
        raise NotFound("No such course.", code="course_not_found")
    return out


async def list_for_instructor(
    session: AsyncSession, *, instructor_id: uuid.UUID, viewer: User | None
) -> list[schemas.CourseOut]:
    """The instructor's courses: published ones for everyone, all of them for the instructor."""
    rows = (
        await session.scalars(
            select(Course).where(Course.owner_id == instructor_id).order_by(Course.id.desc())
        )
    ).all()
    outs = []
    for course in rows:
        out = await _out(session, course, viewer)
        if _manages(course, viewer) or (out.published and out.videos):
            outs.append(out)
    return outs


async def delete_course(session: AsyncSession, *, user: User, course_id: uuid.UUID) -> None:
    course = await _managed(session, user, course_id)
    await session.delete(course)
    await session.commit()
