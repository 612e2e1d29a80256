"""The media rules: videos, uploads, the status machine, and what other domains may ask.

Status machine (transitions happen only here and in processing.py / moderation.py):

    draft ─start_upload→ uploading ─complete→ processing ─job done→ ready ─submit→ in_review
      ↑        │  ↺ restart       ↑ failed ←─ bad input / job gave up          approve↙  ↘reject
      └─abort──┘                  └── start_upload (retry)               published    rejected
    published ─unpublish→ unpublished ─submit→ in_review      rejected ─submit→ in_review
    published ─N trusted reports→ in_review (auto-hidden)      any ─delete→ archived (soft)
    ready / rejected / unpublished ─new trailer choice→ processing (cut again) → ready

Nothing reaches the review queue by itself: the instructor submits, with the price set in the
upload form. A public-facing edit of a published video (title, description, poster, price)
waits in `pending_edit` for a moderator while the published version stays live
(moderation.approve_edit / reject_edit). Instructor powers follow the role: an owner who is no
longer an instructor manages nothing.

For other domains: `get_video_summary` (commerce, studio) and `get_source_object_key` (studio),
async: only the API asks them (no worker does; see app.entitlements.service for the rule).
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app import progress, uploads
from app.auth import service as auth_service
from app.auth.models import Role, User
from app.core.cache import get_cache
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.errors import Conflict, NotFound, PayloadTooLarge, PermissionDenied, ValidationFailed
from app.core.i18n import encode_reason, t
from app.core.pagination import apply_cursor, page_of
from app.core.storage import MultipartUpload, UploadedPart, get_object_store
from app.core.text_search import fold
from app.jobs.outputs import output_prefix
from app.media import schemas, trailer
from app.media.models import JobState, ReviewNote, TrailerMode, Video, VideoEvent, VideoJob, VideoStatus
from app.media.signing import sign_poster
from app.worker.dispatch import enqueue

CATALOG_CACHE = "media:catalog"
S3_MAX_PARTS = 10_000

# Statuses an instructor may (re)start an upload from.
UPLOADABLE = {VideoStatus.draft, VideoStatus.uploading, VideoStatus.failed, VideoStatus.rejected}
# Statuses whose metadata changes are visible in the catalog.
LISTED = {VideoStatus.published}
# What the public sees of a published video: changing these waits for review.
PUBLIC_FIELDS = (
    "title",
    "description",
    "price_cents",
    "rental_price_cents",
    "rental_hours",
    "currency",
    "subscription_included",
)
PRICING_FIELDS = ("price_cents", "rental_price_cents", "rental_hours", "currency", "subscription_included")
TRAILER_FIELDS = ("trailer_mode", "trailer_start_s", "trailer_end_s")
# Statuses a new trailer choice can be made in: before processing, or processed and not live
# (then the trailer is cut again). Unpublish a published video to change its trailer.
TRAILER_EDITABLE = {
    VideoStatus.draft,
    VideoStatus.uploading,
    VideoStatus.failed,
    VideoStatus.ready,
    VideoStatus.rejected,
    VideoStatus.unpublished,
}
SUBMITTABLE = {VideoStatus.ready, VideoStatus.rejected, VideoStatus.unpublished}


@dataclass(frozen=True)
class VideoSummary:
    id: uuid.UUID
    owner_id: uuid.UUID
    title: str
    status: str
    price_cents: int | None
    rental_price_cents: int | None
    rental_hours: int | None
    currency: str
    subscription_included: bool
    is_free: bool
    duration_s: float | None = None  # known once processed (the studio uses it)
    media_prefix: str | None = None  # where the HLS outputs live (knowledge adds captions there)


def is_free(video: Video) -> bool:
    return video.price_cents is None and video.rental_price_cents is None


def _summary(video: Video) -> VideoSummary:
    return VideoSummary(
        id=video.id,
        owner_id=video.owner_id,
        title=video.title,
        status=video.status.value,
        price_cents=video.price_cents,
        rental_price_cents=video.rental_price_cents,
        rental_hours=video.rental_hours,
        currency=video.currency,
        subscription_included=video.subscription_included,
        is_free=is_free(video),
        duration_s=video.duration_s,
        media_prefix=video.media_prefix,
    )


# --- reads for other domains ------------------------------------------------------------------


async def get_video_summary(session: AsyncSession, video_id: uuid.UUID) -> VideoSummary:
    video = await session.get(Video, video_id)
    if video is None:
        raise NotFound("No such video.", code="video_not_found")
    return _summary(video)


@dataclass(frozen=True)
class PublishedText:
    """A published video's words, for retrieval (the coach)."""

    id: uuid.UUID
    title: str
    text: str  # description, discipline, style, tags
    language: str


def published_videos_matching(
    session: Session, words: Sequence[str], *, limit: int = 30
) -> list[PublishedText]:
    """Published videos whose search text holds any of `words` (substrings, lower-case), newest
    first. Sync: the coach's worker asks it."""
    words = [w.lower() for w in words if w][:12]
    if not words:
        return []
    stmt = (
        select(Video)
        .where(Video.status == VideoStatus.published)
        .where(or_(*(Video.search_text.contains(w, autoescape=True) for w in words)))
        .order_by(Video.published_at.desc())
        .limit(limit)
    )
    return [
        PublishedText(
            id=v.id,
            title=v.title,
            text=" ".join(
                x for x in (v.description, v.discipline, v.style or "", " ".join(v.tags or [])) if x
            ),
            language=v.language,
        )
        for v in session.scalars(stmt)
    ]


def published_video_ids(session: Session, video_ids: Collection[uuid.UUID]) -> set[uuid.UUID]:
    """Which of these videos are published. Sync: the coach's worker asks it."""
    if not video_ids:
        return set()
    stmt = select(Video.id).where(Video.id.in_(list(video_ids))).where(Video.status == VideoStatus.published)
    return set(session.scalars(stmt))


async def get_source_object_key(session: AsyncSession, video_id: uuid.UUID) -> str:
    """The object key of the video's original upload (NotFound until an upload completed)."""
    video = await session.get(Video, video_id)
    if video is None or video.source_key is None or video.source_size_bytes is None:
        raise NotFound("This video has no uploaded source.", code="video_source_not_found")
    return video.source_key


# --- live progress (app/progress) --------------------------------------------------------------

# A video's stream stays open while it is in one of these; any other status ends it.
PROGRESS_ACTIVE = frozenset({VideoStatus.uploading.value, VideoStatus.processing.value})


def progress_channel(video_id: uuid.UUID | str) -> str:
    return progress.channel("media", video_id)


def progress_state(video: Video) -> progress.State:
    """What a `progress` event carries: {status, percent, stage, failure_reason}."""
    return progress.state(
        video.status.value, video.progress_percent, video.progress_stage, video.failure_reason
    )


async def load_progress_state(session: AsyncSession, video_id: uuid.UUID) -> progress.State | None:
    video = await session.get(Video, video_id)
    return None if video is None else progress_state(video)


# --- helpers ----------------------------------------------------------------------------------


def source_key(video_id: uuid.UUID) -> str:
    return f"videos/{video_id}/source/original"


def job_prefix(video_id: uuid.UUID, job_id: uuid.UUID) -> str:
    """Everything a processing job writes lives here: a rerun overwrites, a new job never collides."""
    return output_prefix(f"videos/{video_id}", job_id)


def search_text(video: Video) -> str:
    """What the catalog searches, folded (lower-case, no accents: app/core/text_search.py)."""
    parts = [video.title, video.description, " ".join(video.tags), video.discipline, video.style or ""]
    return fold(" ".join(p for p in parts if p))


def transition(
    session: AsyncSession | Session,
    video: Video,
    to: VideoStatus,
    *,
    actor_id: uuid.UUID | None,
    reason: str | None = None,
    job_id: uuid.UUID | None = None,
) -> None:
    """Change the status and append the history row (same transaction as the caller). A video
    leaving `published` takes its pending edit in: it is no longer live, and the next review
    (a resubmission, or the auto-hide review) sees the edited version."""
    if video.status == VideoStatus.published and to != VideoStatus.published and video.pending_edit:
        apply_pending_edit(video)
    # live progress streams follow every change
    progress.publish_after_commit(session, progress_channel(video.id), lambda: progress_state(video))
    session.add(
        VideoEvent(
            video_id=video.id,
            from_status=video.status.value if video.status else None,
            to_status=to.value,
            actor_id=actor_id,
            reason=reason,
            job_id=job_id,
        )
    )
    video.status = to


async def invalidate_catalog() -> None:
    """Call after the commit that changed what the catalog shows (app.core.cache explains why)."""
    await get_cache().invalidate(CATALOG_CACHE)


def is_manager(video: Video, user: User | None) -> bool:
    """Admins, and the owner while they hold the instructor role: powers follow the role, so a
    demoted instructor no longer edits, unpublishes or uploads."""
    if user is None:
        return False
    return user.role == Role.admin or (user.role == Role.instructor and user.id == video.owner_id)


async def _load(session: AsyncSession, video_id: uuid.UUID, *, for_update: bool = False) -> Video:
    stmt = select(Video).where(Video.id == video_id)
    if for_update:
        stmt = stmt.with_for_update()
    video = await session.scalar(stmt)
    if video is None or video.status == VideoStatus.archived:
        raise NotFound("No such video.", code="video_not_found")
    return video


async def get_visible_video(session: AsyncSession, video_id: uuid.UUID, user: User | None) -> Video:
    """Published videos for everyone; every other status only for the owner and admins."""
    video = await _load(session, video_id)
    if video.status != VideoStatus.published and not is_manager(video, user):
        raise NotFound("No such video.", code="video_not_found")
    return video


async def get_managed_video(
    session: AsyncSession, video_id: uuid.UUID, user: User, *, for_update: bool = False
) -> Video:
    """A video the user may change: its owner, or an admin."""
    video = await _load(session, video_id, for_update=for_update)
    if not is_manager(video, user):
        raise PermissionDenied("Only the video's instructor may do this.", code="not_video_owner")
    return video


def _poster_version(key: str) -> str:
    return key.rsplit("/", 2)[-2][:12] if "/" in key else ""


def poster_path(video: Video) -> str | None:
    if not video.poster_key:
        return None
    return f"/api/v1/videos/{video.id}/poster?v={_poster_version(video.poster_key)}"


def to_out(video: Video, names: dict[uuid.UUID, str] | None = None) -> schemas.VideoOut:
    return schemas.VideoOut(
        id=video.id,
        owner_id=video.owner_id,
        instructor_name=(names or {}).get(video.owner_id),
        title=video.title,
        description=video.description,
        discipline=video.discipline,
        style=video.style,
        level=video.level,
        tags=list(video.tags or []),
        language=video.language,
        price_cents=video.price_cents,
        rental_price_cents=video.rental_price_cents,
        rental_hours=video.rental_hours,
        currency=video.currency,
        subscription_included=video.subscription_included,
        is_free=is_free(video),
        status=video.status.value,
        duration_s=video.duration_s,
        width=video.width,
        height=video.height,
        renditions=list(video.renditions or []),
        has_trailer=video.has_trailer,
        poster_url=poster_path(video),
        published_at=video.published_at,
        created_at=video.created_at,
        updated_at=video.updated_at,
    )


def review_note_text(video: Video, lang: str | None = None) -> str | None:
    """Why the video is in the queue, in the reader's language (notes written before they were
    codes are shown as they are)."""
    if video.review_note is None:
        if video.status == VideoStatus.published and video.pending_edit:
            return t(f"media.review_note.{ReviewNote.edit_pending.value}", lang)
        return None
    try:
        note = ReviewNote(video.review_note)
    except ValueError:
        return video.review_note
    return t(f"media.review_note.{note.value}", lang, count=video.trusted_report_count)


def _pending_edit_out(video: Video) -> schemas.PendingEditOut | None:
    edit = video.pending_edit
    if not edit or video.pending_edit_at is None:
        return None
    values = {k: v for k, v in edit.items() if k in PUBLIC_FIELDS}
    poster = None
    if edit.get("poster_key"):
        poster = sign_poster(get_settings(), edit["poster_key"])  # owner/admin view only
    return schemas.PendingEditOut(
        **values,
        poster_url=poster,
        changed=sorted([*values, *(["poster"] if poster else [])]),
        submitted_at=video.pending_edit_at,
    )


def to_owner_out(
    video: Video, names: dict[uuid.UUID, str] | None = None, lang: str | None = None
) -> schemas.VideoOwnerOut:
    base = to_out(video, names).model_dump()
    if video.status != VideoStatus.published and video.poster_key:
        base["poster_url"] = sign_poster(get_settings(), video.poster_key)  # owner/admin view only
    return schemas.VideoOwnerOut(
        **base,
        progress=schemas.ProgressOut(percent=video.progress_percent, stage=video.progress_stage),
        failure_reason=video.failure_reason,
        rejection_reason=video.rejection_reason,
        review_note=review_note_text(video, lang),
        source_size_bytes=video.source_size_bytes,
        open_report_count=video.open_report_count,
        trusted_report_count=video.trusted_report_count,
        trailer_mode=video.trailer_mode,
        trailer_start_s=video.trailer_start_s,
        trailer_end_s=video.trailer_end_s,
        pending_edit=_pending_edit_out(video),
        edit_rejection_reason=video.edit_rejection_reason,
    )


async def instructor_names(session: AsyncSession, videos: Sequence[Video]) -> dict[uuid.UUID, str]:
    users = await session.run_sync(auth_service.get_users, list({v.owner_id for v in videos}))
    return {uid: u.display_name for uid, u in users.items()}


# --- instructor actions -----------------------------------------------------------------------


def _check_price_bounds(currency: str, *prices: int | None) -> None:
    """Instructor prices must sit within the admin-configured bounds (commerce owns the rule)."""
    from app.commerce.pricing import validate_price

    for price in prices:
        validate_price(currency, price)


async def create_video(
    session: AsyncSession, settings: Settings, owner: User, data: schemas.VideoCreate
) -> Video:
    _check_price_bounds(data.currency, data.price_cents, data.rental_price_cents)
    trailer.check_choice(
        settings,
        mode=data.trailer_mode,
        start_s=data.trailer_start_s,
        end_s=data.trailer_end_s,
        duration_s=None,
    )
    video = Video(owner_id=owner.id, **data.model_dump())
    video.search_text = search_text(video)
    session.add(video)
    await session.flush()
    session.add(VideoEvent(video_id=video.id, from_status=None, to_status="draft", actor_id=owner.id))
    await session.commit()
    return video


async def update_video(
    session: AsyncSession, settings: Settings, user: User, video_id: uuid.UUID, patch: schemas.VideoUpdate
) -> Video:
    """Change a video's details. On a published video, public-facing changes (title, description,
    price) go to `pending_edit` for review while the published version stays live; the others
    (discipline, style, level, tags, language) apply at once. A new trailer choice on a processed
    video that is not live cuts the trailer again."""
    video = await get_managed_video(session, video_id, user, for_update=True)
    changes = patch.model_dump(exclude_unset=True)
    for name in (
        "title",
        "discipline",
        "level",
        "currency",
        "subscription_included",
        "language",
        "trailer_mode",
    ):
        if name in changes and changes[name] is None:
            raise ValidationFailed(f"{name} cannot be empty.", code="validation_error")
    if "description" in changes and changes["description"] is None:
        changes["description"] = ""
    if "tags" in changes and changes["tags"] is None:
        changes["tags"] = []
    recut = _trailer_change(settings, video, changes)
    held = video.status == VideoStatus.published
    public = {k: changes.pop(k) for k in PUBLIC_FIELDS if held and k in changes}
    proposed = {**(video.pending_edit or {}), **public}
    pricing = {k: getattr(video, k) for k in PRICING_FIELDS} | {
        k: v for k, v in {**proposed, **changes}.items() if k in PRICING_FIELDS
    }
    _check_pricing(
        pricing,
        bounds=bool((public.keys() | changes.keys()) & {"price_cents", "rental_price_cents", "currency"}),
    )
    for name, value in changes.items():
        setattr(video, name, value)
    if public:
        # Only what differs from the live version waits (setting a field back withdraws it).
        pending = {k: v for k, v in proposed.items() if k == "poster_key" or getattr(video, k) != v}
        video.pending_edit = pending or None
        video.pending_edit_at = utcnow() if pending else None
        video.edit_rejection_reason = None
    video.search_text = search_text(video)
    job_id = await _reprocess(session, video, user, reason="new trailer choice") if recut else None
    await session.commit()
    if job_id is not None:
        enqueue("media.process_video", str(job_id))
    if video.status in LISTED and changes:
        await invalidate_catalog()
    return video


def _check_pricing(pricing: dict[str, object], *, bounds: bool) -> None:
    """The pricing a video would have: rental price and hours together; prices within the
    admin-set bounds when a price or the currency changes (bounds may move later)."""
    try:
        checked = schemas.PricingIn.model_validate(pricing)
    except ValueError as exc:
        raise ValidationFailed(
            "rental_price_cents and rental_hours go together.", code="invalid_pricing"
        ) from exc
    if bounds:
        _check_price_bounds(checked.currency, checked.price_cents, checked.rental_price_cents)


def _trailer_change(settings: Settings, video: Video, changes: dict[str, object]) -> bool:
    """Validate a new trailer choice (in `changes`); True when the trailer must be cut again."""
    if not changes.keys() & set(TRAILER_FIELDS):
        return False
    mode = TrailerMode(changes.get("trailer_mode", video.trailer_mode))  # type: ignore[arg-type]
    if mode != TrailerMode.range:  # a range only means something in "range" mode
        changes.setdefault("trailer_start_s", None)
        changes.setdefault("trailer_end_s", None)
    start = changes.get("trailer_start_s", video.trailer_start_s)
    end = changes.get("trailer_end_s", video.trailer_end_s)
    same = (mode, start, end) == (video.trailer_mode, video.trailer_start_s, video.trailer_end_s)
    if same:
        return False
    if video.status not in TRAILER_EDITABLE:
        raise Conflict(
            f"The trailer of a video that is {video.status.value} cannot change; unpublish it first.",
            code="trailer_locked",
        )
    trailer.check_choice(
        settings,
        mode=mode,
        start_s=start,  # type: ignore[arg-type]
        end_s=end,  # type: ignore[arg-type]
        duration_s=video.duration_s if video.media_prefix else None,
    )
    return bool(video.media_prefix and video.source_key and video.source_size_bytes is not None)


async def _reprocess(session: AsyncSession, video: Video, user: User, *, reason: str) -> uuid.UUID:
    """Run processing again on the stored source (e.g. to cut a new trailer); ends `ready`."""
    job = VideoJob(video_id=video.id, kind="process", state=JobState.queued)
    session.add(job)
    await session.flush()
    video.progress_percent = 0
    video.progress_stage = "queued"
    video.failure_reason = None
    transition(session, video, VideoStatus.processing, actor_id=user.id, reason=reason, job_id=job.id)
    return job.id


def apply_pending_edit(video: Video) -> list[str]:
    """Make the pending edit the video's own (on approval, or when it stops being live)."""
    edit = video.pending_edit or {}
    for name in PUBLIC_FIELDS:
        if name in edit:
            setattr(video, name, edit[name])
    if edit.get("poster_key"):
        video.poster_key = edit["poster_key"]
    drop_pending_edit(video)
    video.search_text = search_text(video)
    return sorted(edit)


def drop_pending_edit(video: Video) -> list[str]:
    """Forget the pending edit (withdrawn, declined or applied); returns what it changed."""
    changed = sorted(video.pending_edit or {})
    video.pending_edit = None
    video.pending_edit_at = None
    return changed


async def withdraw_edit(session: AsyncSession, user: User, video_id: uuid.UUID) -> Video:
    """The instructor takes back their pending edit (the published version stays as it is)."""
    video = await get_managed_video(session, video_id, user, for_update=True)
    if not video.pending_edit:
        raise Conflict("This video has no edit waiting for review.", code="no_pending_edit")
    drop_pending_edit(video)
    await session.commit()
    return video


async def list_own_videos(
    session: AsyncSession, user: User, *, limit: int, cursor: str | None, status: VideoStatus | None
) -> tuple[list[Video], str | None]:
    stmt = select(Video).where(Video.owner_id == user.id, Video.status != VideoStatus.archived)
    if status is not None:
        stmt = stmt.where(Video.status == status)
    rows = (await session.scalars(apply_cursor(stmt, Video.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def list_history(session: AsyncSession, video_id: uuid.UUID) -> list[VideoEvent]:
    rows = await session.scalars(
        select(VideoEvent).where(VideoEvent.video_id == video_id).order_by(VideoEvent.id)
    )
    return list(rows)


# --- uploads (the bytes go straight to object storage) -----------------------------------------


VIDEO_UPLOAD = uploads.UploadKind(
    name="media",
    prefix="videos/",
    key_of=source_key,
    max_bytes=lambda settings: settings.media_max_upload_bytes,
    part_size=lambda settings: settings.media_part_size_bytes,
    abandon_after_seconds=lambda settings: settings.media_upload_abandon_seconds,
    too_large=lambda limit: f"The file is too large: the limit is {limit} bytes.",
    allow_empty=True,
)


def _upload(video: Video, settings: Settings) -> uploads.Upload:
    assert video.upload_id
    plan = uploads.PartPlan(
        video.upload_size_bytes or 0, video.upload_part_size or settings.media_part_size_bytes
    )
    return uploads.Upload(video.source_key or source_key(video.id), video.upload_id, plan)


def _part_urls(signed: uploads.Signed) -> list[schemas.PartUrl]:
    return [schemas.PartUrl(part_number=n, url=url) for n, url in signed.parts]


async def start_upload(
    session: AsyncSession, settings: Settings, user: User, video_id: uuid.UUID, data: schemas.UploadStart
) -> schemas.UploadSessionOut:
    video = await get_managed_video(session, video_id, user, for_update=True)
    if video.status not in UPLOADABLE:
        raise Conflict(
            f"A video that is {video.status.value} cannot take a new upload.", code="invalid_status"
        )
    upload = await uploads.start(
        VIDEO_UPLOAD,
        settings,
        video.id,
        size_bytes=data.size_bytes,
        content_type=data.content_type or "video/mp4",
        replacing=_upload(video, settings) if video.upload_id else None,  # a restart drops the old one
    )
    video.source_key = upload.key
    video.upload_id = upload.upload_id
    video.upload_size_bytes = data.size_bytes
    video.upload_part_size = upload.plan.part_size
    video.upload_filename = data.filename
    video.source_size_bytes = None
    video.failure_reason = None
    video.progress_percent = 0
    video.progress_stage = None
    if video.status != VideoStatus.uploading:
        transition(session, video, VideoStatus.uploading, actor_id=user.id)
    await session.commit()
    signed = await uploads.sign(VIDEO_UPLOAD, upload, range(1, upload.plan.count + 1), settings)
    return schemas.UploadSessionOut(
        video_id=video.id,
        upload_id=upload.upload_id,
        part_size=upload.plan.part_size,
        part_count=upload.plan.count,
        size_bytes=data.size_bytes,
        parts=_part_urls(signed),
        uploaded_parts=[],
        expires_in=signed.expires_in,
    )


async def _open_upload(session: AsyncSession, user: User, video_id: uuid.UUID) -> Video:
    video = await get_managed_video(session, video_id, user)
    if video.status != VideoStatus.uploading or not video.upload_id:
        raise Conflict("There is no upload in progress for this video.", code="no_upload")
    return video


async def resume_upload(
    session: AsyncSession, settings: Settings, user: User, video_id: uuid.UUID
) -> schemas.UploadSessionOut:
    """Which parts the store already holds, and fresh URLs for the missing ones."""
    video = await _open_upload(session, user, video_id)
    upload = _upload(video, settings)
    stored, signed = await uploads.resume(VIDEO_UPLOAD, upload, settings)
    return schemas.UploadSessionOut(
        video_id=video.id,
        upload_id=upload.upload_id,
        part_size=upload.plan.part_size,
        part_count=upload.plan.count,
        size_bytes=upload.plan.total_bytes,
        parts=_part_urls(signed),
        uploaded_parts=[
            schemas.UploadedPartOut(part_number=p.part_number, etag=p.etag, size=p.size) for p in stored
        ],
        expires_in=signed.expires_in,
    )


async def sign_upload_parts(
    session: AsyncSession, settings: Settings, user: User, video_id: uuid.UUID, numbers: list[int]
) -> schemas.PartsOut:
    """Fresh URLs for chosen parts (a retry after a failed or expired PUT)."""
    video = await _open_upload(session, user, video_id)
    signed = await uploads.sign(VIDEO_UPLOAD, _upload(video, settings), numbers, settings)
    return schemas.PartsOut(parts=_part_urls(signed), expires_in=signed.expires_in)


async def abort_upload(session: AsyncSession, user: User, video_id: uuid.UUID) -> Video:
    video = await _open_upload(session, user, video_id)
    await uploads.abort(_upload(video, get_settings()))
    video.upload_id = None
    transition(session, video, VideoStatus.draft, actor_id=user.id, reason="upload aborted")
    await session.commit()
    return video


async def complete_upload(
    session: AsyncSession,
    settings: Settings,
    user: User,
    video_id: uuid.UUID,
    parts: list[schemas.CompletedPart] | None,
) -> Video:
    """Check the parts against the declared size, assemble them, hand the file to a job."""
    video = await get_managed_video(session, video_id, user, for_update=True)
    if video.status != VideoStatus.uploading or not video.upload_id:
        raise Conflict("There is no upload in progress for this video.", code="no_upload")
    listed = None if parts is None else [UploadedPart(p.part_number, p.etag) for p in parts]
    await uploads.complete(_upload(video, settings), listed)
    video.upload_id = None
    video.source_size_bytes = video.upload_size_bytes  # exactly: every part had its planned size
    job = VideoJob(video_id=video.id, kind="process", state=JobState.queued)
    session.add(job)
    await session.flush()
    video.failure_reason = None
    video.progress_percent = 0
    video.progress_stage = "queued"
    transition(session, video, VideoStatus.processing, actor_id=user.id, job_id=job.id)
    await session.commit()
    enqueue("media.process_video", str(job.id))
    return video


async def submit_for_review(session: AsyncSession, user: User, video_id: uuid.UUID) -> Video:
    """The instructor sends a processed video (its price set) to the moderators: the first time
    from `ready`, again after a rejection or an unpublish."""
    video = await get_managed_video(session, video_id, user, for_update=True)
    if video.status not in SUBMITTABLE or not video.media_prefix:
        raise Conflict(
            f"A video that is {video.status.value} cannot be submitted for review.", code="invalid_status"
        )
    first = video.status == VideoStatus.ready
    video.review_note = (ReviewNote.submitted if first else ReviewNote.resubmitted).value
    transition(
        session,
        video,
        VideoStatus.in_review,
        actor_id=user.id,
        reason="submitted" if first else "resubmitted",
    )
    await session.commit()
    return video


async def unpublish(session: AsyncSession, user: User, video_id: uuid.UUID, reason: str | None) -> Video:
    video = await get_managed_video(session, video_id, user, for_update=True)
    if video.status != VideoStatus.published:
        raise Conflict("Only a published video can be unpublished.", code="invalid_status")
    transition(session, video, VideoStatus.unpublished, actor_id=user.id, reason=reason)
    if user.role == Role.admin and user.id != video.owner_id:
        from app.audit.service import record

        record(
            session,
            actor_id=user.id,
            action="media.video.unpublish",
            subject_type="video",
            subject_id=video.id,
            reason=reason,
        )
    await session.commit()
    await invalidate_catalog()
    return video


async def delete_video(session: AsyncSession, user: User, video_id: uuid.UUID) -> None:
    """Soft delete: the row stays (purchases point at it), a worker removes every object."""
    video = await get_managed_video(session, video_id, user, for_update=True)
    was_listed = video.status in LISTED
    if video.upload_id:
        try:
            store = get_object_store()
            await asyncio.to_thread(store.abort_multipart, video.source_key or "", video.upload_id)
        except NotFound:
            pass
        video.upload_id = None
    for job in await session.scalars(
        select(VideoJob).where(
            VideoJob.video_id == video.id, VideoJob.state.in_([JobState.queued, JobState.running])
        )
    ):
        job.state = JobState.cancelled
        job.finished_at = utcnow()
    video.deleted_at = utcnow()
    transition(session, video, VideoStatus.archived, actor_id=user.id, reason="deleted")
    if user.role == Role.admin and user.id != video.owner_id:
        from app.audit.service import record

        record(
            session, actor_id=user.id, action="media.video.delete", subject_type="video", subject_id=video.id
        )
    await session.commit()
    if was_listed:
        await invalidate_catalog()
    enqueue("media.purge_video", str(video.id))


POSTER_TYPES = {"image/jpeg": ("jpg", b"\xff\xd8\xff"), "image/png": ("png", b"\x89PNG\r\n\x1a\n")}
MAX_POSTER_BYTES = 5 * 1024 * 1024


async def replace_poster(
    session: AsyncSession, user: User, video_id: uuid.UUID, data: bytes, content_type: str
) -> Video:
    """A custom poster (JPEG/PNG, ≤ 5 MiB). Images only: the API still never touches video bytes.
    On a published video the new poster waits for review (pending_edit)."""
    import hashlib

    video = await get_managed_video(session, video_id, user, for_update=True)
    kind = POSTER_TYPES.get(content_type.split(";")[0].strip().lower())
    if kind is None or not data.startswith(kind[1]):
        raise ValidationFailed("The poster must be a JPEG or PNG image.", code="invalid_poster")
    if len(data) > MAX_POSTER_BYTES:
        raise PayloadTooLarge("The poster may be at most 5 MiB.", code="poster_too_large")
    digest = hashlib.sha256(data).hexdigest()[:16]
    key = f"videos/{video.id}/poster/{digest}/poster.{kind[0]}"
    await asyncio.to_thread(get_object_store().put_bytes, key, data, content_type)
    if video.status == VideoStatus.published:  # public-facing: waits for review
        video.pending_edit = {**(video.pending_edit or {}), "poster_key": key}
        video.pending_edit_at = utcnow()
        video.edit_rejection_reason = None
    else:
        video.poster_key = key
    await session.commit()
    return video


# --- abandoned uploads (worker side: the beat task default.media.reap_abandoned_uploads) ---------

UPLOAD_ABANDONED = "upload abandoned"


def abandoned_upload_reason(settings: Settings) -> str:
    """A reason code with its number (`upload_abandoned_after?hours=24`): the apps show it in it/en."""
    return encode_reason("upload_abandoned_after", {"hours": settings.media_upload_abandon_seconds / 3600})


def _abandon(session: Session, video: Video, reason: str) -> None:
    video.upload_id = None
    video.failure_reason = reason
    video.progress_percent = 0
    video.progress_stage = None
    transition(session, video, VideoStatus.draft, actor_id=None, reason=UPLOAD_ABANDONED)


def reap_abandoned_uploads(settings: Settings, *, now: datetime | None = None) -> uploads.ReapReport:
    """Abort video uploads started more than MEDIA_UPLOAD_ABANDON_SECONDS ago and never completed;
    their videos go back to draft with a reason the instructor sees (app/uploads/reaper.py)."""
    reason = abandoned_upload_reason(settings)

    def abandon(session: Session, upload: MultipartUpload, cutoff: datetime) -> uploads.Verdict:
        video_id = VIDEO_UPLOAD.id_of_key(upload.key)
        video = session.get(Video, video_id, with_for_update=True) if video_id else None
        if video is None or video.upload_id != upload.upload_id or video.status != VideoStatus.uploading:
            return "orphan"
        if video.updated_at >= cutoff:  # start_upload touched the row: the upload is younger
            return "keep"
        _abandon(session, video, reason)
        return "abandoned"

    def stranded(session: Session, open_ids: set[str], cutoff: datetime) -> int:
        rows = session.scalars(
            select(Video)
            .where(
                Video.status == VideoStatus.uploading,
                Video.upload_id.is_not(None),
                Video.updated_at < cutoff,
            )
            .with_for_update(skip_locked=True)
        ).all()
        gone = [video for video in rows if video.upload_id not in open_ids]
        for video in gone:
            _abandon(session, video, reason)
        return len(gone)

    return uploads.reap_abandoned(VIDEO_UPLOAD, settings, abandon=abandon, stranded=stranded, now=now)


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """The videos the user owns (instructors) and the reports they filed."""
    from app.db.export import rows
    from app.media.models import VideoReport

    videos = session.scalars(select(Video).where(Video.owner_id == user_id).order_by(Video.id))
    reports = session.scalars(select(VideoReport).where(VideoReport.reporter_id == user_id))
    return {
        "videos": rows(videos, omit=("upload_id", "search_text")),
        "reports_filed": rows(reports),
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Reports filed go. Owned videos are archived as by their instructor's own delete (rows kept
    for the purchases pointing at them, objects purged by the worker)."""
    from sqlalchemy import delete, update

    from app.media.models import VideoReport
    from app.worker.dispatch import enqueue_after_commit

    session.execute(delete(VideoReport).where(VideoReport.reporter_id == user_id))
    session.execute(update(VideoReport).where(VideoReport.resolved_by == user_id).values(resolved_by=None))
    session.execute(update(VideoEvent).where(VideoEvent.actor_id == user_id).values(actor_id=None))
    for video in session.scalars(select(Video).where(Video.owner_id == user_id, Video.deleted_at.is_(None))):
        video.deleted_at = utcnow()
        transition(session, video, VideoStatus.archived, actor_id=None, reason="account erased")
        enqueue_after_commit(session, "media.purge_video", str(video.id))
