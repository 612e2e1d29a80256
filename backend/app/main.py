"""The API app factory: settings, logging, Sentry, error mapping, every domain's router under
/api/v1, health probes at the root, and the built web client (frontend/dist) at `/`."""

from __future__ import annotations

import asyncio
import importlib
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import structlog
from fastapi import APIRouter, FastAPI, Response
from fastapi.dependencies.models import Dependant
from fastapi.middleware.cors import CORSMiddleware
from fastapi.openapi.utils import get_openapi
from fastapi.responses import FileResponse, JSONResponse
from fastapi.routing import iter_route_contexts
from fastapi.staticfiles import StaticFiles

from app.core.config import Settings, get_settings
from app.core.errors import (
    DomainError,
    ErrorResponse,
    dependency_errors,
    error_body,
    error_responses,
)
from app.core.gc_tuning import freeze_startup, schedule_warm_freezes
from app.core.http_errors import install_error_handlers
from app.core.http_metrics import install_metrics
from app.core.logging import RequestContextMiddleware, configure_logging
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
    "app.knowledge.router:router",
    "app.voice.router:router",
    "app.coach.router:router",
    "app.learning.router:router",
    "app.commerce.router:router",
    "app.commerce.router:admin_router",
    "app.analytics.router:router",
    "app.analytics.router:beacon_router",
    "app.social.router:router",
    "app.social.router:admin_router",
    # issue 17: notifications, your data, outbound webhooks
    "app.notifications.router:router",
    "app.privacy.router:router",
    "app.webhooks.router:router",
]
# Development only (no STRIPE_SECRET_KEY): the payment sandbox (app/commerce/sandbox.py).
SANDBOX_ROUTER = "app.commerce.router:sandbox_router"

# Routers mounted at the root, outside /api/v1 (media: the embedded stand-in for nginx's /media/).
ROOT_ROUTERS = [
    "app.media.router:files_router",
    "app.social.router:share_router",  # /v/{id}: share pages with OpenGraph tags
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
        if path.startswith(("api/", "media/")) or path in ("docs", "redoc", "openapi.json"):
            return JSONResponse(error_body("not_found", "Not found."), status_code=404)
        candidate = (dist_root / path).resolve()
        if path and candidate.is_file() and dist_root in candidate.parents:
            return FileResponse(candidate)
        return FileResponse(index, headers={"Cache-Control": "no-cache"})


def _dependency_calls(dependant: Dependant) -> list[Any]:
    calls = []
    for sub in dependant.dependencies:
        if sub.call is not None:
            calls.append(sub.call)
        calls.extend(_dependency_calls(sub))
    return calls


def _takes_input(dependant: Dependant) -> bool:
    if dependant.path_params or dependant.query_params or dependant.header_params or dependant.body_params:
        return True
    return any(_takes_input(sub) for sub in dependant.dependencies)


def _route_errors(route: Any) -> set[type[DomainError] | int]:
    """What an operation can answer besides success: what its dependencies raise (login, roles,
    verification), 404 when its path names a resource, 422 when it takes any input."""
    errors: set[type[DomainError] | int] = set()
    for call in _dependency_calls(route.dependant):
        errors.update(dependency_errors(call))
    if route.dependant.path_params:
        errors.add(404)
    if _takes_input(route.dependant):
        errors.add(422)
    return errors


def _install_openapi(app: FastAPI) -> None:
    """The OpenAPI document lists each operation's error responses with the error envelope: the
    ones derived from the route (above) plus those it declares (`responses=error_responses(...)`).
    FastAPI's own 422 schema is replaced: our handler answers 422 with the envelope too."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema:
            return app.openapi_schema
        schema = get_openapi(title=app.title, version=app.version, routes=app.routes)
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        envelope = ErrorResponse.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(envelope.pop("$defs", {}))
        components["ErrorResponse"] = envelope
        for name in ("HTTPValidationError", "ValidationError"):
            components.pop(name, None)
        for route in iter_route_contexts(app.routes):
            if not isinstance(getattr(route, "dependant", None), Dependant):
                continue
            derived = error_responses(*_route_errors(route))
            for method in route.methods or ():
                operation = schema["paths"].get(route.path_format, {}).get(method.lower())
                if operation is None:
                    continue
                responses = operation.setdefault("responses", {})
                for status, spec in derived.items():
                    responses.setdefault(str(status), {"description": spec["description"]})
                for status, response in responses.items():
                    if status.startswith(("4", "5")):
                        response["content"] = {
                            "application/json": {"schema": {"$ref": "#/components/schemas/ErrorResponse"}}
                        }
        app.openapi_schema = schema
        return schema

    app.openapi = openapi  # type: ignore[method-assign]


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings)
    init_sentry(settings, component="api")

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        log.info("api_started", env=settings.app_env)
        # Everything loaded so far (modules, routes, models, mappers) lives as long as the
        # process: keep it out of the cyclic collector's full passes, which otherwise stall a
        # busy worker (the p99 of the hot paths, issue 20; app.core.gc_tuning).
        freeze_startup()
        warm_freezes = schedule_warm_freezes(asyncio.get_running_loop())
        yield
        for handle in warm_freezes:
            handle.cancel()
        from app.db.session import get_async_engine

        await get_async_engine().dispose()

    # Production publishes no schema or docs (clients are generated at build time: `make openapi`).
    public_docs = settings.app_env != "production"
    app = FastAPI(
        title="Martial Arts Media Center API",
        version="0.1.0",
        lifespan=lifespan,
        openapi_url="/openapi.json" if public_docs else None,
        docs_url="/docs" if public_docs else None,
        redoc_url=None,
        # FastAPI's native OpenTelemetry hook: we export Prometheus metrics and Sentry errors, no
        # OTel; left on, it asks the global providers on every request (a cost on the hot paths).
        telemetry={"tracing": False, "metrics": False, "logs": False},
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
    from app.commerce.gateway import sandbox_enabled

    if sandbox_enabled(settings):
        app.include_router(_load_router(SANDBOX_ROUTER), prefix=API_PREFIX)
    for spec in ROOT_ROUTERS:
        app.include_router(_load_router(spec))
    _mount_web_client(app, settings.frontend_dist_dir)
    _install_openapi(app)
    return app


app = create_app()
