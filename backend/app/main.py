"""The API app factory: settings, logging, Sentry, error mapping, every domain's router under
/api/v1, health probes at the root, and the built web client (frontend/dist) at `/`."""

from __future__ import annotations

import gc
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

import structlog
from fastapi import APIRouter, FastAPI, Response
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import FileResponse, JSONResponse
from fastapi.staticfiles import StaticFiles

from app.core.config import Settings, get_settings
from app.core.errors import error_body, install_error_handlers
from app.core.logging import RequestContextMiddleware, configure_logging
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
    "app.commerce.router:sandbox_router",
]

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
        # Everything loaded so far (modules, routes, models) lives as long as the process: keep
        # it out of the cyclic collector's full passes, which otherwise stall a busy worker for
        # tens of milliseconds (the p99 of the hot paths, issue 20).
        gc.collect()
        gc.freeze()
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
    from app.media.hot_paths import HotPathMiddleware

    app.add_middleware(HotPathMiddleware)  # inside the metrics and request-context middleware
    install_metrics(app)

    app.add_middleware(RequestContextMiddleware)

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
    for spec in ROOT_ROUTERS:
        app.include_router(_load_router(spec))
    _mount_web_client(app, settings.frontend_dist_dir)
    return app


app = create_app()
