"""Knowledge HTTP API (/api/v1/knowledge): search, items and their versions, review, translation,
the video panel, captions and documents."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, Query, status
from fastapi.responses import PlainTextResponse

from app.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ValidationFailed,
    error_responses,
)
from app.core.pagination import DEFAULT_LIMIT
from app.core.storage import UploadedPart
from app.deps import CursorParam, InstructorUser, LimitParam, OptionalUser, SessionDep, SettingsDep
from app.knowledge import search as search_service
from app.knowledge import service
from app.knowledge.models import ItemKind, ReviewState
from app.knowledge.schemas import (
    CaptionIn,
    CaptionOut,
    CaptionTranslateIn,
    CaptionTranslateOut,
    DocumentComplete,
    DocumentCreate,
    DocumentOut,
    DocumentUploadOut,
    ItemCreate,
    ItemOut,
    ItemPage,
    JobOut,
    Lang,
    LinkOut,
    MomentOut,
    PartUrlOut,
    ReviewIn,
    SearchHitOut,
    SearchOut,
    SuggestionOut,
    TranscriptOut,
    TranslateIn,
    TranslateOut,
    UploadedPartOut,
    VersionCreate,
    VersionOut,
    VideoKnowledgeOut,
)
from app.progress import stream as sse
from video_studio.i18n import normalize_language, studio_catalogue

router = APIRouter(prefix="/knowledge", tags=["knowledge"])

AcceptLanguage = Annotated[str | None, Header()]


def _item(view: service.ItemView) -> ItemOut:
    item = view.item
    return ItemOut(
        id=item.id,
        kind=item.kind,
        key=item.key,
        owner_id=item.owner_id,
        confidence=item.confidence,
        evidence=item.evidence,
        versions=[VersionOut.model_validate(v) for v in view.versions],
        links=[LinkOut.model_validate(ln) for ln in view.links],
        updated_at=item.updated_at,
    )


@router.get("/search", response_model=SearchOut, responses=error_responses(ValidationFailed))
async def search(
    session: SessionDep,
    q: Annotated[str, Query(min_length=1, max_length=200)],
    lang: Lang = "en",
    limit: LimitParam = DEFAULT_LIMIT,
) -> SearchOut:
    """Approved items in any language: the query is expanded into Italian, English and romaji
    with the translation memory. Each hit carries the video moments (video id + seconds) and
    document pages it links to."""
    result = await search_service.search(session, q.strip(), lang, limit=limit)
    return SearchOut(
        query=result.query,
        lang=result.lang,
        expansions=result.expansions,
        items=[
            SearchHitOut(
                item_id=h.item_id,
                kind=h.kind,
                lang=h.lang,
                title=h.title,
                snippet=h.snippet,
                score=h.score,
                matched_lang=h.matched_lang,
                moments=[MomentOut(**vars(m)) for m in h.moments],
            )
            for h in result.hits
        ],
    )


@router.get("/items", response_model=ItemPage)
async def list_items(
    session: SessionDep,
    viewer: OptionalUser,
    video_id: uuid.UUID | None = None,
    kind: ItemKind | None = None,
    review: ReviewState | None = Query(
        default=None,
        description="the review queue: your items with a version in this state (admins: everyone's)",
    ),
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> ItemPage:
    views, next_cursor = await service.list_items(
        session, viewer, video_id=video_id, kind=kind, review=review, limit=limit, cursor=cursor
    )
    return ItemPage(items=[_item(v) for v in views], next_cursor=next_cursor)


@router.post(
    "/items",
    status_code=status.HTTP_201_CREATED,
    response_model=ItemOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def create_item(body: ItemCreate, user: InstructorUser, session: SessionDep) -> ItemOut:
    item = await service.create_item(
        session,
        user,
        kind=body.kind,
        lang=body.lang,
        title=body.title,
        body=body.body,
        video_id=body.video_id,
        start_s=body.start_s,
        end_s=body.end_s,
        document_id=body.document_id,
    )
    return _item(await service.get_item(session, item.id, user))


@router.get("/items/{item_id}", response_model=ItemOut, responses=error_responses(NotFound))
async def get_item(item_id: uuid.UUID, session: SessionDep, viewer: OptionalUser) -> ItemOut:
    return _item(await service.get_item(session, item_id, viewer))


@router.post(
    "/items/{item_id}/versions",
    status_code=status.HTTP_201_CREATED,
    response_model=VersionOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def edit_item(
    item_id: uuid.UUID, body: VersionCreate, user: InstructorUser, session: SessionDep
) -> VersionOut:
    """A new version in a language (earlier versions stay); `approve` publishes it at once."""
    version = await service.edit_item(
        session, item_id, user, lang=body.lang, title=body.title, body=body.body, approve=body.approve
    )
    return VersionOut.model_validate(version)


@router.post(
    "/items/{item_id}/versions/{version_id}/review",
    response_model=VersionOut,
    responses=error_responses(NotFound),
)
async def review_version(
    item_id: uuid.UUID, version_id: uuid.UUID, body: ReviewIn, user: InstructorUser, session: SessionDep
) -> VersionOut:
    """Approve (public from now on; joins the translation memory) or reject a version."""
    version = await service.review_version(session, item_id, version_id, user, approve=body.approve)
    return VersionOut.model_validate(version)


@router.post(
    "/items/{item_id}/translate",
    response_model=TranslateOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed),
)
async def translate_item(
    item_id: uuid.UUID,
    body: TranslateIn,
    user: InstructorUser,
    session: SessionDep,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> TranslateOut:
    """An unreviewed version in `target`: the translation memory's hit, else the LLM (only
    with OPENAI_API_KEY). Offline with no hit: no version, the memory's suggestions."""
    outcome = await service.translate_item(
        session, settings, item_id, user, source=body.source, target=body.target
    )
    message = (
        studio_catalogue().text("knowledge.offline_translation", normalize_language(accept_language))
        if outcome.offline
        else None
    )
    return TranslateOut(
        version=VersionOut.model_validate(outcome.version) if outcome.version else None,
        offline=outcome.offline,
        message=message,
        suggestions=[SuggestionOut(text=s.text, score=s.score, origin=s.origin) for s in outcome.suggestions],
    )


# --- videos: the panel, the extraction, captions


@router.get("/videos/{video_id}", response_model=VideoKnowledgeOut, responses=error_responses(NotFound))
async def video_knowledge(
    video_id: uuid.UUID, session: SessionDep, viewer: OptionalUser
) -> VideoKnowledgeOut:
    """What this video teaches: approved chapters and techniques with their moments, and the
    caption tracks (its instructor also sees unreviewed ones)."""
    panel = await service.video_knowledge(session, video_id, viewer)
    return VideoKnowledgeOut(
        video_id=video_id,
        chapters=[_item(v) for v in panel.chapters],
        techniques=[_item(v) for v in panel.techniques],
        captions=[CaptionOut.model_validate(c) for c in panel.captions],
    )


@router.get("/videos/{video_id}/job", response_model=JobOut, responses=error_responses(NotFound))
async def video_job(video_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> JobOut:
    return JobOut.model_validate(await service.get_video_job(session, video_id, user))


@router.get("/jobs", response_model=list[JobOut])
async def list_jobs(
    user: InstructorUser, session: SessionDep, active: Annotated[bool, Query()] = False
) -> list[JobOut]:
    """Your extractions (admins: everyone's), newest first; `active=true`: queued or running only."""
    return [JobOut.model_validate(j) for j in await service.list_jobs(session, user, active=active)]


@router.get(
    "/jobs/{job_id}/events",
    response_class=sse.ProgressStream,
    responses=error_responses(NotFound, RateLimited),
)
async def job_events(job_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> sse.ProgressStream:
    """`text/event-stream` of `progress` events ({status, percent, stage, failure_reason}) while
    the extraction waits and runs (stages: downloading, transcribe, ocr, read, classify, storing),
    then one `end` event (ready or failed)."""
    await service.get_job(session, job_id, user)
    await session.close()
    return await sse.progress_response(
        owner=user.id,
        channel=service.progress_channel(job_id),
        load_state=lambda db: service.load_job_state(db, job_id),
        active=service.PROGRESS_ACTIVE,
    )


@router.get("/jobs/{job_id}", response_model=JobOut, responses=error_responses(NotFound))
async def get_job(job_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> JobOut:
    return JobOut.model_validate(await service.get_job(session, job_id, user))


@router.get("/jobs/{job_id}/transcript", response_model=TranscriptOut, responses=error_responses(NotFound))
async def job_transcript(job_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> TranscriptOut:
    job = await service.get_job(session, job_id, user)
    return TranscriptOut(
        job_id=job.id, language=job.language, transcript=job.transcript, ocr_text=job.ocr_text
    )


@router.post(
    "/jobs/{job_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses=error_responses(NotFound, Conflict),
)
async def retry_job(job_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> JobOut:
    return JobOut.model_validate(await service.retry_job(session, job_id, user))


@router.post(
    "/videos/{video_id}/captions",
    status_code=status.HTTP_201_CREATED,
    response_model=CaptionOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def edit_captions(
    video_id: uuid.UUID, body: CaptionIn, user: InstructorUser, session: SessionDep
) -> CaptionOut:
    """The instructor's captions (WebVTT) as a new track version; `approve` puts it in the player."""
    track = await service.edit_captions(
        session, video_id, user, lang=body.lang, vtt=body.vtt, approve=body.approve
    )
    return CaptionOut.model_validate(track)


@router.post(
    "/captions/{track_id}/translate",
    status_code=status.HTTP_201_CREATED,
    response_model=CaptionTranslateOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def translate_captions(
    track_id: uuid.UUID,
    body: CaptionTranslateIn,
    user: InstructorUser,
    session: SessionDep,
    settings: SettingsDep,
    accept_language: AcceptLanguage = None,
) -> CaptionTranslateOut:
    """Translate a caption track into `target` as a new unreviewed track: the translation memory
    first, the LLM only with OPENAI_API_KEY. Offline, only the cues the memory holds (the message
    says so, with how many)."""
    outcome = await service.translate_captions(session, settings, track_id, user, target=body.target)
    lang = normalize_language(accept_language)
    message = (
        studio_catalogue().text(
            "knowledge.offline_captions", lang, translated=outcome.translated, total=outcome.total
        )
        if outcome.offline
        else None
    )
    return CaptionTranslateOut(
        track=CaptionOut.model_validate(outcome.track) if outcome.track else None,
        offline=outcome.offline,
        translated=outcome.translated,
        total=outcome.total,
        message=message,
    )


@router.get("/captions/{track_id}", response_class=PlainTextResponse, responses=error_responses(NotFound))
async def caption_text(track_id: uuid.UUID, session: SessionDep, viewer: OptionalUser) -> PlainTextResponse:
    text = await service.caption_text(session, track_id, viewer)
    return PlainTextResponse(text, media_type="text/vtt")


@router.post("/captions/{track_id}/review", response_model=CaptionOut, responses=error_responses(NotFound))
async def review_captions(
    track_id: uuid.UUID, body: ReviewIn, user: InstructorUser, session: SessionDep
) -> CaptionOut:
    return CaptionOut.model_validate(
        await service.review_captions(session, track_id, user, approve=body.approve)
    )


# --- documents


@router.post(
    "/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=DocumentUploadOut,
    responses=error_responses(ValidationFailed, PayloadTooLarge),
)
async def create_document(
    body: DocumentCreate, user: InstructorUser, session: SessionDep, settings: SettingsDep
) -> DocumentUploadOut:
    """Upload a PDF manual or a picture: presigned multipart part URLs (as for videos); PUT each
    part, then POST /documents/{id}/complete with the ETags."""
    ticket = await service.create_document(
        session,
        settings,
        user,
        title=body.title,
        filename=body.filename,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
    )
    return _ticket(ticket)


def _ticket(ticket: service.DocumentTicket) -> DocumentUploadOut:
    return DocumentUploadOut(
        document=DocumentOut.model_validate(ticket.document),
        part_size=ticket.document.part_size,
        part_count=ticket.document.part_count,
        parts=[PartUrlOut(part_number=n, url=url) for n, url in ticket.parts],
        expires_at=ticket.expires_at,
        uploaded_parts=[
            UploadedPartOut(part_number=p.part_number, etag=p.etag, size=p.size)
            for p in ticket.uploaded_parts
        ],
    )


@router.get(
    "/documents/{document_id}/upload",
    response_model=DocumentUploadOut,
    responses=error_responses(NotFound, Conflict),
)
async def resume_document(
    document_id: uuid.UUID, user: InstructorUser, session: SessionDep, settings: SettingsDep
) -> DocumentUploadOut:
    """Resume an interrupted upload: the parts already stored and fresh URLs for the missing ones."""
    return _ticket(await service.resume_document(session, settings, document_id, user))


@router.post(
    "/documents/{document_id}/complete",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=JobOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def complete_document(
    document_id: uuid.UUID,
    body: DocumentComplete,
    user: InstructorUser,
    session: SessionDep,
    settings: SettingsDep,
) -> JobOut:
    parts = [UploadedPart(part_number=p.part_number, etag=p.etag) for p in body.parts]
    return JobOut.model_validate(await service.complete_document(session, settings, document_id, user, parts))


@router.get("/documents/{document_id}", response_model=DocumentOut, responses=error_responses(NotFound))
async def get_document(document_id: uuid.UUID, session: SessionDep, viewer: OptionalUser) -> DocumentOut:
    return DocumentOut.model_validate(await service.get_document(session, document_id, viewer))
