"""Refresh-token rotation (issue 11, item 5) and the browser's HttpOnly refresh cookie (item 16).

A retry within the grace period gets the *same* successor, never a second session; a reuse after
it (or once the successor is spent) revokes the whole family; racing refreshes cannot both win.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import timedelta
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from app.auth.models import RefreshToken
from app.core.clock import utcnow
from app.core.security import decode_access_token, hash_token
from app.db.session import sync_session
from tests.conftest import TEST_PASSWORD

REFRESH = "/api/v1/auth/refresh"


async def _login_body(client: httpx.AsyncClient, email: str) -> dict[str, Any]:
    resp = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": TEST_PASSWORD, "refresh_token_in": "body"}
    )
    assert resp.status_code == 200, resp.text
    body: dict[str, Any] = resp.json()
    return body


async def _refresh(client: httpx.AsyncClient, token: str) -> httpx.Response:
    return await client.post(REFRESH, json={"refresh_token": token})


def _family_of(token: str) -> uuid.UUID:
    with sync_session() as s:
        family = s.scalar(select(RefreshToken.family_id).where(RefreshToken.token_hash == hash_token(token)))
    assert family is not None
    return family


def _live_links(family_id: uuid.UUID) -> int:
    with sync_session() as s:
        rows = s.scalars(
            select(RefreshToken).where(
                RefreshToken.family_id == family_id,
                RefreshToken.used_at.is_(None),
                RefreshToken.revoked_at.is_(None),
            )
        ).all()
    return len(rows)


def _age_use(token: str, seconds: float) -> None:
    """Pretend `token` was spent `seconds` ago (the grace period is measured from there)."""
    with sync_session() as s:
        s.execute(
            update(RefreshToken)
            .where(RefreshToken.token_hash == hash_token(token))
            .values(used_at=utcnow() - timedelta(seconds=seconds))
        )


async def test_a_retry_within_the_grace_period_gets_the_same_successor(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    user = make_user()
    first = (await _login_body(client, user.email))["refresh_token"]
    successor = (await _refresh(client, first)).json()["refresh_token"]

    # The page reloaded before it stored `successor`, so it retries with `first`.
    retried = await _refresh(client, first)
    assert retried.status_code == 200
    assert retried.json()["refresh_token"] == successor  # no second, independent session
    assert _live_links(_family_of(first)) == 1
    assert (await _refresh(client, successor)).status_code == 200


async def test_a_replay_after_the_grace_period_revokes_the_family(
    client: httpx.AsyncClient, make_user: Any, settings: Any
) -> None:
    user = make_user()
    first = (await _login_body(client, user.email))["refresh_token"]
    successor = (await _refresh(client, first)).json()["refresh_token"]
    _age_use(first, settings.refresh_reuse_grace_seconds + 1)

    replay = await _refresh(client, first)
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "refresh_token_reused"
    after = await _refresh(client, successor)
    assert after.status_code == 401 and after.json()["error"]["code"] == "token_revoked"
    assert _live_links(_family_of(first)) == 0


async def test_a_replay_once_the_successor_is_spent_revokes_the_family(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    user = make_user()
    first = (await _login_body(client, user.email))["refresh_token"]
    second = (await _refresh(client, first)).json()["refresh_token"]
    third = (await _refresh(client, second)).json()["refresh_token"]

    replay = await _refresh(client, first)  # still within the grace, but its successor moved on
    assert replay.status_code == 401 and replay.json()["error"]["code"] == "refresh_token_reused"
    assert (await _refresh(client, third)).status_code == 401


async def test_with_no_grace_any_reuse_revokes_the_family(
    client: httpx.AsyncClient, make_user: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "refresh_reuse_grace_seconds", 0)
    user = make_user()
    first = (await _login_body(client, user.email))["refresh_token"]
    second = (await _refresh(client, first)).json()["refresh_token"]
    reuse = await _refresh(client, first)
    assert reuse.status_code == 401 and reuse.json()["error"]["code"] == "refresh_token_reused"
    assert (await _refresh(client, second)).json()["error"]["code"] == "token_revoked"


@pytest.mark.own_database  # requests race on their own connections
@pytest.mark.parametrize("grace", [10, 0])
async def test_racing_refreshes_with_one_token_cannot_both_win(
    client: httpx.AsyncClient, make_user: Any, settings: Any, monkeypatch: pytest.MonkeyPatch, grace: int
) -> None:
    """Eight requests at once, each in its own database transaction (on Postgres: its own
    connection). With a grace period they all get the one successor; without, at most one wins."""
    monkeypatch.setattr(settings, "refresh_reuse_grace_seconds", grace)
    user = make_user()
    token = (await _login_body(client, user.email))["refresh_token"]
    family = _family_of(token)

    responses = await asyncio.gather(*[_refresh(client, token) for _ in range(8)])
    winners = {r.json()["refresh_token"] for r in responses if r.status_code == 200}
    assert len(winners) <= 1, f"{len(winners)} independent sessions from one refresh token"
    assert {r.status_code for r in responses} <= {200, 401}
    if grace:
        assert [r.status_code for r in responses] == [200] * 8
        assert _live_links(family) == 1
    else:
        assert _live_links(family) == 0  # the race was a reuse: the session is closed


# --- the browser's cookie ----------------------------------------------------------------------


def _cookie_header(resp: httpx.Response) -> str:
    [header] = [v for k, v in resp.headers.multi_items() if k == "set-cookie" and "mamc_refresh=" in v]
    return header


async def test_login_keeps_the_refresh_token_in_an_httponly_strict_cookie_scoped_to_refresh(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    user = make_user()
    resp = await client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    assert resp.status_code == 200
    assert resp.json()["refresh_token"] is None  # page scripts never see it
    cookie = _cookie_header(resp).lower()
    assert "httponly" in cookie and "samesite=strict" in cookie
    assert f"path={REFRESH}" in cookie
    assert "secure" not in cookie.replace("samesite", "")  # http://testserver: no Secure flag


async def test_the_cookie_is_secure_when_the_platform_is_served_over_https(
    client: httpx.AsyncClient, make_user: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(settings, "app_base_url", "https://dojo.example.com")
    user = make_user()
    resp = await client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    assert "; secure" in _cookie_header(resp).lower()


async def test_refresh_by_cookie_needs_the_csrf_header_and_rotates_the_cookie(
    client: httpx.AsyncClient, make_user: Any, settings: Any
) -> None:
    user = make_user()
    await client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    first = client.cookies.get("mamc_refresh")
    assert first

    forged = await client.post(REFRESH)  # what a cross-site form post would look like
    assert forged.status_code == 403 and forged.json()["error"]["code"] == "csrf_header_missing"

    resp = await client.post(REFRESH, headers={"X-Requested-With": "fetch"})
    assert resp.status_code == 200, resp.text
    assert resp.json()["refresh_token"] is None
    assert decode_access_token(settings, resp.json()["access_token"]).user_id == user.id
    rotated = client.cookies.get("mamc_refresh")
    assert rotated and rotated != first


async def test_refresh_without_any_session_is_401(client: httpx.AsyncClient) -> None:
    resp = await client.post(REFRESH, headers={"X-Requested-With": "fetch"})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "not_authenticated"


async def test_logout_by_access_token_ends_the_cookie_session_and_clears_the_cookie(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    user = make_user()
    login = await client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    cookie = client.cookies.get("mamc_refresh")
    assert cookie
    out = await client.post(
        "/api/v1/auth/logout", headers={"Authorization": f"Bearer {login.json()['access_token']}"}
    )
    assert out.status_code == 204
    assert "max-age=0" in _cookie_header(out).lower()
    # Even a copy of the old cookie is useless now.
    again = await client.post(
        REFRESH, headers={"X-Requested-With": "fetch", "Cookie": f"mamc_refresh={cookie}"}
    )
    assert again.status_code == 401 and again.json()["error"]["code"] == "token_revoked"
