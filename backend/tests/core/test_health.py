from __future__ import annotations

import httpx
import pytest

from app.core.config import get_settings


async def test_health_is_ok_without_io(client: httpx.AsyncClient) -> None:
    resp = await client.get("/health")
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok"}
    assert resp.headers["X-Request-ID"]


async def test_ready_checks_database_broker_and_object_store(client: httpx.AsyncClient) -> None:
    resp = await client.get("/ready")
    assert resp.status_code == 200, resp.text
    assert resp.json()["checks"] == {"database": "ok", "broker": "ok", "object_store": "ok"}


async def test_ready_names_the_failing_part(
    client: httpx.AsyncClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Point the broker at a port where nothing listens; database and object store stay healthy.
    monkeypatch.setattr(get_settings(), "celery_broker_url", "redis://127.0.0.1:1/0")
    resp = await client.get("/ready")
    assert resp.status_code == 503
    error = resp.json()["error"]
    assert error["code"] == "not_ready"
    assert "broker" in error["message"]
    assert error["details"]["checks"]["database"] == "ok"


async def test_openapi_lists_every_route_under_api_v1(client: httpx.AsyncClient) -> None:
    schema = (await client.get("/openapi.json")).json()
    paths = set(schema["paths"])
    assert "/api/v1/auth/login" in paths and "/api/v1/me" in paths
    assert all(p.startswith("/api/v1/") or p in {"/health", "/ready", "/metrics"} for p in paths), paths
    assert (await client.get("/docs")).status_code == 200


async def test_unknown_api_route_is_a_json_404(client: httpx.AsyncClient) -> None:
    resp = await client.get("/api/v1/no-such-thing")
    assert resp.status_code == 404
    assert resp.json()["error"]["code"] == "not_found"
