"""Playback signers: one interface, three implementations (chosen by MEDIA_SIGNER).

- `embedded` (no nginx, no CDN): the app serves `/media/t/<token>/<object key>` itself. The token
  is an HMAC-SHA256 over {prefix, expiry}: it covers every key under one video's HLS prefix, and
  because it is a *path segment*, the relative URIs inside playlists (`720p/index.m3u8`,
  `seg_00000.ts`) resolve to URLs that carry it. Playlists are served untouched.
- `nginx` (self-hosted, nginx/README.md), MEDIA_NGINX_PLAYLISTS=`edge` (default): nginx serves
  `/media/t/<token>/<key>` itself — the same token and path as embedded mode, so playlists are
  served untouched and their relative URIs carry the token — after an `auth_request` to the app
  (`GET /api/v1/media/edge-auth`) whose answer it reuses per (token, directory) for
  MEDIA_EDGE_AUTH_TTL_SECONDS. Posters and single objects: nginx `secure_link` at
  `/media/<key>?md5=<b64url(md5("{expires}{uri} {secret}"))>&expires=<unix>`, one signature per
  file. MEDIA_NGINX_PLAYLISTS=`app`: playlists go through the app (`/api/v1/media/t/<token>/<key>`)
  and every segment / image line is rewritten to its own secure_link URL.
- `cloudfront`: a canned-policy signed URL for the master playlist plus signed cookies
  (custom policy, `https://<domain>/<prefix>*`) that cover the variant playlists and segments.
  botocore's CloudFrontSigner writes the policies and URLs; RSA-SHA1 with the trusted key
  group's private key (cryptography), parsed once per process.

A full playback's app token also names the viewer and the video (`Viewer`, `MediaGrant`), so the
app can re-check the right on every playlist it serves (app/media/playback.py). Segment links
written into playlists expire at `segment_link_expiry`: short, on a bucket boundary, never after
the token.

Every refusal (unsigned, malformed, tampered, expired, outside the prefix) is a 403.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path, PurePosixPath
from typing import Any, Literal, Protocol
from urllib.parse import parse_qsl, quote, urlsplit

import botocore.signers
import cachetools
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey

from app.core.config import Settings, get_settings
from app.core.errors import PermissionDenied
from app.core.security import derive_key

SignerName = Literal["embedded", "nginx", "cloudfront"]


@dataclass(frozen=True)
class Viewer:
    """Whose paid playback a token stands for (see MediaGrant)."""

    user_id: uuid.UUID
    video_id: uuid.UUID


EMBEDDED_MEDIA_PATH = "/media/t"  # the app at the root (embedded mode), nginx itself (nginx edge mode)
API_MEDIA_PATH = "/api/v1/media/t"  # the same handler under the API (behind nginx)


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class SignedCookie:
    name: str
    value: str
    path: str
    domain: str | None
    expires: int


@dataclass(frozen=True)
class SignedPlayback:
    url: str  # the master playlist (or the single object)
    expires_at: int  # unix seconds: when the token/cookies covering the segments expire
    token: str | None = None  # path-scoped app token (embedded / nginx playlists)
    cookies: list[SignedCookie] = field(default_factory=list)


# --- the app's own path-scoped token -------------------------------------------------------


@dataclass(frozen=True)
class MediaGrant:
    """What a valid media token says: the key prefix it covers, until when, and — for a paid
    playback — whose right it stands for, so the app can re-check that right on each playlist."""

    prefix: str
    expires: int
    user_id: uuid.UUID | None = None
    video_id: uuid.UUID | None = None


class MediaTokens:
    """`<b64url(json{k: prefix, e: expiry[, u: user id, v: video id]})>.<b64url(hmac-sha256)>`
    — URL-path safe."""

    def __init__(self, secret: bytes) -> None:
        self._secret = secret
        # Tokens whose signature already checked out (a viewer fetches several playlists with
        # one): the claims only; expiry and scope are still checked on every use.
        self._verified: cachetools.LRUCache[str, MediaGrant] = cachetools.LRUCache(maxsize=20_000)
        self._lock = threading.Lock()

    def issue(
        self,
        prefix: str,
        expires: int,
        *,
        user_id: uuid.UUID | None = None,
        video_id: uuid.UUID | None = None,
    ) -> str:
        claims: dict[str, Any] = {"k": prefix, "e": int(expires)}
        if user_id is not None and video_id is not None:
            claims |= {"u": user_id.hex, "v": video_id.hex}
        body = _b64(json.dumps(claims, separators=(",", ":")).encode())
        mac = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
        return f"{body}.{_b64(mac)}"

    def verify(self, token: str, key: str, *, now: float | None = None) -> MediaGrant:
        """The grant of a valid, unexpired token covering `key`; else PermissionDenied."""
        denied = PermissionDenied("This media link is not valid.", code="bad_signature")
        with self._lock:
            grant = self._verified.get(token)
        if grant is None:
            grant = self._check(token, denied)
            with self._lock:
                self._verified[token] = grant
        if grant.expires < (time.time() if now is None else now):
            raise PermissionDenied("This media link has expired.", code="signature_expired")
        if not valid_key(key) or not key.startswith(grant.prefix):
            raise denied
        return grant

    def _check(self, token: str, denied: PermissionDenied) -> MediaGrant:
        try:
            body, mac = token.split(".", 1)
            expected = hmac.new(self._secret, body.encode(), hashlib.sha256).digest()
            if not hmac.compare_digest(expected, _unb64(mac)):
                raise denied
            claims = json.loads(_unb64(body))
            grant = MediaGrant(
                prefix=str(claims["k"]),
                expires=int(claims["e"]),
                user_id=uuid.UUID(claims["u"]) if "u" in claims else None,
                video_id=uuid.UUID(claims["v"]) if "v" in claims else None,
            )
        except PermissionDenied:
            raise
        except (ValueError, KeyError, TypeError, AttributeError) as exc:
            raise denied from exc
        return grant


_KEY_CHARS = re.compile(r"[A-Za-z0-9._~/-]+")


def valid_key(key: str) -> bool:
    """Object keys as nginx sees them verbatim: [A-Za-z0-9._~/-], no empty, "." or ".." part."""
    return (
        _KEY_CHARS.fullmatch(key) is not None
        and not key.startswith("/")
        and all(p not in ("", ".", "..") for p in key.split("/"))
    )


@lru_cache
def _tokens_for(key: bytes) -> MediaTokens:
    return MediaTokens(key)


def media_tokens(settings: Settings | None = None) -> MediaTokens:
    settings = settings or get_settings()
    return _tokens_for(derive_key(settings, "media-token"))


def _issue_for(tokens: MediaTokens, prefix: str, expires: int, viewer: Viewer | None) -> str:
    if viewer is None:
        return tokens.issue(prefix, expires)
    return tokens.issue(prefix, expires, user_id=viewer.user_id, video_id=viewer.video_id)


def segment_link_expiry(token_expires: int, settings: Settings, *, now: float | None = None) -> int:
    """When the nginx-signed segment links of a playlist served now expire: a short time
    (MEDIA_SEGMENT_LINK_TTL_SECONDS) rounded UP to MEDIA_SEGMENT_LINK_BUCKET_SECONDS — so every
    viewer in the same bucket gets byte-identical playlists, which are cached — and never after
    the token itself."""
    bucket = max(1, settings.media_segment_link_bucket_seconds)
    target = int(time.time() if now is None else now) + settings.media_segment_link_ttl_seconds
    return min(token_expires, -(-target // bucket) * bucket)


# --- signers -------------------------------------------------------------------------------


class PlaybackSigner(Protocol):
    name: SignerName

    def sign_playlist(
        self, prefix: str, master_key: str, ttl_seconds: int, *, viewer: Viewer | None = None
    ) -> SignedPlayback:
        """A URL for `master_key` and whatever grants access to everything under `prefix`.
        With `viewer`, app-served links are bound to that user's right to that video and
        re-checked on every playlist (CloudFront's cookies cannot be: their TTL is the bound)."""
        ...

    def sign_object(self, key: str, ttl_seconds: int) -> str:
        """A URL for one object (poster, sprite) valid for `ttl_seconds`."""
        ...


class EmbeddedSigner:
    name: SignerName = "embedded"

    def __init__(self, settings: Settings) -> None:
        self._base = (settings.media_public_base_url or settings.app_base_url).rstrip("/")
        self._tokens = media_tokens(settings)

    def url_for(self, token: str, key: str) -> str:
        return f"{self._base}{EMBEDDED_MEDIA_PATH}/{token}/{quote(key)}"

    def sign_playlist(
        self, prefix: str, master_key: str, ttl_seconds: int, *, viewer: Viewer | None = None
    ) -> SignedPlayback:
        expires = int(time.time()) + ttl_seconds
        token = _issue_for(self._tokens, prefix, expires, viewer)
        return SignedPlayback(url=self.url_for(token, master_key), expires_at=expires, token=token)

    def sign_object(self, key: str, ttl_seconds: int) -> str:
        token = self._tokens.issue(key, int(time.time()) + ttl_seconds)
        return self.url_for(token, key)


def nginx_secure_link(uri: str, expires: int, secret: str) -> str:
    """The `md5` query value nginx's `secure_link_md5 "$secure_link_expires$uri <secret>"` expects."""
    digest = hashlib.md5(f"{expires}{uri} {secret}".encode(), usedforsecurity=False).digest()
    return _b64(digest)


class NginxSigner:
    name: SignerName = "nginx"

    def __init__(self, settings: Settings) -> None:
        if settings.media_signing_secret is None:
            raise ValueError("MEDIA_SIGNING_SECRET is required for the nginx signer")
        self._secret = settings.media_signing_secret.get_secret_value()
        self._media_base = (settings.media_public_base_url or settings.app_base_url).rstrip("/")
        self._api_base = settings.app_base_url.rstrip("/")
        self._tokens = media_tokens(settings)
        self._at_edge = settings.media_nginx_playlists == "edge"

    def signed_media_url(self, key: str, expires: int) -> str:
        uri = f"/media/{key}"
        return (
            f"{self._media_base}{uri}?md5={nginx_secure_link(uri, expires, self._secret)}&expires={expires}"
        )

    def sign_playlist(
        self, prefix: str, master_key: str, ttl_seconds: int, *, viewer: Viewer | None = None
    ) -> SignedPlayback:
        expires = int(time.time()) + ttl_seconds
        token = _issue_for(self._tokens, prefix, expires, viewer)
        base = (
            f"{self._media_base}{EMBEDDED_MEDIA_PATH}"
            if self._at_edge
            else f"{self._api_base}{API_MEDIA_PATH}"
        )
        url = f"{base}/{token}/{quote(master_key)}"
        return SignedPlayback(url=url, expires_at=expires, token=token)

    def sign_object(self, key: str, ttl_seconds: int) -> str:
        return self.signed_media_url(key, int(time.time()) + ttl_seconds)


# A signer is built per request; the RSA key is read and parsed once per process (parsing a PEM
# costs milliseconds of CPU, and reading the file is blocking I/O).
@lru_cache(maxsize=4)
def _private_key_from_pem(pem: str) -> RSAPrivateKey:
    from cryptography.hazmat.primitives import serialization

    key = serialization.load_pem_private_key(pem.encode(), password=None)
    if not isinstance(key, RSAPrivateKey):
        raise ValueError("The CloudFront private key must be an RSA key")
    return key


@lru_cache(maxsize=4)
def _private_key_from_file(path: Path) -> RSAPrivateKey:
    return _private_key_from_pem(path.read_text())


class CloudFrontSigner:
    """botocore's CloudFrontSigner builds the policies and the URLs (CloudFront's base64 alphabet,
    canned and custom policies); it only needs an RSA-SHA1 signing function, given the parsed key.
    The signed cookies carry exactly the `Policy` and `Signature` values of a custom-policy URL."""

    name: SignerName = "cloudfront"

    def __init__(self, settings: Settings) -> None:
        if settings.cloudfront_private_key is not None:
            key = _private_key_from_pem(settings.cloudfront_private_key.get_secret_value())
        elif settings.cloudfront_private_key_file is not None:
            key = _private_key_from_file(settings.cloudfront_private_key_file)
        else:
            raise ValueError("CLOUDFRONT_PRIVATE_KEY or CLOUDFRONT_PRIVATE_KEY_FILE is required")
        self._key_pair_id = settings.cloudfront_key_pair_id
        self._signer = botocore.signers.CloudFrontSigner(self._key_pair_id, _rsa_sha1(key))
        domain = settings.cloudfront_domain.rstrip("/")
        self._base = domain if domain.startswith("http") else f"https://{domain}"
        self._cookie_domain = settings.cloudfront_cookie_domain or None
        self._playlist_ttl = settings.media_playlist_ttl_seconds

    def canned_url(self, key: str, expires: int) -> str:
        url = f"{self._base}/{quote(key)}"
        return str(self._signer.generate_presigned_url(url, date_less_than=_utc(expires)))

    def sign_playlist(
        self, prefix: str, master_key: str, ttl_seconds: int, *, viewer: Viewer | None = None
    ) -> SignedPlayback:
        now = int(time.time())
        cookie_expires = now + ttl_seconds
        resource = f"{self._base}/{quote(prefix)}*"
        policy = self._signer.build_policy(resource, _utc(cookie_expires))
        signed = urlsplit(self._signer.generate_presigned_url(resource, policy=policy))
        query = dict(parse_qsl(signed.query))
        path = "/" + str(PurePosixPath(prefix))
        cookies = [
            SignedCookie(name, value, path, self._cookie_domain, cookie_expires)
            for name, value in (
                ("CloudFront-Policy", query["Policy"]),
                ("CloudFront-Signature", query["Signature"]),
                ("CloudFront-Key-Pair-Id", self._key_pair_id),
            )
        ]
        url = self.canned_url(master_key, now + min(ttl_seconds, self._playlist_ttl))
        return SignedPlayback(url=url, expires_at=cookie_expires, cookies=cookies)

    def sign_object(self, key: str, ttl_seconds: int) -> str:
        return self.canned_url(key, int(time.time()) + ttl_seconds)


def _rsa_sha1(key: RSAPrivateKey) -> Callable[[bytes], bytes]:
    """The signing function botocore asks for: RSA-SHA1, PKCS#1 v1.5 (what CloudFront verifies)."""
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import padding

    def sign(message: bytes) -> bytes:
        return key.sign(message, padding.PKCS1v15(), hashes.SHA1())

    return sign


def _utc(unix_seconds: int) -> datetime:
    return datetime.fromtimestamp(unix_seconds, UTC)


def signer_name(settings: Settings) -> SignerName:
    return settings.effective_media_signer


def build_signer(settings: Settings) -> PlaybackSigner:
    name = signer_name(settings)
    if name == "cloudfront":
        return CloudFrontSigner(settings)
    if name == "nginx":
        return NginxSigner(settings)
    return EmbeddedSigner(settings)


# --- playlist rewriting for per-file signatures (nginx) --------------------------------------


def _resolve(base_key: str, ref: str) -> str | None:
    """`ref` (relative, as written by ffmpeg) against the playlist's own key; None if absolute."""
    if "://" in ref or ref.startswith("/"):
        return None
    parts = [p for p in PurePosixPath(base_key).parent.joinpath(ref).parts]
    stack: list[str] = []
    for part in parts:
        if part == "..":
            if stack:
                stack.pop()
        elif part != ".":
            stack.append(part)
    return "/".join(stack)


def rewrite_for_nginx(text: str, playlist_key: str, signer: NginxSigner, expires: int) -> str:
    """Leave nested playlists relative (they come back through the app with the same token);
    turn every other URI line (segments, keys, images) into its own nginx-signed URL."""
    out: list[str] = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped and not stripped.startswith("#") and not stripped.endswith(".m3u8"):
            key = _resolve(playlist_key, stripped)
            if key is not None and valid_key(key):
                line = signer.signed_media_url(key, expires)
        out.append(line)
    return "\n".join(out) + "\n"


def rewrite_vtt_for_nginx(text: str, vtt_key: str, signer: NginxSigner, expires: int) -> str:
    """WebVTT thumbnail cues `sprite.jpg#xywh=...` → signed absolute image URLs."""
    out: list[str] = []
    for line in text.splitlines():
        ref, sep, frag = line.partition("#xywh=")
        if sep and "-->" not in line:
            key = _resolve(vtt_key, ref.strip())
            if key is not None and valid_key(key):
                line = f"{signer.signed_media_url(key, expires)}#xywh={frag}"
        out.append(line)
    return "\n".join(out) + "\n"


def sign_poster(settings: Settings, key: str) -> str:
    """A poster's URL, signed for a day and rounded to the hour so browsers and CDNs see a stable
    URL meanwhile. Also what an owner's unpublished video carries: an <img> sends no bearer token,
    so the API's poster route could not tell the owner from a stranger."""
    ttl = 86400 + (3600 - int(time.time()) % 3600)
    return build_signer(settings).sign_object(key, ttl)
