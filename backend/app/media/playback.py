"""Playback: who may play what (asks app.entitlements only), the signed answer, and what the
app's own `/media/t/<token>/<key>` handler serves (embedded mode; playlists behind nginx).

No HTTP here: `media()` answers with a plain result (bytes, a file, a byte stream or a redirect
target, each with how long it may be cached) that the router and the pre-routing fast path
(hot_paths.py) turn into responses.

Access ends with its reason: a paid playback's token names the viewer and the video, and every
request through the app's media handler (every playlist; in embedded mode every segment too)
re-checks that the viewer may still play it. The answer is cached per (user, video) for
MEDIA_ACCESS_RECHECK_TTL_SECONDS in the user's entitlements namespace, which every change of the
user's rights (refund, revoke, dispute, grant) invalidates after its commit — so a refund stops
the next playlist at once. Without Redis (embedded mode) nothing is cached: the worker that
applies a refund could not reach this process's memory, so each request asks the database.
What stays playable after a refund: nginx edge mode (the default behind nginx): at most
MEDIA_EDGE_AUTH_TTL_SECONDS of playlists and segments, the edge's reuse of the app's answer
(`edge_authorize`); nginx app-served playlists: the segment links already handed out, at most
MEDIA_SEGMENT_LINK_TTL_SECONDS + one bucket; embedded: none; CloudFront: the signed cookies, at
most MEDIA_PLAYBACK_TTL_SECONDS.

nginx edge mode (MEDIA_NGINX_PLAYLISTS=edge): nginx serves `/media/t/<token>/<key>` from the
object store itself, untouched, after an `auth_request` that `edge_authorize` answers; nginx
keeps each answer per (token, directory of the key) for as long as the answer says, so the app
sees one request per viewer and directory per window instead of one per fetch.

Playlists behind nginx served by the app (MEDIA_NGINX_PLAYLISTS=app, and links handed out under
/api/v1/media/t/ before a switch to edge): each segment line becomes its own nginx-signed link
expiring at a bucket boundary (signing.segment_link_expiry), so the rewritten playlist is the same
for every viewer in a bucket and is kept per (object key, expiry) in this process (LRU,
MEDIA_PLAYLIST_CACHE_BYTES).
Objects under a job's prefix never change (a re-transcode writes new keys), so nothing there
needs invalidating. The exception is a dub's audio rendition (`hls/dubs/`), which revoking
consent deletes: it stays out of the cache and is read from the store on every request, so no
process serves it once it is gone. Serving one is: verify the token, the cached re-check, a
dictionary look-up.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import cachetools
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth.models import User
from app.core.cache import get_cache
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.errors import Conflict, NotFound, PermissionDenied
from app.core.storage import LocalObjectStore, S3ObjectStore, get_object_store, guess_content_type
from app.entitlements.service import access_namespace
from app.media import schemas
from app.media.models import Video, VideoStatus
from app.media.service import _load, is_free, is_manager
from app.media.signing import (
    MediaGrant,
    NginxSigner,
    Viewer,
    build_signer,
    media_tokens,
    rewrite_for_nginx,
    rewrite_vtt_for_nginx,
    segment_link_expiry,
    sign_poster,
    signer_name,
)
from app.voice import keys as voice_keys

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
    viewer: Viewer | None = None
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
        viewer = Viewer(user.id, video.id)
        await _remember_access(viewer, settings)
    signer = build_signer(settings)
    master = (prefix + "master.m3u8") if kind == "trailer" else (prefix + "hls/master.m3u8")
    if kind == "full":  # the master naming the approved captions (HLS subtitles), if any
        from app.knowledge.service import subtitled_master

        master = await subtitled_master(session, video.id, prefix) or master
        from app.voice.service import dubbed_master  # the published dubs as audio renditions

        master = await dubbed_master(session, video.id, prefix, master)
    signed = signer.sign_playlist(prefix, master, ttl, viewer=viewer if kind == "full" else None)
    thumbnails = None
    if kind == "full":
        thumbnails = signer.sign_playlist(prefix, prefix + "sprite.vtt", ttl, viewer=viewer).url
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


async def _authorise(
    session: AsyncSession, user: User, video: Video, *, start_playback: bool = True
) -> tuple[str, datetime | None]:
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
        start_playback=start_playback,
    )
    if not decision.allowed:
        raise PermissionDenied(
            "You need to buy, rent or subscribe to watch this video.",
            code="not_entitled",
            details={"reason": decision.reason},
        )
    return decision.reason, decision.expires_at


# --- the re-check on every app-served playlist ----------------------------------------------


def _access_cache_key(viewer: Viewer) -> tuple[str, str]:
    return access_namespace(viewer.user_id), f"media:play:{viewer.video_id}"


async def _may_still_play(viewer: Viewer) -> bool:
    from app.auth import service as auth_service
    from app.core.errors import DomainError
    from app.db.session import async_session_scope

    async with async_session_scope() as session:
        try:
            user = await auth_service.get_active_user(session, viewer.user_id)
            video = await _load(session, viewer.video_id)
            if video.status != VideoStatus.published and not is_manager(video, user):
                return False
            await _authorise(session, user, video, start_playback=False)
        except DomainError:
            return False
    return True


async def _remember_access(viewer: Viewer, settings: Settings) -> None:
    """Playback just authorised the viewer: seed the re-check's cache with that answer."""

    async def allowed() -> bytes:
        return b"1"

    cache = get_cache()
    if cache.shared:
        namespace, key = _access_cache_key(viewer)
        await cache.fetch(namespace, key, allowed, ttl_seconds=settings.media_access_recheck_ttl_seconds)


async def ensure_still_entitled(grant: MediaGrant, settings: Settings) -> None:
    """403 `access_revoked` unless the token's viewer may still play its video (cached; the
    cache is dropped whenever the viewer's rights change)."""
    if grant.user_id is None or grant.video_id is None:
        return  # public media (trailer, poster)
    viewer = Viewer(grant.user_id, grant.video_id)
    cache = get_cache()
    if not cache.shared:
        # In-process cache (no Redis): rights change in the worker process, whose invalidation
        # this process would never hear of. Ask the database each time (not a hot path there).
        allowed = await _may_still_play(viewer)
    else:

        async def decide() -> bytes:
            return b"1" if await _may_still_play(viewer) else b"0"

        namespace, key = _access_cache_key(viewer)
        ttl = settings.media_access_recheck_ttl_seconds
        allowed = (await cache.fetch(namespace, key, decide, ttl_seconds=ttl)).body == b"1"
    if not allowed:
        raise PermissionDenied("Your access to this video has ended.", code="access_revoked")


@dataclass(frozen=True)
class EdgeAnswer:
    """The app's answer to nginx's `auth_request` for `/media/t/<token>/<key>`."""

    allowed: bool
    # How long nginx may reuse this answer for every key in the same directory under the same
    # token, in all: the refund window on allowed answers; 0 = ask again for the next request.
    reuse_s: int
    code: str | None = None  # why not (bad_signature, signature_expired, access_revoked)
    # After `reuse_s`, only while the app cannot answer (5xx, time-out): how much longer nginx
    # may keep using this answer rather than failing every fetch of a viewer who was allowed.
    grace_s: int = 0

    @property
    def stale_s(self) -> int:
        """The last second of `reuse_s`, in which nginx serves the answer while it asks again in
        the background (so no viewer waits for the app), still within `reuse_s`. One second is
        ample for that question; a longer stale part would only make nginx ask more often."""
        return min(1, self.reuse_s // 2)

    @property
    def fresh_s(self) -> int:
        return self.reuse_s - self.stale_s


async def edge_authorize(settings: Settings, token: str, key: str, *, now: float | None = None) -> EdgeAnswer:
    """May the bearer of `token` fetch `key`? The same checks as the app's own media handler
    (signature, expiry, scope, the cached entitlement re-check). An allowed answer may be reused
    for the key's whole directory only if the token covers that whole directory, and never past
    the token's expiry; a refusal is reused for the window too (a forged token's refusals then
    reach the app once per window per directory, not once per request)."""
    now = time.time() if now is None else now
    window = settings.media_edge_auth_ttl_seconds
    try:
        grant = media_tokens(settings).verify(token, key, now=now)
        await ensure_still_entitled(grant, settings)
    except PermissionDenied as exc:
        return EdgeAnswer(False, window, exc.code)
    directory = key.rpartition("/")[0] + "/"
    whole_directory = grant.prefix.endswith("/") and directory.startswith(grant.prefix)
    left = grant.expires - int(now)
    if not whole_directory or left <= 0:
        return EdgeAnswer(True, 0)
    reuse = min(window, left)
    return EdgeAnswer(True, reuse, grace_s=min(settings.media_edge_auth_grace_seconds, left - reuse))


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
    return sign_poster(settings, key)


# --- what the app's media handler serves -----------------------------------------------------

# How long a client may keep what it got: a playlist's signed segment links change every bucket,
# a segment under a job's prefix never changes.
PLAYLIST_MAX_AGE_S = 5
SEGMENT_MAX_AGE_S = 3600


@dataclass(frozen=True)
class MediaBytes:
    body: bytes
    media_type: str
    max_age_s: int


@dataclass(frozen=True)
class MediaFile:
    path: Path
    media_type: str
    max_age_s: int


@dataclass(frozen=True)
class MediaStream:
    chunks: Iterator[bytes]
    media_type: str
    size: int
    max_age_s: int


@dataclass(frozen=True)
class MediaRedirect:
    """Fetch it from there instead (a segment behind nginx: its own signed link)."""

    url: str


Media = MediaBytes | MediaFile | MediaStream | MediaRedirect


def _stream_s3(store: S3ObjectStore, key: str) -> Iterator[bytes]:
    body = store.client.get_object(Bucket=store.bucket, Key=key)["Body"]
    try:
        yield from body.iter_chunks(256 * 1024)
    finally:
        body.close()


class PlaylistCache:
    """Playlists of this process, raw and rewritten, least recently used first out, bounded by
    bytes. Keys are immutable objects (see the module doc), so entries never go stale; a dub's
    rendition, which can be deleted, is never kept."""

    def __init__(self, max_bytes: int) -> None:
        self._entries: cachetools.LRUCache[tuple[str, int], bytes] = cachetools.LRUCache(
            maxsize=max_bytes, getsizeof=len
        )
        self._lock = threading.Lock()  # the embedded test server runs the app in a thread too

    def get(self, key: str, expires: int) -> bytes | None:
        with self._lock:
            return self._entries.get((key, expires))

    def put(self, key: str, expires: int, body: bytes) -> None:
        if voice_keys.is_rendition(key):
            return
        # ValueError: larger than the whole cache, so it is served uncached
        with self._lock, contextlib.suppress(ValueError):
            self._entries[(key, expires)] = body


_playlists: PlaylistCache | None = None


def playlist_cache() -> PlaylistCache:
    global _playlists
    if _playlists is None:
        _playlists = PlaylistCache(get_settings().media_playlist_cache_bytes)
    return _playlists


RAW = 0  # the `expires` slot of an unrewritten object in the playlist cache


async def _stored_text(key: str) -> bytes:
    cache = playlist_cache()
    data = cache.get(key, RAW)
    if data is None:
        try:
            data = await asyncio.to_thread(get_object_store().get_bytes, key)
        except NotFound:
            raise NotFound("No such media.", code="media_not_found") from None
        cache.put(key, RAW, data)
    return data


async def _signed_text(settings: Settings, key: str, expires: int) -> bytes:
    """`key` (playlist or thumbnail track) with every media line signed for nginx until `expires`."""
    cache = playlist_cache()
    data = cache.get(key, expires)
    if data is None:
        signer = build_signer(settings)
        assert isinstance(signer, NginxSigner)
        text = (await _stored_text(key)).decode("utf-8")
        rewrite = rewrite_for_nginx if key.endswith(".m3u8") else rewrite_vtt_for_nginx
        data = rewrite(text, key, signer, expires).encode()
        cache.put(key, expires, data)
    return data


TEXT_SUFFIXES = (".m3u8", ".vtt")


async def text_media(settings: Settings, token: str, key: str) -> bytes:
    """A playlist or thumbnail track (`key` ends in TEXT_SUFFIXES) as served: for a token that
    covers it and a viewer who may still play it; signed segment links behind nginx."""
    grant = media_tokens(settings).verify(token, key)
    await ensure_still_entitled(grant, settings)
    if signer_name(settings) == "nginx":
        return await _signed_text(settings, key, segment_link_expiry(grant.expires, settings))
    return await _stored_text(key)


async def media(settings: Settings, token: str, key: str) -> Media:
    """What `key` is, if `token` covers it and its viewer may still play it. Any signature problem
    → 403 (never 404 first); a right that ended → 403 `access_revoked`."""
    if key.endswith(TEXT_SUFFIXES):
        data = await text_media(settings, token, key)
        return MediaBytes(data, guess_content_type(key), PLAYLIST_MAX_AGE_S)
    grant = media_tokens(settings).verify(token, key)
    await ensure_still_entitled(grant, settings)
    mode = signer_name(settings)
    if mode == "nginx":
        signer = build_signer(settings)
        assert isinstance(signer, NginxSigner)
        return MediaRedirect(signer.signed_media_url(key, segment_link_expiry(grant.expires, settings)))
    store = get_object_store()
    if isinstance(store, LocalObjectStore):
        path = store.path_for(key)
        if not path.is_file():
            raise NotFound("No such media.", code="media_not_found")
        return MediaFile(path, guess_content_type(key), SEGMENT_MAX_AGE_S)
    if isinstance(store, S3ObjectStore):
        info = await asyncio.to_thread(store.head, key)
        if info is None:
            raise NotFound("No such media.", code="media_not_found")
        return MediaStream(_stream_s3(store, key), guess_content_type(key), info.size, SEGMENT_MAX_AGE_S)
    data = await asyncio.to_thread(store.get_bytes, key)
    return MediaBytes(data, guess_content_type(key), SEGMENT_MAX_AGE_S)
