"""Request metrics for the API: a pure ASGI middleware (request count and latency by method, route
template and status -- `/api/v1/videos/{video_id}`, never the concrete path) and GET /metrics.
The metric objects and the exposition live in app.core.metrics, shared with the workers."""

from __future__ import annotations

import time
from typing import Any

from fastapi import FastAPI
from prometheus_client import CONTENT_TYPE_LATEST
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.core.metrics import HTTP_LATENCY, HTTP_REQUESTS, install_queue_depth, render_latest

UNMATCHED_ROUTE = "unmatched"


def route_template(scope: Scope) -> str:
    """The matched route's path template; mounts give their prefix; anything else is folded into
    one label so that scanners cannot blow up the series count."""
    route = scope.get("route")
    path = getattr(route, "path", None) or getattr(route, "path_format", None)
    if isinstance(path, str) and path:
        return path
    return UNMATCHED_ROUTE


class PrometheusMiddleware:
    """Pure ASGI (no BaseHTTPMiddleware), so streaming and SSE responses pass through untouched."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # labelled children by (method, route, status): `.labels()` costs more than the update
        self._series: dict[tuple[str, str, str], tuple[Any, Any]] = {}

    def _children(self, labels: tuple[str, str, str]) -> tuple[Any, Any]:
        found = self._series.get(labels)
        if found is None:
            found = (HTTP_REQUESTS.labels(*labels), HTTP_LATENCY.labels(*labels))
            self._series[labels] = found
        return found

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500

        async def send_wrapper(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = int(message["status"])
            await send(message)

        try:
            await self.app(scope, receive, send_wrapper)
        finally:
            requests, latency = self._children(
                (scope.get("method", "GET"), route_template(scope), str(status))
            )
            requests.inc()
            latency.observe(time.perf_counter() - started)


def install_metrics(app: FastAPI) -> None:
    """Request metrics middleware + GET /metrics (not in the OpenAPI schema)."""
    app.add_middleware(PrometheusMiddleware)
    install_queue_depth()

    @app.get("/metrics", include_in_schema=False)
    async def metrics(_: Request) -> Response:
        return Response(render_latest(), media_type=CONTENT_TYPE_LATEST)
