"""Client addresses come from X-Forwarded-For only through configured proxies, and login is
throttled per (account, address) (issue 11, item 6)."""

from __future__ import annotations

import re
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from app.core.config import REPO_ROOT
from app.deps import resolve_client_address, trusted_proxies
from tests.conftest import TEST_PASSWORD

ClientFrom = Callable[[str], Any]


@pytest.fixture
def client_from(app: FastAPI) -> ClientFrom:
    """An API client whose TCP peer is `address` (a browser, or a proxy in front of the API)."""

    @asynccontextmanager
    async def connect(address: str) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, client=(address, 40000))
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
            yield http

    return connect


def test_forwarded_for_counts_only_when_a_trusted_proxy_sent_it() -> None:
    trusted = trusted_proxies("127.0.0.1, 10.0.0.0/8, ::1")
    assert resolve_client_address("198.51.100.9", "1.2.3.4", trusted) == "198.51.100.9"  # spoofed
    assert resolve_client_address("127.0.0.1", "198.51.100.9", trusted) == "198.51.100.9"
    # A client's own X-Forwarded-For arrives appended to by the proxy: the right-most untrusted hop.
    assert resolve_client_address("10.1.2.3", "6.6.6.6, 198.51.100.9", trusted) == "198.51.100.9"
    assert resolve_client_address("10.1.2.3", "198.51.100.9, 10.9.9.9", trusted) == "198.51.100.9"
    assert resolve_client_address("127.0.0.1", None, trusted) == "127.0.0.1"
    assert resolve_client_address("127.0.0.1", "not-an-ip", trusted) == "not-an-ip"
    assert resolve_client_address("203.0.113.5", "1.2.3.4", trusted_proxies("*")) == "1.2.3.4"


async def test_a_client_cannot_dodge_the_address_limit_with_x_forwarded_for(
    client_from: ClientFrom, settings: Any
) -> None:
    async with client_from("198.51.100.20") as http:
        statuses = []
        for i in range(settings.rate_limit_login_per_ip + 1):
            resp = await http.post(
                "/api/v1/auth/login",
                json={"email": f"ghost-{i}@example.com", "password": "Wrong-pass-000"},
                headers={"X-Forwarded-For": f"192.0.2.{i}"},
            )
            statuses.append(resp.status_code)
    assert statuses[-1] == 429, statuses


async def test_behind_a_trusted_proxy_each_client_address_is_limited_on_its_own(
    client_from: ClientFrom, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "forwarded_allow_ips", "127.0.0.1,::1,198.51.100.1")
    async with client_from("198.51.100.1") as proxy:
        for i in range(settings.rate_limit_login_per_ip):
            resp = await proxy.post(
                "/api/v1/auth/login",
                json={"email": f"ghost-{i}@example.com", "password": "Wrong-pass-000"},
                headers={"X-Forwarded-For": "192.0.2.50"},
            )
            assert resp.status_code == 401
        blocked = await proxy.post(
            "/api/v1/auth/login",
            json={"email": "ghost@example.com", "password": "Wrong-pass-000"},
            headers={"X-Forwarded-For": "192.0.2.50"},
        )
        other = await proxy.post(
            "/api/v1/auth/login",
            json={"email": "ghost@example.com", "password": "Wrong-pass-000"},
            headers={"X-Forwarded-For": "192.0.2.51"},
        )
    assert blocked.status_code == 429 and other.status_code == 401


async def test_wrong_passwords_from_elsewhere_do_not_lock_the_owner_out(
    client_from: ClientFrom, make_user: Any, settings: Any
) -> None:
    owner = make_user()
    async with client_from("198.51.100.66") as attacker:
        for _ in range(settings.rate_limit_login_per_account):
            resp = await attacker.post(
                "/api/v1/auth/login", json={"email": owner.email, "password": "Guess-pass-000"}
            )
            assert resp.status_code == 401
        throttled = await attacker.post(
            "/api/v1/auth/login", json={"email": owner.email, "password": "Guess-pass-000"}
        )
        assert throttled.status_code == 429 and int(throttled.headers["Retry-After"]) >= 1
    async with client_from("192.0.2.10") as own_device:
        resp = await own_device.post(
            "/api/v1/auth/login", json={"email": owner.email, "password": TEST_PASSWORD}
        )
    assert resp.status_code == 200, resp.text


def test_deployment_trusts_only_the_configured_proxies() -> None:
    """The API container hands FORWARDED_ALLOW_IPS to gunicorn (never '*'), and the edge nginx
    writes the peer's address into X-Forwarded-For instead of appending to what the client sent."""
    dockerfile = (REPO_ROOT / "backend" / "Dockerfile").read_text()
    [command] = [line for line in dockerfile.splitlines() if "gunicorn app.main:app" in line]
    assert "--forwarded-allow-ips='*'" not in command and '--forwarded-allow-ips="*"' not in command
    assert "FORWARDED_ALLOW_IPS" in command
    prod = (REPO_ROOT / "nginx" / "prod.conf").read_text()
    forwarded = re.findall(r"proxy_set_header\s+X-Forwarded-For\s+(\S+);", prod)
    assert forwarded and set(forwarded) == {"$remote_addr"}, forwarded


def test_production_refuses_to_trust_every_address(tmp_path: Any) -> None:
    from app.core.config import Settings, check_production_safety

    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        app_env="production",
        secret_key=uuid.uuid4().hex * 2,  # type: ignore[arg-type]
        forwarded_allow_ips="*",
        var_dir=tmp_path,
    )
    with pytest.raises(RuntimeError, match="FORWARDED_ALLOW_IPS"):
        check_production_safety(settings)
