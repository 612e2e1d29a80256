"""Liveness (/health, no I/O) and readiness (/ready: database, broker, object store)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from sqlalchemy import text
from starlette.concurrency import run_in_threadpool

from app.core.config import get_settings
from app.core.errors import error_body
from app.core.storage import get_object_store
from app.db.session import get_async_engine

router = APIRouter(tags=["health"])

CHECK_TIMEOUT_SECONDS = 3.0


@router.get("/health")
async def health() -> dict[str, str]:
    return {"status": "ok"}


async def _check_database() -> None:
    async with get_async_engine().connect() as conn:
        await conn.execute(text("SELECT 1"))


def _check_broker() -> None:
    settings = get_settings()
    url = settings.effective_broker_url
    if url == "filesystem://":
        probe = settings.broker_dir / "queue" / ".ready-probe"
        probe.parent.mkdir(parents=True, exist_ok=True)
        probe.write_bytes(b"ok")
        probe.unlink()
        return
    from kombu.connection import Connection

    with Connection(url, connect_timeout=CHECK_TIMEOUT_SECONDS) as conn:  # type: ignore[no-untyped-call]
        conn.ensure_connection(max_retries=1)


def _check_object_store() -> None:
    get_object_store().ping()


async def _run(check: Callable[[], Any]) -> None:
    if asyncio.iscoroutinefunction(check):
        await asyncio.wait_for(check(), CHECK_TIMEOUT_SECONDS)
    else:
        await asyncio.wait_for(run_in_threadpool(check), CHECK_TIMEOUT_SECONDS)


@router.get("/ready")
async def ready() -> JSONResponse:
    checks: dict[str, Callable[[], Any]] = {
        "database": _check_database,
        "broker": _check_broker,
        "object_store": _check_object_store,
    }
    results = await asyncio.gather(*(_run(c) for c in checks.values()), return_exceptions=True)
    status = {
        name: ("ok" if not isinstance(r, BaseException) else "fail")
        for name, r in zip(checks, results, strict=True)
    }
    failing = [name for name, state in status.items() if state != "ok"]
    if failing:
        body = error_body("not_ready", f"Not ready: {', '.join(failing)} unavailable.", {"checks": status})
        return JSONResponse(body, status_code=503)
    return JSONResponse({"status": "ready", "checks": status})
