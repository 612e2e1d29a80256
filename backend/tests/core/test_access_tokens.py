"""Access tokens: absurd but validly signed claims are a 401, never a 500 (issue 11, item 13);
expiry times are UTC whatever the server's local zone (item 16)."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC
from typing import Any

import httpx
import jwt
import pytest

from app.core.errors import NotAuthenticated
from app.core.security import create_access_token, decode_access_token


def _signed(settings: Any, **claims: Any) -> str:
    payload = {"role": "student", "typ": "access", "iat": 1, **claims}
    return jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm="HS256")


@pytest.mark.parametrize(
    "claims",
    [
        {"exp": 10**20},  # year far beyond datetime's range
        {"exp": 2**63},
        {"exp": 253_402_300_800},  # 10000-01-01
        {"sub": 12345},
        {"sub": "not-a-uuid"},
        {"sid": "not-a-uuid"},
    ],
)
async def test_a_signed_token_with_absurd_claims_is_401_not_500(
    client: httpx.AsyncClient, make_user: Any, settings: Any, claims: dict[str, Any]
) -> None:
    user = make_user()
    token = _signed(settings, **{"sub": str(user.id), "exp": 4_102_444_800, **claims})
    resp = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 401, resp.text
    assert resp.json()["error"]["code"] == "token_invalid"


@pytest.fixture
def rome_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Europe/Rome")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("rome_time")
def test_token_expiry_is_utc_whatever_the_local_zone(settings: Any) -> None:
    token, ttl = create_access_token(settings, uuid.uuid4(), "student")
    claims = decode_access_token(settings, token)
    assert claims.expires_at.tzinfo is UTC
    assert abs(claims.expires_at.timestamp() - (time.time() + ttl)) < 120


def test_the_session_id_travels_in_the_access_token(settings: Any) -> None:
    session_id = uuid.uuid4()
    token, _ = create_access_token(settings, uuid.uuid4(), "student", session_id=session_id)
    assert decode_access_token(settings, token).session_id == session_id
    with pytest.raises(NotAuthenticated):
        decode_access_token(settings, token[:-2] + "xx")
