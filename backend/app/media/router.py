"""Media HTTP API: videos (instructor CRUD + uploads), catalog, playback, reports, moderation,
and the embedded media handler. Thin: parse, authorise, call the service, shape the response."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Header, Query, Request, Response, status
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse

from app.core import ratelimit
from app.core.cache import CachedBody, etag_matches
from app.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    PermissionDenied,
    RateLimited,
    error_responses,
)
from app.core.pagination import DEFAULT_LIMIT
from app.deps import (
    AdminUser,
    CurrentUser,
    CursorParam,
    InstructorUser,
    LimitParam,
    OptionalUser,
    SessionDep,
    SettingsDep,
    VerifiedUser,
)
from app.media import catalog, moderation, playback, schemas, service
from app.media.models import Level, Video, VideoReport, VideoStatus
from app.progress import stream as sse

router = APIRouter(tags=["media"])
admin_router = APIRouter(prefix="/admin", tags=["admin: moderation"])
# Mounted at the root (not under /api/v1): the embedded stand-in for nginx/CloudFront /media/.
files_router = APIRouter(tags=["media files"], include_in_schema=False)


def _language(accept_language: Annotated[str | None, Header()] = None) -> str | None:
    return accept_language


Language = Annotated[str | None, Depends(_language)]


async def _owner_out(session: SessionDep, video: Video, lang: str | None = None) -> schemas.VideoOwnerOut:
    return service.to_owner_out(video, await service.instructor_names(session, [video]), lang)


# --- catalog ------------------------------------------------------------------------------------


CATALOG_CACHE_CONTROL = "public, no-cache"  # shared by everyone; revalidate (304) every time
NOT_MODIFIED: dict[int | str, dict[str, Any]] = {
    304: {"description": "Not Modified: `If-None-Match` matched the current `ETag`."}
}


def _cached(entry: CachedBody, request: Request) -> Response:
    """The cached JSON bytes as they are, or 304 when the client already holds them."""
    headers = {"ETag": entry.etag, "Cache-Control": CATALOG_CACHE_CONTROL}
    if etag_matches(request.headers.get("if-none-match"), entry.etag):
        return Response(status_code=status.HTTP_304_NOT_MODIFIED, headers=headers)
    return Response(entry.body, media_type="application/json", headers=headers)


@router.get("/videos", response_model=schemas.VideoPage, responses=NOT_MODIFIED)
async def list_videos(
    request: Request,
    q: Annotated[str | None, Query(max_length=200)] = None,
    discipline: Annotated[str | None, Query(max_length=60)] = None,
    level: Level | None = None,
    instructor_id: uuid.UUID | None = None,
    price_type: schemas.PriceType | None = None,
    language: Annotated[str | None, Query(max_length=12)] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    """Published videos, newest published first: full-text `q` and filters; cursor pagination.
    Carries an `ETag`; send it back as `If-None-Match` to get 304 while nothing changed."""
    query = catalog.CatalogQuery(
        q=q,
        discipline=discipline,
        level=level,
        instructor_id=instructor_id,
        price_type=price_type,
        language=language,
        limit=limit,
        cursor=cursor,
    )
    return _cached(await catalog.cached_page(query), request)


@router.get("/videos/mine", response_model=schemas.OwnerVideoPage)
async def my_videos(
    session: SessionDep,
    user: InstructorUser,
    video_status: Annotated[VideoStatus | None, Query(alias="status")] = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> schemas.OwnerVideoPage:
    rows, next_cursor = await service.list_own_videos(
        session, user, limit=limit, cursor=cursor, status=video_status
    )
    names = await service.instructor_names(session, rows)
    return schemas.OwnerVideoPage(
        items=[service.to_owner_out(v, names) for v in rows], next_cursor=next_cursor
    )


@router.get("/instructors/{instructor_id}", response_model=schemas.InstructorPageOut)
async def instructor_page(
    session: SessionDep,
    instructor_id: uuid.UUID,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> schemas.InstructorPageOut:
    return await catalog.instructor_page(session, instructor_id, limit=limit, cursor=cursor)


@router.get("/instructors/{instructor_id}/videos", response_model=schemas.VideoPage, responses=NOT_MODIFIED)
async def instructor_videos(
    request: Request,
    instructor_id: uuid.UUID,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> Response:
    query = catalog.CatalogQuery(instructor_id=instructor_id, limit=limit, cursor=cursor)
    return _cached(await catalog.cached_page(query), request)


# --- one video ----------------------------------------------------------------------------------


@router.post("/videos", response_model=schemas.VideoOwnerOut, status_code=status.HTTP_201_CREATED)
async def create_video(
    session: SessionDep, settings: SettingsDep, user: InstructorUser, body: schemas.VideoCreate
) -> schemas.VideoOwnerOut:
    """The upload form: details, price and trailer choice. Upload next, then submit for review."""
    video = await service.create_video(session, settings, user, body)
    return await _owner_out(session, video)


@router.get(
    "/videos/{video_id}", response_model=schemas.VideoOwnerOut | schemas.VideoOut, responses=NOT_MODIFIED
)
async def get_video(
    request: Request, session: SessionDep, user: OptionalUser, video_id: uuid.UUID, lang: Language
) -> Any:
    """The public card (with an `ETag`); the owner and admins also get upload/processing/review
    state."""
    if user is not None:
        video = await service.get_visible_video(session, video_id, user)
        if service.is_manager(video, user):
            return await _owner_out(session, video, lang)
    return _cached(await catalog.cached_card(video_id), request)


@router.patch("/videos/{video_id}", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict))
async def update_video(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    video_id: uuid.UUID,
    body: schemas.VideoUpdate,
) -> schemas.VideoOwnerOut:
    """Only the fields sent change. On a published video, title, description and price changes
    wait for review in `pending_edit` (the published version stays live)."""
    video = await service.update_video(session, settings, user, video_id, body)
    return await _owner_out(session, video)


@router.delete(
    "/videos/{video_id}/pending-edit",
    response_model=schemas.VideoOwnerOut,
    responses=error_responses(Conflict),
)
async def withdraw_edit(session: SessionDep, user: CurrentUser, video_id: uuid.UUID) -> schemas.VideoOwnerOut:
    """Take back an edit of a published video that waits for review."""
    return await _owner_out(session, await service.withdraw_edit(session, user, video_id))


@router.delete("/videos/{video_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_video(session: SessionDep, user: CurrentUser, video_id: uuid.UUID) -> Response:
    await service.delete_video(session, user, video_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/videos/{video_id}/history", response_model=list[schemas.VideoEventOut])
async def video_history(session: SessionDep, user: CurrentUser, video_id: uuid.UUID) -> list[Any]:
    await service.get_managed_video(session, video_id, user)
    return list(await service.list_history(session, video_id))


@router.post(
    "/videos/{video_id}/submit", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict)
)
async def submit_video(session: SessionDep, user: CurrentUser, video_id: uuid.UUID) -> schemas.VideoOwnerOut:
    """Send a processed (`ready`), rejected or unpublished video to the review queue."""
    return await _owner_out(session, await service.submit_for_review(session, user, video_id))


@router.post(
    "/videos/{video_id}/unpublish", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict)
)
async def unpublish_video(
    session: SessionDep, user: CurrentUser, video_id: uuid.UUID, body: schemas.DecisionIn | None = None
) -> schemas.VideoOwnerOut:
    video = await service.unpublish(session, user, video_id, body.reason if body else None)
    return await _owner_out(session, video)


@router.put(
    "/videos/{video_id}/poster",
    response_model=schemas.VideoOwnerOut,
    responses=error_responses(PayloadTooLarge),
)
async def replace_poster(
    session: SessionDep, user: CurrentUser, video_id: uuid.UUID, request: Request
) -> schemas.VideoOwnerOut:
    """Body: the JPEG or PNG image itself (Content-Type image/jpeg or image/png), ≤ 5 MiB."""
    declared = int(request.headers.get("content-length") or 0)
    if declared > service.MAX_POSTER_BYTES:
        raise PayloadTooLarge("The poster may be at most 5 MiB.", code="poster_too_large")
    data = bytearray()
    async for chunk in request.stream():
        data.extend(chunk)
        if len(data) > service.MAX_POSTER_BYTES:
            raise PayloadTooLarge("The poster may be at most 5 MiB.", code="poster_too_large")
    video = await service.replace_poster(
        session, user, video_id, bytes(data), request.headers.get("content-type", "")
    )
    return await _owner_out(session, video)


@router.get("/videos/{video_id}/poster", response_class=RedirectResponse, status_code=302)
async def get_poster(
    session: SessionDep, settings: SettingsDep, user: OptionalUser, video_id: uuid.UUID, pending: bool = False
) -> RedirectResponse:
    """The poster; `pending=true`: the one waiting for review (owner and admins)."""
    url = await playback.poster_url(session, settings, user, video_id, pending=pending)
    return RedirectResponse(url, status_code=302, headers={"Cache-Control": "public, max-age=3600"})


# --- upload -------------------------------------------------------------------------------------


@router.post(
    "/videos/{video_id}/upload",
    response_model=schemas.UploadSessionOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(Conflict, PayloadTooLarge),
)
async def start_upload(
    session: SessionDep,
    settings: SettingsDep,
    user: VerifiedUser,
    video_id: uuid.UUID,
    body: schemas.UploadStart,
) -> schemas.UploadSessionOut:
    """Open a multipart upload: PUT each part's bytes to its URL, keep the ETag response header."""
    return await service.start_upload(session, settings, user, video_id, body)


@router.get(
    "/videos/{video_id}/upload", response_model=schemas.UploadSessionOut, responses=error_responses(Conflict)
)
async def resume_upload(
    session: SessionDep, settings: SettingsDep, user: CurrentUser, video_id: uuid.UUID
) -> schemas.UploadSessionOut:
    """Resume: the parts already stored and fresh URLs for the missing ones."""
    return await service.resume_upload(session, settings, user, video_id)


@router.post(
    "/videos/{video_id}/upload/parts", response_model=schemas.PartsOut, responses=error_responses(Conflict)
)
async def sign_parts(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    video_id: uuid.UUID,
    body: schemas.PartsRequest,
) -> schemas.PartsOut:
    """Fresh URLs for chosen parts (retry a failed or expired part)."""
    return await service.sign_upload_parts(session, settings, user, video_id, body.part_numbers)


@router.post(
    "/videos/{video_id}/upload/complete",
    response_model=schemas.VideoOwnerOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses=error_responses(Conflict),
)
async def complete_upload(
    session: SessionDep,
    settings: SettingsDep,
    user: CurrentUser,
    video_id: uuid.UUID,
    body: schemas.UploadComplete | None = None,
) -> schemas.VideoOwnerOut:
    """Assemble the parts and start processing (follow it on GET /videos/{id}/events)."""
    video = await service.complete_upload(session, settings, user, video_id, body.parts if body else None)
    await session.refresh(video)
    return await _owner_out(session, video)


@router.delete(
    "/videos/{video_id}/upload", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict)
)
async def abort_upload(session: SessionDep, user: CurrentUser, video_id: uuid.UUID) -> schemas.VideoOwnerOut:
    return await _owner_out(session, await service.abort_upload(session, user, video_id))


# --- progress (server-sent events) ----------------------------------------------------------------


@router.get(
    "/videos/{video_id}/events", response_class=sse.ProgressStream, responses=error_responses(RateLimited)
)
async def video_events(session: SessionDep, user: CurrentUser, video_id: uuid.UUID) -> sse.ProgressStream:
    """`text/event-stream` of `progress` events ({status, percent, stage, failure_reason}) until
    processing ends (`end` event). Owner and admins only; at most SSE_MAX_STREAMS_PER_USER open
    streams per user (429 `too_many_streams`)."""
    await service.get_managed_video(session, video_id, user)
    await session.close()
    return await sse.progress_response(
        owner=user.id,
        channel=service.progress_channel(video_id),
        load_state=lambda db: service.load_progress_state(db, video_id),
        active=service.PROGRESS_ACTIVE,
    )


# --- playback -------------------------------------------------------------------------------------


def _with_cookies(response: Response, out: schemas.PlaybackOut) -> schemas.PlaybackOut:
    for cookie in out.cookies:
        response.set_cookie(
            cookie.name,
            cookie.value,
            expires=cookie.expires,
            path=cookie.path,
            domain=cookie.domain,
            secure=True,
            httponly=True,
            samesite="none",
        )
    response.headers["Cache-Control"] = "no-store"
    return out


@router.get("/videos/{video_id}/playback", response_model=schemas.PlaybackOut)
async def video_playback(
    response: Response, session: SessionDep, settings: SettingsDep, user: CurrentUser, video_id: uuid.UUID
) -> schemas.PlaybackOut:
    """A short-lived signed master-playlist URL (+ token/cookies covering its variants and
    segments) for users entitled to the video; 403 `not_entitled` otherwise."""
    return _with_cookies(response, await playback.playback(session, settings, user, video_id, "full"))


@router.get("/videos/{video_id}/trailer", response_model=schemas.PlaybackOut)
async def video_trailer(
    response: Response, session: SessionDep, settings: SettingsDep, user: OptionalUser, video_id: uuid.UUID
) -> schemas.PlaybackOut:
    """The public trailer (first N seconds) of a published video; no login needed."""
    return _with_cookies(response, await playback.playback(session, settings, user, video_id, "trailer"))


def media_cache_control(max_age_s: int) -> str:
    return f"private, max-age={max_age_s}"


def _media_response(answer: playback.Media) -> Response:
    if isinstance(answer, playback.MediaRedirect):
        return RedirectResponse(answer.url, status_code=302)
    headers = {"Cache-Control": media_cache_control(answer.max_age_s)}
    if isinstance(answer, playback.MediaFile):
        return FileResponse(answer.path, media_type=answer.media_type, headers=headers)
    if isinstance(answer, playback.MediaStream):
        headers["Content-Length"] = str(answer.size)
        return StreamingResponse(answer.chunks, media_type=answer.media_type, headers=headers)
    return Response(answer.body, media_type=answer.media_type, headers=headers)


@router.get("/media/t/{token}/{key:path}", include_in_schema=False)
async def api_media(settings: SettingsDep, token: str, key: str) -> Response:
    """The media handler under /api (behind nginx: playlists rewritten with signed segment URLs)."""
    return _media_response(await playback.media(settings, token, key))


EDGE_AUTH_PATH = "/api/v1/media/edge-auth"  # the route below, also answered by hot_paths.py


@router.get("/media/edge-auth", include_in_schema=False)
async def media_edge_auth(
    settings: SettingsDep,
    token: Annotated[str, Header(alias="X-Media-Token")] = "",
    key: Annotated[str, Header(alias="X-Media-Key")] = "",
) -> Response:
    """nginx's `auth_request` for `/media/t/<token>/<key>` (nginx/README.md): 200 or 403, no body,
    and in `Cache-Control` how long nginx may reuse the answer (fresh, then stale while it asks
    again). It reveals only whether a token its caller already holds is valid, so it needs no
    protection of its own."""
    answer = await playback.edge_authorize(settings, token, key)
    return Response(status_code=200 if answer.allowed else 403, headers=edge_auth_headers(answer))


def edge_auth_headers(answer: playback.EdgeAnswer) -> dict[str, str]:
    """How long nginx may reuse the answer (fresh, then stale while it asks again), and why not."""
    reuse = f"max-age={answer.fresh_s}, stale-while-revalidate={answer.stale_s}"
    if answer.grace_s:
        reuse += f", stale-if-error={answer.grace_s}"
    headers = {"Cache-Control": reuse if answer.reuse_s else "no-store"}
    if answer.code:
        headers["X-Media-Denied"] = answer.code
    return headers


@files_router.api_route("/media/t/{token}/{key:path}", methods=["GET", "HEAD"])
async def embedded_media(settings: SettingsDep, token: str, key: str) -> Response:
    return _media_response(await playback.media(settings, token, key))


@files_router.api_route("/media/{key:path}", methods=["GET", "HEAD"])
async def unsigned_media(key: str) -> Response:
    raise PermissionDenied("This media link is not signed.", code="bad_signature")


# --- reports --------------------------------------------------------------------------------------


def _report_out(row: VideoReport) -> schemas.ReportOut:
    return schemas.ReportOut.model_validate(row, from_attributes=True)


@router.post(
    "/videos/{video_id}/reports", response_model=schemas.ReportOut, status_code=status.HTTP_201_CREATED
)
async def report_video(
    session: SessionDep,
    settings: SettingsDep,
    user: VerifiedUser,
    video_id: uuid.UUID,
    body: schemas.ReportIn,
) -> schemas.ReportOut:
    """Report a published video to the moderators (once per user and video)."""
    await ratelimit.limit("media_report", str(user.id), 20, 3600)
    row = await moderation.report(session, settings, user, video_id, body.reason, body.details)
    return _report_out(row)


# --- moderation (admins) --------------------------------------------------------------------------


@admin_router.get("/moderation/queue", response_model=schemas.ReviewQueuePage)
async def review_queue(
    session: SessionDep,
    _: AdminUser,
    lang: Language,
    include_reported: bool = True,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> schemas.ReviewQueuePage:
    """Oldest first: videos in review (submitted, resubmitted, auto-hidden), published ones with an
    edit waiting for review, and reported published ones."""
    rows, next_cursor = await moderation.review_queue(
        session, limit=limit, cursor=cursor, include_reported=include_reported
    )
    names = await service.instructor_names(session, rows)
    return schemas.ReviewQueuePage(
        items=[
            schemas.ReviewItemOut(
                video=service.to_owner_out(v, names, lang),
                open_reports=v.open_report_count,
                trusted_reports=v.trusted_report_count,
                review_note=service.review_note_text(v, lang),
                has_pending_edit=v.pending_edit is not None,
            )
            for v in rows
        ],
        next_cursor=next_cursor,
    )


@admin_router.get("/videos/{video_id}", response_model=schemas.AdminVideoOut)
async def admin_video(
    session: SessionDep, admin: AdminUser, video_id: uuid.UUID, lang: Language
) -> schemas.AdminVideoOut:
    video = await service.get_managed_video(session, video_id, admin)
    reports = await moderation.list_reports(session, video_id)
    history = await service.list_history(session, video_id)
    return schemas.AdminVideoOut(
        video=await _owner_out(session, video, lang),
        reports=[_report_out(r) for r in reports],
        history=[schemas.VideoEventOut.model_validate(e, from_attributes=True) for e in history],
        probe=dict(video.probe or {}),
    )


@admin_router.post(
    "/reports/{report_id}/close",
    response_model=schemas.ReportOut,
    responses=error_responses(Conflict, NotFound),
)
async def close_report(
    session: SessionDep, admin: AdminUser, report_id: uuid.UUID, body: schemas.ReportDecisionIn
) -> schemas.ReportOut:
    return _report_out(await moderation.close_report(session, admin, report_id, body.outcome, body.reason))


@admin_router.get("/videos/{video_id}/reports", response_model=list[schemas.ReportOut])
async def admin_reports(session: SessionDep, _: AdminUser, video_id: uuid.UUID) -> list[schemas.ReportOut]:
    return [_report_out(r) for r in await moderation.list_reports(session, video_id)]


@admin_router.post(
    "/videos/{video_id}/approve", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict)
)
async def approve_video(
    session: SessionDep, admin: AdminUser, video_id: uuid.UUID, body: schemas.DecisionIn | None = None
) -> schemas.VideoOwnerOut:
    video = await moderation.approve(session, admin, video_id, body.reason if body else None)
    return await _owner_out(session, video)


@admin_router.post(
    "/videos/{video_id}/reject", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict)
)
async def reject_video(
    session: SessionDep, admin: AdminUser, video_id: uuid.UUID, body: schemas.RejectIn
) -> schemas.VideoOwnerOut:
    video = await moderation.reject(session, admin, video_id, body.reason)
    return await _owner_out(session, video)


@admin_router.post(
    "/videos/{video_id}/edit/approve",
    response_model=schemas.VideoOwnerOut,
    responses=error_responses(Conflict),
)
async def approve_edit(
    session: SessionDep, admin: AdminUser, video_id: uuid.UUID, body: schemas.DecisionIn | None = None
) -> schemas.VideoOwnerOut:
    """The pending edit of a published video goes live."""
    video = await moderation.approve_edit(session, admin, video_id, body.reason if body else None)
    return await _owner_out(session, video)


@admin_router.post(
    "/videos/{video_id}/edit/reject",
    response_model=schemas.VideoOwnerOut,
    responses=error_responses(Conflict),
)
async def reject_edit(
    session: SessionDep, admin: AdminUser, video_id: uuid.UUID, body: schemas.RejectIn
) -> schemas.VideoOwnerOut:
    """Drop the pending edit (the instructor sees the reason); the published version stays."""
    video = await moderation.reject_edit(session, admin, video_id, body.reason)
    return await _owner_out(session, video)


@admin_router.post(
    "/videos/{video_id}/unpublish", response_model=schemas.VideoOwnerOut, responses=error_responses(Conflict)
)
async def admin_unpublish(
    session: SessionDep, admin: AdminUser, video_id: uuid.UUID, body: schemas.RejectIn
) -> schemas.VideoOwnerOut:
    video = await service.unpublish(session, admin, video_id, body.reason)
    return await _owner_out(session, video)
