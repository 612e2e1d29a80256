"""Knowledge rules for the API: extraction jobs, items and their versions, review, translation,
documents and captions. No HTTP here.

Visibility: a version is public only when approved; an item is public when it has an approved
version and (for video items) its video is published. The item's owner (the instructor whose
video or document it came from) and admins see everything, and only they edit or review.
"""

from __future__ import annotations

import asyncio
import math
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app import progress, uploads
from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.ids import uuid7
from app.core.pagination import apply_cursor, page_of
from app.core.storage import UploadedPart, get_object_store
from app.jobs.models import JobStatus
from app.knowledge import hls, memory, pipeline
from app.knowledge.models import (
    CaptionTrack,
    ItemKind,
    KnowledgeDocument,
    KnowledgeItem,
    KnowledgeJob,
    KnowledgeLink,
    KnowledgeVersion,
    ReviewState,
    Source,
)
from app.knowledge.text import SEARCH_LANGUAGES, search_text
from app.worker.dispatch import enqueue_after_commit

log = structlog.get_logger(__name__)

PUBLISHED = "published"


def is_admin(user: User | None) -> bool:
    return user is not None and user.role == Role.admin


def _may_manage(owner_id: uuid.UUID, user: User | None) -> bool:
    return user is not None and (user.id == owner_id or is_admin(user))


# --- extraction jobs


async def video_published(session: AsyncSession, *, video_id: uuid.UUID, owner_id: uuid.UUID) -> None:
    """Media's publish hook: queue the video's extraction once (again if the last one failed).
    Sent after the caller's commit."""
    job = await session.scalar(select(KnowledgeJob).where(KnowledgeJob.video_id == video_id))
    if job is not None and job.status != JobStatus.failed:
        return
    try:
        source_key = await pipeline.video_source_key(session, video_id)
    except NotFound:
        log.warning("knowledge_video_without_source", video_id=str(video_id))
        return
    if job is None:
        job = KnowledgeJob(owner_id=owner_id, video_id=video_id, source_key=source_key)
        session.add(job)
    queue_job(job)
    await session.flush()
    enqueue_after_commit(session, pipeline.EXTRACT_TASK, str(job.id))


def queue_job(job: KnowledgeJob) -> None:
    """(Re)set a job to queued; the caller enqueues its task after the commit."""
    job.status = JobStatus.pending
    job.progress = 0
    job.stage = "queued"
    job.failure_reason = None
    job.task_id = None
    job.lease_id = None
    job.run_count = 0
    job.queued_at = utcnow()
    job.finished_at = None


async def get_video_job(session: AsyncSession, video_id: uuid.UUID, user: User) -> KnowledgeJob:
    job = await session.scalar(select(KnowledgeJob).where(KnowledgeJob.video_id == video_id))
    if job is None or not _may_manage(job.owner_id, user):
        raise NotFound("This video has no knowledge extraction.", code="knowledge_job_not_found")
    return job


async def get_job(session: AsyncSession, job_id: uuid.UUID, user: User) -> KnowledgeJob:
    job = await session.get(KnowledgeJob, job_id)
    if job is None or not _may_manage(job.owner_id, user):
        raise NotFound("No such extraction.", code="knowledge_job_not_found")
    return job


async def list_jobs(
    session: AsyncSession, user: User, *, active: bool, limit: int = 50
) -> list[KnowledgeJob]:
    """The user's extractions (admins: everyone's), newest first; `active`: only queued or running."""
    query = select(KnowledgeJob).order_by(KnowledgeJob.created_at.desc()).limit(limit)
    if not is_admin(user):
        query = query.where(KnowledgeJob.owner_id == user.id)
    if active:
        query = query.where(KnowledgeJob.status.in_([JobStatus.pending, JobStatus.running]))
    return list((await session.scalars(query)).all())


# A job's progress stream stays open in these; ready or failed ends it.
PROGRESS_ACTIVE = frozenset({JobStatus.pending.value, JobStatus.running.value})


def progress_channel(job_id: uuid.UUID) -> str:
    """The channel the job runner publishes on (app/studio/jobs.py `_nudge`, kind "knowledge")."""
    from app.studio.service import progress_channel as studio_channel

    return studio_channel(pipeline.KIND, job_id)


async def load_job_state(session: AsyncSession, job_id: uuid.UUID) -> progress.State | None:
    job = await session.get(KnowledgeJob, job_id)
    if job is None:
        return None
    return progress.state(job.status.value, job.progress, job.stage, job.failure_reason)


async def retry_job(session: AsyncSession, job_id: uuid.UUID, user: User) -> KnowledgeJob:
    job = await get_job(session, job_id, user)
    if job.status != JobStatus.failed:
        raise Conflict("Only a failed extraction can be retried.", code="job_not_failed")
    queue_job(job)
    enqueue_after_commit(session, pipeline.EXTRACT_TASK, str(job.id))
    await session.commit()
    await session.refresh(job)
    return job


# --- items


@dataclass
class ItemView:
    item: KnowledgeItem
    versions: list[KnowledgeVersion]  # what the viewer may see, newest first per language
    links: list[KnowledgeLink]


def current_versions(versions: Sequence[KnowledgeVersion], *, public: bool) -> dict[str, KnowledgeVersion]:
    """Per language: the newest version (the newest approved one for the public)."""
    best: dict[str, KnowledgeVersion] = {}
    for v in versions:
        if public and v.review_state != ReviewState.approved:
            continue
        if v.lang not in best or v.number > best[v.lang].number:
            best[v.lang] = v
    return best


async def published_videos(session: AsyncSession, video_ids: set[uuid.UUID]) -> set[uuid.UUID]:
    from app.media import service as media_service

    published = set()
    for video_id in video_ids:
        try:
            summary = await media_service.get_video_summary(session, video_id)
        except NotFound:
            continue
        if summary.status == PUBLISHED:
            published.add(video_id)
    return published


async def _public_links(session: AsyncSession, links: Sequence[KnowledgeLink]) -> list[KnowledgeLink]:
    videos = await published_videos(session, {ln.video_id for ln in links if ln.video_id})
    return [ln for ln in links if ln.video_id is None or ln.video_id in videos]


async def _versions(
    session: AsyncSession, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[KnowledgeVersion]]:
    rows = (
        await session.scalars(
            select(KnowledgeVersion)
            .where(KnowledgeVersion.item_id.in_(list(item_ids)))
            .order_by(KnowledgeVersion.lang, KnowledgeVersion.number.desc())
        )
    ).all()
    out: dict[uuid.UUID, list[KnowledgeVersion]] = {i: [] for i in item_ids}
    for v in rows:
        out[v.item_id].append(v)
    return out


async def _links(
    session: AsyncSession, item_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, list[KnowledgeLink]]:
    rows = (
        await session.scalars(
            select(KnowledgeLink)
            .where(KnowledgeLink.item_id.in_(list(item_ids)))
            .order_by(KnowledgeLink.start_s, KnowledgeLink.page)
        )
    ).all()
    out: dict[uuid.UUID, list[KnowledgeLink]] = {i: [] for i in item_ids}
    for ln in rows:
        out[ln.item_id].append(ln)
    return out


async def get_item(session: AsyncSession, item_id: uuid.UUID, viewer: User | None) -> ItemView:
    item = await session.get(KnowledgeItem, item_id)
    if item is None:
        raise NotFound("No such item.", code="item_not_found")
    versions = (await _versions(session, [item.id]))[item.id]
    links = (await _links(session, [item.id]))[item.id]
    if _may_manage(item.owner_id, viewer):
        return ItemView(item, versions, links)
    public = [v for v in versions if v.review_state == ReviewState.approved]
    links = await _public_links(session, links)
    if not public or not links:
        raise NotFound("No such item.", code="item_not_found")
    return ItemView(item, public, links)


async def list_items(
    session: AsyncSession,
    viewer: User | None,
    *,
    video_id: uuid.UUID | None = None,
    kind: ItemKind | None = None,
    review: ReviewState | None = None,
    owner_id: uuid.UUID | None = None,
    limit: int,
    cursor: str | None,
) -> tuple[list[ItemView], str | None]:
    """Items the viewer may see. `review`: only items with a version in that state (the review
    queue: `unreviewed`; the owner's own, everyone's for admins)."""
    stmt = select(KnowledgeItem)
    if video_id is not None:
        stmt = stmt.where(
            KnowledgeItem.id.in_(select(KnowledgeLink.item_id).where(KnowledgeLink.video_id == video_id))
        )
    if kind is not None:
        stmt = stmt.where(KnowledgeItem.kind == kind)
    if owner_id is not None:
        stmt = stmt.where(KnowledgeItem.owner_id == owner_id)
    managing = review is not None
    if managing:
        if viewer is None:
            return [], None
        if not is_admin(viewer):
            stmt = stmt.where(KnowledgeItem.owner_id == viewer.id)
        stmt = stmt.where(
            KnowledgeItem.id.in_(
                select(KnowledgeVersion.item_id).where(KnowledgeVersion.review_state == review)
            )
        )
    else:
        stmt = stmt.where(
            KnowledgeItem.id.in_(
                select(KnowledgeVersion.item_id).where(KnowledgeVersion.review_state == ReviewState.approved)
            )
        )
    rows = (await session.scalars(apply_cursor(stmt, KnowledgeItem.id, limit=limit, cursor=cursor))).all()
    items, next_cursor = page_of(rows, limit)
    ids = [i.id for i in items]
    versions = await _versions(session, ids)
    links = await _links(session, ids)
    views = []
    for item in items:
        if managing:
            views.append(ItemView(item, versions[item.id], links[item.id]))
            continue
        public_links = await _public_links(session, links[item.id])
        if public_links:
            approved = [v for v in versions[item.id] if v.review_state == ReviewState.approved]
            views.append(ItemView(item, approved, public_links))
    return views, next_cursor


async def _managed_item(session: AsyncSession, item_id: uuid.UUID, user: User) -> KnowledgeItem:
    item = await session.get(KnowledgeItem, item_id, with_for_update=True)
    if item is None or not _may_manage(item.owner_id, user):
        raise NotFound("No such item.", code="item_not_found")
    return item


def _check_lang(lang: str) -> str:
    if lang not in SEARCH_LANGUAGES:
        raise ValidationFailed(
            f"Language must be one of {', '.join(SEARCH_LANGUAGES)}.",
            code="invalid_language",
            params={"languages": ", ".join(SEARCH_LANGUAGES)},
        )
    return lang


async def _next_number(session: AsyncSession, item_id: uuid.UUID, lang: str) -> int:
    top = await session.scalar(
        select(func.max(KnowledgeVersion.number)).where(
            KnowledgeVersion.item_id == item_id, KnowledgeVersion.lang == lang
        )
    )
    return int(top or 0) + 1


async def _add_version(
    session: AsyncSession,
    item: KnowledgeItem,
    *,
    lang: str,
    title: str,
    body: str,
    source: Source,
    author: User | None,
) -> KnowledgeVersion:
    version = KnowledgeVersion(
        item_id=item.id,
        lang=lang,
        number=await _next_number(session, item.id, lang),
        title=title[:300],
        body=body,
        source=source,
        review_state=ReviewState.unreviewed,
        author_id=author.id if author else None,
        search_text=search_text(title, body),
    )
    session.add(version)
    item.updated_at = utcnow()
    return version


async def create_item(
    session: AsyncSession,
    user: User,
    *,
    kind: ItemKind,
    lang: str,
    title: str,
    body: str,
    video_id: uuid.UUID | None,
    start_s: float | None,
    end_s: float | None,
    document_id: uuid.UUID | None,
) -> KnowledgeItem:
    """An instructor's own item (an article, a term...) on their video or document."""
    _check_lang(lang)
    title = title.strip()
    if not title:
        raise ValidationFailed("Give the item a title.", code="title_required")
    if video_id is None and document_id is None:
        raise ValidationFailed("Link the item to a video moment or a document.", code="link_required")
    if video_id is not None:
        from app.media import service as media_service

        summary = await media_service.get_video_summary(session, video_id)
        if not _may_manage(summary.owner_id, user):
            raise NotFound("No such video.", code="video_not_found")
        _check_range(start_s, end_s, summary.duration_s)
    if document_id is not None:
        document = await session.get(KnowledgeDocument, document_id)
        if document is None or not _may_manage(document.owner_id, user):
            raise NotFound("No such document.", code="document_not_found")
    item = KnowledgeItem(owner_id=user.id, kind=kind, key=f"human:{uuid7()}")
    session.add(item)
    await session.flush()
    session.add(
        KnowledgeLink(
            item_id=item.id, video_id=video_id, document_id=document_id, start_s=start_s, end_s=end_s
        )
    )
    await _add_version(session, item, lang=lang, title=title, body=body, source=Source.human, author=user)
    await session.commit()
    return item


def _check_range(start_s: float | None, end_s: float | None, duration: float | None) -> None:
    if start_s is None and end_s is None:
        return
    if start_s is None or end_s is None or not (math.isfinite(start_s) and math.isfinite(end_s)):
        raise ValidationFailed("A moment needs both start_s and end_s.", code="invalid_range")
    if start_s < 0 or end_s <= start_s or (duration is not None and end_s > duration + 1e-3):
        raise ValidationFailed(
            "The moment must satisfy 0 <= start_s < end_s <= duration.", code="invalid_range"
        )


async def edit_item(
    session: AsyncSession, item_id: uuid.UUID, user: User, *, lang: str, title: str, body: str, approve: bool
) -> KnowledgeVersion:
    """A new version in `lang` (the old ones stay); approved at once when asked."""
    _check_lang(lang)
    item = await _managed_item(session, item_id, user)
    if not title.strip():
        raise ValidationFailed("Give the item a title.", code="title_required")
    version = await _add_version(
        session, item, lang=lang, title=title.strip(), body=body, source=Source.human, author=user
    )
    if approve:
        await session.flush()
        await _approve(session, item, version, user)
    await session.commit()
    return version


async def _version_of(session: AsyncSession, item_id: uuid.UUID, version_id: uuid.UUID) -> KnowledgeVersion:
    version = await session.get(KnowledgeVersion, version_id, with_for_update=True)
    if version is None or version.item_id != item_id:
        raise NotFound("No such version.", code="version_not_found")
    return version


async def _approve(session: AsyncSession, item: KnowledgeItem, version: KnowledgeVersion, user: User) -> None:
    version.review_state = ReviewState.approved
    version.reviewed_by = user.id
    version.reviewed_at = utcnow()
    # Every human-approved translation joins the memory: pairs with the item's other approved languages.
    others = current_versions((await _versions(session, [item.id]))[item.id], public=True)
    for lang, other in others.items():
        if lang != version.lang:
            await memory.add_pair(session, other, version)


async def review_version(
    session: AsyncSession, item_id: uuid.UUID, version_id: uuid.UUID, user: User, *, approve: bool
) -> KnowledgeVersion:
    item = await _managed_item(session, item_id, user)
    version = await _version_of(session, item.id, version_id)
    if approve:
        await _approve(session, item, version, user)
    else:
        version.review_state = ReviewState.rejected
        version.reviewed_by = user.id
        version.reviewed_at = utcnow()
    await session.commit()
    return version


@dataclass
class TranslationOutcome:
    version: KnowledgeVersion | None
    offline: bool  # no machine translator configured
    suggestions: list[memory.Suggestion] = field(default_factory=list)


async def translate_item(
    session: AsyncSession, settings: Settings, item_id: uuid.UUID, user: User, *, source: str, target: str
) -> TranslationOutcome:
    """Memory first, the LLM only with a key. Offline with no memory hit: suggestions, no version."""
    _check_lang(source)
    _check_lang(target)
    item = await _managed_item(session, item_id, user)
    current = current_versions((await _versions(session, [item.id]))[item.id], public=False)
    if source not in current:
        raise Conflict(
            f"The item has no {source} version to translate.",
            code="no_source_version",
            params={"language": source},
        )
    original = current[source]
    tm = await memory.load(session)
    translator = memory.translator(settings)
    title = await asyncio.to_thread(memory.translate, original.title, source, target, tm, translator)
    if title.text is None:
        return TranslationOutcome(None, translator is None, memory.suggestions(title))
    body_text = ""
    if original.body.strip():
        body = await asyncio.to_thread(memory.translate, original.body, source, target, tm, translator)
        body_text = body.text or ""
    origin = Source.tm if title.origin == "tm" else Source.machine
    version = await _add_version(
        session, item, lang=target, title=title.text, body=body_text, source=origin, author=None
    )
    await session.commit()
    return TranslationOutcome(version, translator is None, memory.suggestions(title))


# --- the "what this video teaches" panel


@dataclass
class VideoKnowledge:
    chapters: list[ItemView]
    techniques: list[ItemView]
    captions: list[CaptionTrack]


async def video_knowledge(session: AsyncSession, video_id: uuid.UUID, viewer: User | None) -> VideoKnowledge:
    from app.media import service as media_service

    summary = await media_service.get_video_summary(session, video_id)
    manager = _may_manage(summary.owner_id, viewer)
    if summary.status != PUBLISHED and not manager:
        raise NotFound("No such video.", code="video_not_found")
    ids = (
        await session.scalars(select(KnowledgeLink.item_id).where(KnowledgeLink.video_id == video_id))
    ).all()
    items = (await session.scalars(select(KnowledgeItem).where(KnowledgeItem.id.in_(list(ids))))).all()
    versions = await _versions(session, [i.id for i in items])
    links = await _links(session, [i.id for i in items])
    views: list[ItemView] = []
    for item in items:
        seen = [v for v in versions[item.id] if manager or v.review_state == ReviewState.approved]
        if seen:
            views.append(ItemView(item, seen, [ln for ln in links[item.id] if ln.video_id == video_id]))
    views.sort(key=lambda v: (v.links[0].start_s or 0.0) if v.links else 0.0)
    return VideoKnowledge(
        chapters=[v for v in views if v.item.kind == ItemKind.chapter],
        techniques=sorted(
            (v for v in views if v.item.kind == ItemKind.technique), key=lambda v: -(v.item.confidence or 0)
        ),
        captions=await list_captions(session, video_id, viewer, manager=manager),
    )


# --- documents


@dataclass
class DocumentTicket:
    document: KnowledgeDocument
    parts: list[tuple[int, str]]
    expires_at: datetime
    uploaded_parts: list[UploadedPart] = field(default_factory=list)


def _upload(document: KnowledgeDocument) -> uploads.Upload:
    assert document.upload_id is not None
    return uploads.Upload(
        document.source_key, document.upload_id, uploads.PartPlan(document.size_bytes, document.part_size)
    )


async def create_document(
    session: AsyncSession,
    settings: Settings,
    user: User,
    *,
    title: str,
    filename: str,
    content_type: str,
    size_bytes: int,
) -> DocumentTicket:
    content_type = content_type.lower()
    kind = pipeline.DOCUMENT_UPLOAD
    uploads.check_declared(kind, settings, size_bytes=size_bytes, content_type=content_type)
    if not filename.strip() or not title.strip():
        raise ValidationFailed("The document needs a title and a file name.", code="title_required")
    document_id = uuid7()
    upload = await uploads.start(
        pipeline.DOCUMENT_UPLOAD, settings, document_id, size_bytes=size_bytes, content_type=content_type
    )
    document = KnowledgeDocument(
        id=document_id,
        owner_id=user.id,
        title=title.strip()[:200],
        filename=filename.strip()[:255],
        content_type=content_type,
        size_bytes=size_bytes,
        part_size=upload.plan.part_size,
        part_count=upload.plan.count,
        source_key=upload.key,
        upload_id=upload.upload_id,
    )
    session.add(document)
    await session.commit()
    signed = await uploads.sign(pipeline.DOCUMENT_UPLOAD, upload, range(1, upload.plan.count + 1), settings)
    return DocumentTicket(document, signed.parts, signed.expires_at)


async def _own_document(session: AsyncSession, document_id: uuid.UUID, user: User) -> KnowledgeDocument:
    document = await session.get(KnowledgeDocument, document_id)
    if document is None or document.owner_id != user.id:
        raise NotFound("No such document.", code="document_not_found")
    return document


async def resume_document(
    session: AsyncSession, settings: Settings, document_id: uuid.UUID, user: User
) -> DocumentTicket:
    """The parts stored so far and fresh URLs for the missing ones (resume after a break)."""
    document = await _own_document(session, document_id, user)
    if document.upload_id is None:
        raise Conflict("This document's upload is already complete.", code="upload_already_completed")
    uploaded, signed = await uploads.resume(pipeline.DOCUMENT_UPLOAD, _upload(document), settings)
    return DocumentTicket(document, signed.parts, signed.expires_at, uploaded)


async def complete_document(
    session: AsyncSession,
    settings: Settings,
    document_id: uuid.UUID,
    user: User,
    parts: Sequence[UploadedPart] | None,
) -> KnowledgeJob:
    """Assemble the upload and queue its extraction (completing again returns the same job)."""
    document = await session.get(KnowledgeDocument, document_id, with_for_update=True)
    if document is None or document.owner_id != user.id:
        raise NotFound("No such document.", code="document_not_found")
    if document.upload_id is not None:
        await uploads.complete(_upload(document), parts)
        document.upload_id = None
        document.uploaded_at = utcnow()
    job = await session.scalar(select(KnowledgeJob).where(KnowledgeJob.document_id == document.id))
    if job is None:
        job = KnowledgeJob(owner_id=user.id, document_id=document.id, source_key=document.source_key)
        session.add(job)
        queue_job(job)
        await session.flush()
        enqueue_after_commit(session, pipeline.EXTRACT_TASK, str(job.id))
    await session.commit()
    await session.refresh(job)
    return job


async def get_document(
    session: AsyncSession, document_id: uuid.UUID, viewer: User | None
) -> KnowledgeDocument:
    document = await session.get(KnowledgeDocument, document_id)
    if document is None or not _may_manage(document.owner_id, viewer):
        raise NotFound("No such document.", code="document_not_found")
    return document


# --- captions


async def list_captions(
    session: AsyncSession, video_id: uuid.UUID, viewer: User | None, *, manager: bool = False
) -> list[CaptionTrack]:
    rows = (
        await session.scalars(
            select(CaptionTrack)
            .where(CaptionTrack.video_id == video_id)
            .order_by(CaptionTrack.lang, CaptionTrack.number.desc())
        )
    ).all()
    if manager:
        return list(rows)
    return [r for r in rows if r.review_state == ReviewState.approved]


async def _managed_video(session: AsyncSession, video_id: uuid.UUID, user: User) -> Any:
    from app.media import service as media_service

    summary = await media_service.get_video_summary(session, video_id)
    if not _may_manage(summary.owner_id, user):
        raise NotFound("No such video.", code="video_not_found")
    return summary


async def caption_text(session: AsyncSession, track_id: uuid.UUID, viewer: User | None) -> str:
    track = await session.get(CaptionTrack, track_id)
    if track is None:
        raise NotFound("No such caption track.", code="caption_not_found")
    from app.media import service as media_service

    summary = await media_service.get_video_summary(session, track.video_id)
    public = track.review_state == ReviewState.approved and summary.status == PUBLISHED
    if not public and not _may_manage(summary.owner_id, viewer):
        raise NotFound("No such caption track.", code="caption_not_found")
    data = await asyncio.to_thread(get_object_store().get_bytes, track.vtt_key)
    return data.decode("utf-8")


async def edit_captions(
    session: AsyncSession, video_id: uuid.UUID, user: User, *, lang: str, vtt: str, approve: bool
) -> CaptionTrack:
    """The instructor's captions: a new track version (WebVTT), approved at once when asked."""
    _check_lang(lang)
    summary = await _managed_video(session, video_id, user)
    if not hls.is_webvtt(vtt) or "-->" not in vtt:
        raise ValidationFailed("Captions must be WebVTT with at least one cue.", code="invalid_webvtt")
    number = await _next_caption_number(session, video_id, lang)
    key = f"knowledge/videos/{video_id}/captions/{lang}/{number}.vtt"
    await asyncio.to_thread(get_object_store().put_bytes, key, vtt.encode(), "text/vtt")
    track = CaptionTrack(
        video_id=video_id, lang=lang, number=number, vtt_key=key, source=Source.human, author_id=user.id
    )
    session.add(track)
    await session.flush()
    if approve:
        await _publish_captions(session, summary, track)
    await session.commit()
    return track


@dataclass
class CaptionTranslation:
    track: CaptionTrack | None  # None when no cue could be translated
    offline: bool  # no machine translator configured: only translation-memory hits are used
    translated: int
    total: int


async def translate_captions(
    session: AsyncSession, settings: Settings, track_id: uuid.UUID, user: User, *, target: str
) -> CaptionTranslation:
    """A new unreviewed track in `target`, cue by cue: the translation memory first, the LLM only
    with OPENAI_API_KEY (the shared provider client). Offline, the cues the memory does not hold
    are left out and the outcome says how many were translated."""
    _check_lang(target)
    track = await session.get(CaptionTrack, track_id)
    if track is None:
        raise NotFound("No such caption track.", code="caption_not_found")
    await _managed_video(session, track.video_id, user)
    if track.lang == target:
        raise ValidationFailed("The captions are already in that language.", code="same_language")
    data = await asyncio.to_thread(get_object_store().get_bytes, track.vtt_key)
    cues = hls.vtt_cues(data.decode("utf-8"))
    tm = await memory.load(session)
    translator = memory.translator(settings)

    def run() -> tuple[list[hls.Cue], set[str]]:
        out: list[hls.Cue] = []
        origins: set[str] = set()
        for cue in cues:
            result = memory.translate(cue.text, track.lang, target, tm, translator)
            if result.text:
                out.append(hls.Cue(cue.timing, result.text.strip()))
                origins.add(result.origin or "machine")
        return out, origins

    translated, origins = await asyncio.to_thread(run)
    outcome = CaptionTranslation(None, translator is None, len(translated), len(cues))
    if not translated:
        return outcome
    number = await _next_caption_number(session, track.video_id, target)
    key = f"knowledge/videos/{track.video_id}/captions/{target}/{number}.vtt"
    await asyncio.to_thread(get_object_store().put_bytes, key, hls.webvtt(translated).encode(), "text/vtt")
    outcome.track = CaptionTrack(
        video_id=track.video_id,
        lang=target,
        number=number,
        vtt_key=key,
        source=Source.tm if origins == {"tm"} else Source.machine,
        author_id=None,
    )
    session.add(outcome.track)
    await session.commit()
    await session.refresh(outcome.track)
    return outcome


async def _next_caption_number(session: AsyncSession, video_id: uuid.UUID, lang: str) -> int:
    top = await session.scalar(
        select(func.max(CaptionTrack.number)).where(
            CaptionTrack.video_id == video_id, CaptionTrack.lang == lang
        )
    )
    return int(top or 0) + 1


async def review_captions(
    session: AsyncSession, track_id: uuid.UUID, user: User, *, approve: bool
) -> CaptionTrack:
    track = await session.get(CaptionTrack, track_id, with_for_update=True)
    if track is None:
        raise NotFound("No such caption track.", code="caption_not_found")
    summary = await _managed_video(session, track.video_id, user)
    if approve:
        await _publish_captions(session, summary, track)
    else:
        track.review_state = ReviewState.rejected
    await session.commit()
    return track


async def _publish_captions(session: AsyncSession, summary: Any, track: CaptionTrack) -> None:
    """Approve `track`, copy every language's current approved track under the media prefix and
    write a master playlist naming them (new keys: nothing cached goes stale)."""
    track.review_state = ReviewState.approved
    prefix = summary.media_prefix
    if not prefix:
        return  # not processed yet; the next approval writes the playlists
    await session.flush()
    approved = {t.lang: t for t in reversed(await list_captions(session, track.video_id, None))}
    store = get_object_store()
    stamp = uuid7().hex[:12]

    def write() -> str:
        renditions = []
        for lang, t in sorted(approved.items(), key=lambda kv: kv[0] != track.lang):
            vtt = store.get_bytes(t.vtt_key).decode("utf-8")
            name = f"{lang}-{t.number}"
            store.put_bytes(f"{prefix}hls/subs/{name}.vtt", vtt.encode(), "text/vtt")
            playlist = hls.subtitles_playlist(
                f"{name}.vtt", hls.vtt_duration(vtt) or (summary.duration_s or 1.0)
            )
            store.put_bytes(
                f"{prefix}hls/subs/{name}.m3u8", playlist.encode(), "application/vnd.apple.mpegurl"
            )
            renditions.append(hls.Rendition(lang, f"subs/{name}.m3u8"))
        master = store.get_bytes(f"{prefix}hls/master.m3u8").decode("utf-8")
        key = f"{prefix}hls/master-cc-{stamp}.m3u8"
        store.put_bytes(
            key, hls.master_with_subtitles(master, renditions).encode(), "application/vnd.apple.mpegurl"
        )
        return key

    track.master_key = await asyncio.to_thread(write)


async def subtitled_master(session: AsyncSession, video_id: uuid.UUID, prefix: str) -> str | None:
    """Playback's hook: the master playlist with the approved captions, if one was written under
    the video's current media prefix (a re-transcode starts without until captions are approved)."""
    key = await session.scalar(
        select(CaptionTrack.master_key)
        .where(
            CaptionTrack.video_id == video_id,
            CaptionTrack.review_state == ReviewState.approved,
            CaptionTrack.master_key.is_not(None),
        )
        .order_by(CaptionTrack.created_at.desc(), CaptionTrack.id.desc())
        .limit(1)
    )
    return key if key and key.startswith(prefix) else None


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """The knowledge items and documents the user authored (instructors)."""
    from app.db.export import rows

    items = session.scalars(select(KnowledgeItem).where(KnowledgeItem.owner_id == user_id))
    documents = session.scalars(select(KnowledgeDocument).where(KnowledgeDocument.owner_id == user_id))
    return {"items_authored": rows(items), "documents": rows(documents, omit=("lease_id", "task_id"))}


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Knowledge is teaching content reviewed for everyone: it stays, under the anonymised
    account; the user's name goes from the edits and reviews they made of others' items."""
    from sqlalchemy import update

    session.execute(
        update(KnowledgeVersion).where(KnowledgeVersion.author_id == user_id).values(author_id=None)
    )
    session.execute(
        update(KnowledgeVersion).where(KnowledgeVersion.reviewed_by == user_id).values(reviewed_by=None)
    )
    session.execute(update(CaptionTrack).where(CaptionTrack.author_id == user_id).values(author_id=None))


async def video_transcript(session: AsyncSession, video_id: uuid.UUID) -> dict[str, Any] | None:
    """The speech transcript of a video's finished extraction ({"language", "segments"}), if
    any: the voice domain dubs from it."""
    transcript = await session.scalar(
        select(KnowledgeJob.transcript).where(
            KnowledgeJob.video_id == video_id, KnowledgeJob.status == JobStatus.ready
        )
    )
    return dict(transcript) if isinstance(transcript, dict) else None
