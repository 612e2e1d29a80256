"""Playback: who may play what (asks app.entitlements only), the signed answer, and the app's
own `/media/t/<token>/<key>` handler (embedded mode; playlists behind nginx)."""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Literal

from fastapi import Response
from fastapi.responses import FileResponse, RedirectResponse, StreamingResponse
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.storage import LocalObjectStore, S3ObjectStore, get_object_store, guess_content_type
from app.media import schemas
from app.media.models import Video, VideoStatus
from app.media.service import _load, is_free, is_manager
from app.media.signing import (
    NginxSigner,
    build_signer,
    media_tokens,
    rewrite_for_nginx,
    rewrite_vtt_for_nginx,
    signer_name,
)

MIN_TTL = 60


async def playback(
    session: AsyncSession,
    settings: Settings,
    user: User | None,
    video_id: uuid.UUID,
    kind: Literal["full", "trailer"] = "full",
) -> schemas.PlaybackOut:
    video = await _load(session, video_id)
    manager = is_manager(video, user)
    if video.status != VideoStatus.published and not manager:
        raise NotFound("No such video.", code="video_not_found")
    if not video.media_prefix:
        raise Conflict("This video is not ready to play yet.", code="video_not_ready")
    ttl = settings.media_playback_ttl_seconds
    access_expires: datetime | None = None
    if kind == "trailer":
        if not video.has_trailer:
            raise NotFound("This video has no trailer.", code="no_trailer")
        access = "trailer"
        prefix = video.media_prefix + "trailer/"
    else:
        if user is None:
            from app.core.errors import NotAuthenticated

            raise NotAuthenticated("Log in to watch this video.", code="not_authenticated")
        access, access_expires = await _authorise(session, user, video)
        if access_expires is not None:
            left = int((access_expires - utcnow()).total_seconds())
            ttl = max(MIN_TTL, min(ttl, left))
        prefix = video.media_prefix
    signer = build_signer(settings)
    master = (prefix + "master.m3u8") if kind == "trailer" else (prefix + "hls/master.m3u8")
    signed = signer.sign_playlist(prefix, master, ttl)
    thumbnails = None
    if kind == "full":
        thumbnails = signer.sign_playlist(prefix, prefix + "sprite.vtt", ttl).url
    poster = signer.sign_object(video.poster_key, ttl) if video.poster_key else None
    return schemas.PlaybackOut(
        video_id=video.id,
        kind=kind,
        signer=signer.name,
        url=signed.url,
        expires_at=datetime.fromtimestamp(signed.expires_at, UTC),
        token=signed.token,
        cookies=[schemas.PlaybackCookie(**vars(c)) for c in signed.cookies],
        thumbnails_url=thumbnails,
        poster_url=poster,
        duration_s=video.duration_s,
        access=access,
        access_expires_at=access_expires,
    )


async def _authorise(session: AsyncSession, user: User, video: Video) -> tuple[str, datetime | None]:
    from app.entitlements.service import PlayableVideo, may_play

    decision = await may_play(
        session,
        user=user,
        video=PlayableVideo(
            video_id=video.id,
            owner_id=video.owner_id,
            is_free=is_free(video),
            subscription_included=video.subscription_included,
        ),
    )
    if not decision.allowed:
        raise PermissionDenied(
            "You need to buy, rent or subscribe to watch this video.",
            code="not_entitled",
            details={"reason": decision.reason},
        )
    return decision.reason, decision.expires_at


async def poster_url(
    session: AsyncSession,
    settings: Settings,
    user: User | None,
    video_id: uuid.UUID,
    *,
    pending: bool = False,
) -> str:
    """The poster's signed URL; `pending`: the poster of an edit waiting for review (owner and
    admins only)."""
    video = await _load(session, video_id)
    key = video.poster_key
    if pending:
        key = (video.pending_edit or {}).get("poster_key") if is_manager(video, user) else None
    if (video.status != VideoStatus.published and not is_manager(video, user)) or not key:
        raise NotFound("No poster.", code="poster_not_found")
    # Signed for a day, rounded to the hour so browsers and CDNs see a stable URL meanwhile.
    ttl = 86400 + (3600 - int(time.time()) % 3600)
    return build_signer(settings).sign_object(key, ttl)


# --- the app's media handler -----------------------------------------------------------------

PLAYLIST_HEADERS = {"Cache-Control": "private, max-age=5"}
SEGMENT_HEADERS = {"Cache-Control": "private, max-age=3600"}


def _stream_s3(store: S3ObjectStore, key: str) -> Iterator[bytes]:
    body = store.client.get_object(Bucket=store.bucket, Key=key)["Body"]
    try:
        yield from body.iter_chunks(256 * 1024)
    finally:
        body.close()


async def serve_media(settings: Settings, token: str, key: str) -> Response:
    """Serve `key` if `token` covers it. Any signature problem → 403 (never 404 first)."""
    prefix, expires = media_tokens(settings).verify(token, key)
    del prefix
    store = get_object_store()
    mode = signer_name(settings)
    is_text = key.endswith((".m3u8", ".vtt"))
    if is_text:
        try:
            data = await asyncio.to_thread(store.get_bytes, key)
        except NotFound:
            raise NotFound("No such media.", code="media_not_found") from None
        if mode == "nginx":
            signer = build_signer(settings)
            assert isinstance(signer, NginxSigner)
            text = data.decode("utf-8")
            rewrite = rewrite_for_nginx if key.endswith(".m3u8") else rewrite_vtt_for_nginx
            data = rewrite(text, key, signer, expires).encode()
        return Response(data, media_type=guess_content_type(key), headers=PLAYLIST_HEADERS)
    if mode == "nginx":
        signer = build_signer(settings)
        assert isinstance(signer, NginxSigner)
        return RedirectResponse(signer.signed_media_url(key, expires), status_code=302)
    if isinstance(store, LocalObjectStore):
        path = store.path_for(key)
        if not path.is_file():
            raise NotFound("No such media.", code="media_not_found")
        return FileResponse(path, media_type=guess_content_type(key), headers=SEGMENT_HEADERS)
    if isinstance(store, S3ObjectStore):
        info = await asyncio.to_thread(store.head, key)
        if info is None:
            raise NotFound("No such media.", code="media_not_found")
        return StreamingResponse(
            _stream_s3(store, key),
            media_type=guess_content_type(key),
            headers={**SEGMENT_HEADERS, "Content-Length": str(info.size)},
        )
    data = await asyncio.to_thread(store.get_bytes, key)
    return Response(data, media_type=guess_content_type(key), headers=SEGMENT_HEADERS)
