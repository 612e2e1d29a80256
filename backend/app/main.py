"""The API app factory: settings, logging, Sentry, error mapping, every domain's router under
/api/v1, health probes at the root, and the built web client (frontend/dist) at `/`."""

from __future__ import annotations

import importlib
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from app.core.config import Settings, get_settings
from app.core.errors import error_body, install_error_handlers
from app.core.logging import configure_logging
from app.core.metrics import install_metrics
from app.core.sentry import init_sentry

API_PREFIX = "/api/v1"

# Each domain's routers, mounted under /api/v1 ("module:attribute").
DOMAIN_ROUTERS = [
    "app.auth.router:router",
    "app.auth.router:admin_router",
    "app.audit.router:router",
    "app.storage.router:router",
    "app.media.router:router",
    "app.media.router:admin_router",
    "app.studio.router:router",
    "app.commerce.router:router",
    "app.commerce.router:admin_router",
]
# Development only (no STRIPE_SECRET_KEY): the payment sandbox (app/commerce/sandbox.py).
SANDBOX_ROUTER = "app.commerce.router:sandbox_router"

# Routers mounted at the root, outside /api/v1 (media: the embedded stand-in for nginx's /media/).
ROOT_ROUTERS = [
    "app.media.router:files_router",
]

log = structlog.get_logger("app.request")


def _load_router(spec: str) -> APIRouter:
    module_name, attribute = spec.split(":")
    router: APIRouter = getattr(importlib.import_module(module_name), attribute)
    return router


def _mount_web_client(app: FastAPI, dist: Path) -> None:
    index = dist / "index.html"
    if not index.is_file():
        return
    if (dist / "assets").is_dir():
        app.mount("/assets", StaticFiles(directory=dist / "assets"), name="web-assets")

    dist_root = dist.resolve()

    @app.get("/{path:path}", include_in_schema=False)
    def spa(path: str) -> Response:
        if path.startswith(("api/", "media/")):
            return JSONResponse(error_body("not_found", "Not found."), status_code=404)
        candidate = (dist_root / path).resolve()
        if path and candidate.is_file() and dist_root in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    init_sentry(settings, component="api")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info("api_started", env=settings.app_env)
        yield
        from app.db.session import get_async_engine

        await get_async_engine().dispose()

    app = FastAPI(
        title="Martial Arts Media Center API",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json",
        docs_url="/docs",
        redoc_url=None,
    )
    install_error_handlers(app)
    install_metrics(app)

    @app.middleware("http")
    async def request_context(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        structlog.contextvars.clear_contextvars()
        structlog.contextvars.bind_contextvars(request_id=request_id)
        started = time.perf_counter()
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        if not request.url.path.startswith(("/assets", "/health")):
            log.info(
                "request",
                method=request.method,
                path=request.url.path,
                status=response.status_code,
                duration_ms=round((time.perf_counter() - started) * 1000, 1),
            )
        return response

    if settings.extra_cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.extra_cors_origins,
            allow_credentials=True,
            allow_methods=["*"],
            allow_headers=["*"],
            expose_headers=["ETag", "X-Request-ID"],
        )

    from app.health.router import router as health_router

    app.include_router(health_router)
    for spec in DOMAIN_ROUTERS:
        app.include_router(_load_router(spec), prefix=API_PREFIX)
    from app.commerce.gateway import sandbox_enabled

    if sandbox_enabled(settings):
        app.include_router(_load_router(SANDBOX_ROUTER), prefix=API_PREFIX)
    for spec in ROOT_ROUTERS:
        app.include_router(_load_router(spec))
    _mount_web_client(app, settings.frontend_dist_dir)
    return app


app = create_app()
