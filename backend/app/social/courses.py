"""Courses: an instructor's ordered series of their own videos, with a public course page.

A course holds only its instructor's videos, in the order they set (the whole order is replaced
at once, so there is no position arithmetic to get wrong). It is public once published and while
at least one of its videos is published; the page lists its published videos in order, each as
its catalog card (price, free, subscription-included), so what a visitor can watch or buy is
the videos' own offer.

Bundles. An instructor may set a bundle price (integer minor units + currency) on their own
course. Buying it is one commerce purchase (kind "course", the same checkout and webhook path as a
video) that grants a "watch forever" right to every video of the course; the page shows the
bundle price, the sum of the videos' own prices and what the buyer saves. Decisions:
  - Videos added later: buyers get them too (they bought the course). `set_videos` brings every
    paid purchase of the course up to date in the same transaction.
  - A video taken out of the course stays its buyers' (a right is never deleted).
  - Videos the viewer can already play: the price stays the bundle price (no reduction); the
    page names them (`owned_video_ids`) so the buyer decides knowingly.
  - A subscription covers a course's subscription-included videos as it covers any video; the
    bundle itself is not part of the subscription.
  - Refunds and disputes act on every right of the purchase at once (commerce, under the
    purchase's row lock); the instructor's earnings are one ledger sale per course purchase.
"""

from __future__ import annotations

import uuid

from sqlalchemy import delete, exists, select, tuple_
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.auth.models import Role, User
from app.commerce.pricing import normalise_currency, validate_price
from app.core.cache import get_cache
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from app.db.session import async_session_scope
from app.entitlements import service as entitlements
from app.media import catalog
from app.media import schemas as media_schemas
from app.media import service as media_service
from app.media.models import Video, VideoStatus
from app.social import course_items, schemas
from app.social.models import Course, CourseItem

MAX_VIDEOS = 200


def _manages(course: Course, user: User | None) -> bool:
    if user is None:
        return False
    return user.role == Role.admin or (user.role == Role.instructor and user.id == course.owner_id)


async def _managed(session: AsyncSession, user: User, course_id: uuid.UUID) -> Course:
    course = await course_items.load_course(session, course_id, for_update=True)
    if not _manages(course, user):
        raise PermissionDenied("Only the course's instructor may do this.", code="not_course_owner")
    return course


def _bundle_figures(course: Course, cards: list[media_schemas.VideoOut]) -> tuple[int | None, int | None]:
    """(what the course's published videos cost bought one by one, what the bundle saves): only
    for a priced course, over the videos sold on their own in the bundle's currency."""
    if course.price_cents is None or course.currency is None:
        return None, None
    total = sum(
        c.price_cents
        for c in cards
        if c.price_cents is not None and c.currency.lower() == course.currency.lower()
    )
    return total, max(0, total - course.price_cents)


async def _owned(
    session: AsyncSession, course: Course, cards: list[media_schemas.VideoOut], viewer: User | None
) -> tuple[bool, list[uuid.UUID]]:
    """(the viewer bought this course, the course's videos the viewer may already play)."""
    if viewer is None:
        return False, []
    from app.commerce import service as commerce  # commerce asks this module for offers

    bought = await commerce.owns_course(session, user_id=viewer.id, course_id=course.id)
    playable = []
    for card in cards:
        decision = await entitlements.may_play(
            session,
            user=viewer,
            video=entitlements.PlayableVideo.of(card),
            start_playback=False,
        )
        if decision.allowed:
            playable.append(card.id)
    return bought, playable


async def _out(session: AsyncSession, course: Course, viewer: User | None) -> schemas.CourseOut:
    ids = await course_items.course_video_ids(session, course.id)
    cards = await course_items.published_cards(ids)
    owner = await auth_service.get_user(session, course.owner_id)
    total, savings = _bundle_figures(course, cards)
    bought, playable = await _owned(session, course, cards, viewer)
    return schemas.CourseOut(
        id=course.id,
        owner_id=course.owner_id,
        instructor_name=owner.display_name,
        title=course.title,
        description=course.description,
        published=course.published_at is not None,
        videos=cards,
        video_ids=ids if _manages(course, viewer) else [v.id for v in cards],
        price_cents=course.price_cents,
        currency=course.currency,
        videos_total_cents=total,
        savings_cents=savings,
        owned=bought,
        owned_video_ids=playable,
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
    price: tuple[int | None, str | None] | None = None,
) -> schemas.CourseOut:
    """`price`: None leaves the bundle price alone; (None, _) stops selling the bundle;
    (cents, currency) sets it (integer minor units, a currency the platform sells in)."""
    course = await _managed(session, user, course_id)
    was_public = course.published_at is not None
    if price is not None:
        cents, currency = price
        if cents is None:
            course.price_cents, course.currency = None, None
        else:
            if not currency:
                raise ValidationFailed("Give the bundle price's currency.", code="currency_required")
            currency = normalise_currency(currency)
            validate_price(currency, cents)
            course.price_cents, course.currency = cents, currency
    if title is not None:
        course.title = title.strip()
    if description is not None:
        course.description = description.strip()
    if published is True and course.published_at is None:
        if not await course_items.published_cards(await course_items.course_video_ids(session, course.id)):
            raise Conflict("Add at least one published video first.", code="course_empty")
        course.published_at = utcnow()
    elif published is False:
        course.published_at = None
    await session.commit()
    if was_public or course.published_at is not None:
        await _invalidate_catalog()
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
    await session.flush()
    from app.commerce import events as commerce_events  # buyers get the videos added later

    await session.run_sync(commerce_events.extend_course_purchases, course.id)
    await session.commit()
    if course.published_at is not None:
        await _invalidate_catalog()
    return await _out(session, course, user)


async def get(session: AsyncSession, *, course_id: uuid.UUID, viewer: User | None) -> schemas.CourseOut:
    """Published courses with a published video for everyone; any course for its managers."""
    course = await course_items.load_course(session, course_id)
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
    was_public = course.published_at is not None
    await session.delete(course)
    await session.commit()
    if was_public:
        await _invalidate_catalog()


# --- the catalog's course cards ----------------------------------------------------------------
#
# Published courses with at least one published video, newest published first (keyset cursor over
# (published_at, id), the catalog's cursor encoding). Pages are cached in the catalog's namespace
# (media:catalog) as the JSON bytes the client receives: a video's publish, unpublish, edit or
# poster change already invalidates it, and a public course's change does too (below).


async def _invalidate_catalog() -> None:
    await get_cache().invalidate(media_service.CATALOG_CACHE)


def _card(course: Course, instructor_name: str, cards: list[media_schemas.VideoOut]) -> schemas.CourseCardOut:
    assert course.published_at is not None
    durations = [c.duration_s for c in cards]
    total, savings = _bundle_figures(course, cards)
    return schemas.CourseCardOut(
        id=course.id,
        owner_id=course.owner_id,
        instructor_name=instructor_name,
        title=course.title,
        video_count=len(cards),
        duration_s=None if any(d is None for d in durations) else sum(d for d in durations if d is not None),
        cover_url=cards[0].poster_url,  # the public poster path of the catalog card
        published_at=course.published_at,
        price_cents=course.price_cents,
        currency=course.currency,
        videos_total_cents=total,
        savings_cents=savings,
    )


async def query_catalog_page(session: AsyncSession, *, limit: int, cursor: str | None) -> schemas.CoursePage:
    """The page from the database (no cache)."""
    has_published_video = exists().where(
        CourseItem.course_id == Course.id,
        CourseItem.video_id == Video.id,
        Video.status == VideoStatus.published,
    )
    stmt = select(Course).where(Course.published_at.is_not(None), has_published_video)
    if cursor:
        published_at, last_id = catalog.decode_cursor(cursor)
        stmt = stmt.where(tuple_(Course.published_at, Course.id) < tuple_(published_at, last_id))
    stmt = stmt.order_by(Course.published_at.desc(), Course.id.desc()).limit(limit + 1)
    rows = list((await session.scalars(stmt)).all())
    owners = select(User.id, User.display_name).where(User.id.in_({c.owner_id for c in rows}))
    names = {user_id: name for user_id, name in (await session.execute(owners)).tuples()}
    items = []
    for course in rows[:limit]:
        cards = await course_items.published_cards(await course_items.course_video_ids(session, course.id))
        if cards:  # a video unpublished between the query and its card: skip the course
            items.append(_card(course, names.get(course.owner_id, ""), cards))
    next_cursor = None
    if len(rows) > limit:
        last = rows[limit - 1]
        assert last.published_at is not None
        next_cursor = catalog.encode_cursor(last.published_at, last.id)
    return schemas.CoursePage(items=items, next_cursor=next_cursor)


async def cached_catalog_page(*, limit: int, cursor: str | None) -> bytes:
    """The page's JSON bytes, cached like the video catalog's pages."""
    if cursor:
        catalog.decode_cursor(cursor)  # a bad cursor is a 422, never a cached entry

    async def compute() -> bytes:
        async with async_session_scope() as session:
            return (await query_catalog_page(session, limit=limit, cursor=cursor)).model_dump_json().encode()

    key = f"courses:{limit}:{cursor or ''}"
    ttl = get_settings().media_catalog_cache_ttl_seconds
    return (await get_cache().fetch(media_service.CATALOG_CACHE, key, compute, ttl_seconds=ttl)).body
