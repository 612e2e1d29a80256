"""The two hottest reads answered before FastAPI's routing: the catalog list and app-served
playlists (issue 20). Pure ASGI, inside the request-context and metrics middleware, so every
request is still counted and carries its request id; successful ones are logged by nginx's
access log rather than by a line of ours (app.core.logging.mark_routine), failures and slow
ones by both.

- `GET /api/v1/videos?…` — the query string is parsed against the same rules as the route's
  parameters; a clean one goes straight to `catalog.cached_page` (one Redis round trip on a hit),
  and the cached bytes are sent as they are, with their ETag, or 304 for a matching
  If-None-Match.
- `GET /api/v1/media/t/<token>/<key>` (and the embedded `/media/t/…`) for a playlist or a
  thumbnail track — `playback.text_media`: token check, the cached entitlement re-check, the
  cached rewritten playlist. Behind nginx in its default edge mode these never reach the app:
  nginx serves `/media/t/…` itself and asks `/api/v1/media/edge-auth` once per token and
  directory per window (nginx/README.md "Token media"); this path serves embedded mode,
  MEDIA_NGINX_PLAYLISTS=app and links handed out before a switch to edge.
- `GET /api/v1/media/edge-auth` — nginx's `auth_request` for token media
  (`playback.edge_authorize`): once per token and directory per window for every viewer.

Anything this module does not recognise exactly (another parameter, a value the route would
refuse, HEAD, a cache failure) falls through to the FastAPI route, which remains the one
definition of the API (OpenAPI, validation errors). The semantics live in catalog.py and
playback.py, shared by both doors; this module only parses and sends.
"""

from __future__ import annotations

import uuid
from typing import Any, get_args
from urllib.parse import parse_qsl

from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Receive, Scope, Send

from app.core.cache import CachedBody, etag_matches
from app.core.config import get_settings
from app.core.errors import DomainError, error_body, localized_message
from app.core.logging import mark_routine
from app.core.pagination import DEFAULT_LIMIT, MAX_LIMIT
from app.core.storage import CONTENT_TYPES
from app.media import catalog, playback, schemas
from app.media.models import Level
from app.media.router import EDGE_AUTH_PATH, edge_auth_headers, media_cache_control

CATALOG_PATH = "/api/v1/videos"
MEDIA_PREFIXES = ("/api/v1/media/t/", "/media/t/")
_STRING_LIMITS = {"q": 200, "discipline": 60, "language": 12, "cursor": 200}
_LEVELS = {level.value: level for level in Level}
_PRICE_TYPES = set(get_args(schemas.PriceType))
_JSON = b"application/json"
_TEXT_TYPES = {suffix: CONTENT_TYPES[suffix].encode() for suffix in playback.TEXT_SUFFIXES}
_PLAYLIST_HEADERS = [(b"cache-control", media_cache_control(playback.PLAYLIST_MAX_AGE_S).encode())]


class _RouteLabel:
    """What the metrics middleware reads as the route template (scope["route"].path)."""

    def __init__(self, path: str) -> None:
        self.path = path


_CATALOG_ROUTE = _RouteLabel(CATALOG_PATH)
_EDGE_AUTH_ROUTE = _RouteLabel(EDGE_AUTH_PATH)
_MEDIA_ROUTES = {prefix: _RouteLabel(prefix + "{token}/{key:path}") for prefix in MEDIA_PREFIXES}


def parse_catalog_query(raw: bytes) -> catalog.CatalogQuery | None:
    """The query as the route would validate it; None when the route should decide instead."""
    values: dict[str, str] = {}
    for name, value in parse_qsl(raw.decode("latin-1"), keep_blank_values=True):
        if name in values:
            return None
        values[name] = value
    fields: dict[str, Any] = {}
    for name, value in values.items():
        if name in _STRING_LIMITS:
            if len(value) > _STRING_LIMITS[name]:
                return None
            fields[name] = value
        elif name == "level":
            if value not in _LEVELS:
                return None
            fields["level"] = _LEVELS[value]
        elif name == "instructor_id":
            try:
                fields["instructor_id"] = uuid.UUID(value)
            except ValueError:
                return None
        elif name == "price_type":
            if value not in _PRICE_TYPES:
                return None
            fields["price_type"] = value
        elif name == "limit":
            if not value.isdigit() or not 1 <= int(value) <= MAX_LIMIT:
                return None
            fields["limit"] = int(value)
        else:
            return None
    fields.setdefault("limit", DEFAULT_LIMIT)
    return catalog.CatalogQuery(**fields)


def _header(scope: Scope, wanted: bytes) -> str | None:
    for name, value in scope["headers"]:
        if name == wanted:
            return str(value.decode("latin-1"))
    return None


async def _send(send: Send, status: int, body: bytes, headers: list[tuple[bytes, bytes]]) -> None:
    headers.append((b"content-length", str(len(body)).encode()))
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class HotPathMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and scope["method"] == "GET":
            path: str = scope["path"]
            if path == CATALOG_PATH:
                if await self._catalog(scope, send):
                    return
            elif path.startswith(MEDIA_PREFIXES) and await self._media(scope, receive, send):
                return
            elif path == EDGE_AUTH_PATH:
                await self._edge_auth(scope, send)
                return
        await self.app(scope, receive, send)

    async def _catalog(self, scope: Scope, send: Send) -> bool:
        query = parse_catalog_query(scope["query_string"])
        if query is None:
            return False
        try:
            entry: CachedBody = await catalog.cached_page(query)
        except DomainError:
            return False  # e.g. a bad cursor: the route answers with the usual envelope
        scope["route"] = _CATALOG_ROUTE
        mark_routine(scope)
        headers = [(b"etag", entry.etag.encode()), (b"cache-control", b"public, no-cache")]
        if etag_matches(_header(scope, b"if-none-match"), entry.etag):
            await _send(send, 304, b"", headers)
        else:
            headers.append((b"content-type", _JSON))
            await _send(send, 200, entry.body, headers)
        return True

    async def _media(self, scope: Scope, receive: Receive, send: Send) -> bool:
        path: str = scope["path"]  # already percent-decoded, as the route's {key:path} is
        prefix = next(p for p in MEDIA_PREFIXES if path.startswith(p))
        token, sep, key = path[len(prefix) :].partition("/")
        if not sep or not key.endswith(playback.TEXT_SUFFIXES):
            return False  # segments, posters: the route (redirects, files, streams)
        scope["route"] = _MEDIA_ROUTES[prefix]
        try:
            body = await playback.text_media(get_settings(), token, key)
        except DomainError as exc:
            message = localized_message(exc, _header(scope, b"accept-language"))
            error = JSONResponse(
                error_body(exc.code, message, exc.details),
                status_code=exc.status_code,
                headers=exc.headers,
            )
            await error(scope, receive, send)
            return True
        headers = [(b"content-type", _TEXT_TYPES[key[key.rfind(".") :]]), *_PLAYLIST_HEADERS]
        mark_routine(scope)
        await _send(send, 200, body, headers)
        return True

    async def _edge_auth(self, scope: Scope, send: Send) -> None:
        token = _header(scope, b"x-media-token") or ""
        key = _header(scope, b"x-media-key") or ""
        scope["route"] = _EDGE_AUTH_ROUTE
        answer = await playback.edge_authorize(get_settings(), token, key)
        mark_routine(scope)
        headers = [
            (name.lower().encode(), value.encode()) for name, value in edge_auth_headers(answer).items()
        ]
        await _send(send, 200 if answer.allowed else 403, b"", headers)
