"""structlog setup: JSON in production, readable console in development.

Request id and user id are bound through contextvars by `RequestContextMiddleware`, which also
writes one `request` line per response. It is pure ASGI (no BaseHTTPMiddleware: no extra task
and stream per request) and reads the path from the scope, not from a parsed URL.

Where a line costs least: a handler may mark a successful response as routine
(`mark_routine(scope)`: the cached catalog and playlist hits, thousands a second); the app then
writes no line for it unless it failed (status ≥ 400) or took longer than
ROUTINE_LOG_SLOWER_THAN_MS. nginx's access log, in C and buffered, still records each of them
with the same request id (`rid=` in nginx/prod.conf), and the metrics count them.
"""

from __future__ import annotations

import logging
import re
import sys
import time
import uuid
from collections.abc import MutableMapping
from typing import Any

import structlog
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.config import Settings

_SECRET_KEYS = re.compile(
    r"(password|secret|token|authorization|api_key|apikey|cookie|signature)", re.IGNORECASE
)


def redact_secrets(_: Any, __: str, event_dict: MutableMapping[str, Any]) -> MutableMapping[str, Any]:
    for key in list(event_dict):
        if key != "event" and _SECRET_KEYS.search(key):
            event_dict[key] = "[redacted]"
    return event_dict


def configure_logging(settings: Settings) -> None:
    level = logging.getLevelName(settings.log_level.upper())
    shared: list[Any] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        redact_secrets,
    ]
    renderer: Any = (
        structlog.processors.JSONRenderer()
        if settings.log_format == "json"
        else structlog.dev.ConsoleRenderer(colors=False)
    )
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=structlog.PrintLoggerFactory(),  # current sys.stdout at each call
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level, stream=sys.stdout, format="%(name)s %(levelname)s %(message)s")


_request_log = structlog.get_logger("app.request")
_QUIET_PREFIXES = ("/assets", "/health")
_ROUTINE = "mamc.routine"
ROUTINE_LOG_SLOWER_THAN_MS = 250.0


def mark_routine(scope: Scope) -> None:
    """This response needs no `request` line of its own when it succeeds quickly."""
    scope[_ROUTINE] = True


class RequestContextMiddleware:
    """Request id (the caller's X-Request-ID or a new one) bound for every log line, echoed in
    the response, and one `request` line per response (not for static assets and probes)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = ""
        for name, value in scope["headers"]:
            if name == b"x-request-id":
                request_id = value.decode("latin-1")[:128]
                break
        request_id = request_id or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        status = 500
        header = (b"x-request-id", request_id.encode("latin-1"))

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", ()), header]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            path: str = scope["path"]
            duration_ms = (time.perf_counter() - started) * 1000
            routine = scope.get(_ROUTINE) and status < 400 and duration_ms < ROUTINE_LOG_SLOWER_THAN_MS
            if not routine and not path.startswith(_QUIET_PREFIXES):
                _request_log.info(
                    "request",
                    method=scope["method"],
                    path=path,
                    status=status,
                    duration_ms=round(duration_ms, 1),
                )
