from __future__ import annotations

import re
from typing import Any

import httpx
import pytest

from app.auth.models import Role

STRONG = "Kata-sequence-2026"


def _link_token(message: dict[str, Any], path: str) -> str:
    match = re.search(rf"{path}\?token=([A-Za-z0-9_\-]+)", str(message["text"]))
    assert match, message["text"]
    return match.group(1)


async def _register(client: httpx.AsyncClient, email: str, password: str = STRONG) -> httpx.Response:
    return await client.post(
        "/api/v1/auth/register", json={"email": email, "password": password, "display_name": "Aiko"}
    )


async def test_register_verify_login_refresh_and_me(client: httpx.AsyncClient, outbox: Any) -> None:
    email = "Aiko.Student@Example.com"
    resp = await _register(client, email)
    assert resp.status_code == 201, resp.text
    body = resp.json()
    assert body["email"] == "aiko.student@example.com"
    assert body["role"] == "student"
    assert body["email_verified"] is False

    messages = outbox(to="aiko.student@example.com")
    assert len(messages) == 1
    token = _link_token(messages[0], "/verify-email")
    verified = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert verified.status_code == 200
    assert verified.json()["email_verified"] is True
    # Reopening the link once verified says so (not "invalid link"), in the caller's language.
    again = await client.post("/api/v1/auth/verify-email", json={"token": token})
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "already_verified"
    again_it = await client.post(
        "/api/v1/auth/verify-email", json={"token": token}, headers={"Accept-Language": "it"}
    )
    assert again_it.json()["error"]["message"] == "Questo indirizzo email è già verificato."
    unknown = await client.post("/api/v1/auth/verify-email", json={"token": "not-a-real-token"})
    assert unknown.status_code == 422
    assert unknown.json()["error"]["code"] == "token_invalid"

    login = await client.post(
        "/api/v1/auth/login", json={"email": email, "password": STRONG, "refresh_token_in": "body"}
    )
    assert login.status_code == 200
    tokens = login.json()
    assert tokens["token_type"] == "bearer" and tokens["expires_in"] == 900

    me = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tokens['access_token']}"})
    assert me.status_code == 200 and me.json()["email"] == "aiko.student@example.com"

    refreshed = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert refreshed.status_code == 200
    assert refreshed.json()["refresh_token"] != tokens["refresh_token"]


async def test_logout_revokes_refresh_token(client: httpx.AsyncClient, make_user: Any) -> None:
    user = make_user()
    tokens = (
        await client.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": "Correct-horse-42", "refresh_token_in": "body"},
        )
    ).json()
    assert (
        await client.post("/api/v1/auth/logout", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 204
    resp = await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    assert resp.status_code == 401


async def test_duplicate_email_is_a_conflict(client: httpx.AsyncClient) -> None:
    assert (await _register(client, "dup@example.com")).status_code == 201
    resp = await _register(client, "DUP@example.com")
    assert resp.status_code == 409
    assert resp.json()["error"]["code"] == "email_taken"


@pytest.mark.parametrize("password", ["short1!", "onlyletterslong", "password123", "weakuser-abc-123"])
async def test_weak_password_is_refused(client: httpx.AsyncClient, password: str) -> None:
    resp = await client.post(
        "/api/v1/auth/register",
        json={"email": "weakuser@example.com", "password": password, "display_name": "W"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "weak_password"


async def test_malformed_json_and_wrong_types_get_4xx_with_error_body(
    client: httpx.AsyncClient,
) -> None:
    resp = await client.post(
        "/api/v1/auth/register",
        content=b'{"email": "x@example.com", ',
        headers={"Content-Type": "application/json"},
    )
    assert resp.status_code == 422
    assert resp.json()["error"]["code"] == "malformed_json"

    resp = await client.post("/api/v1/auth/login", json={"email": 12, "password": ["x"]})
    assert resp.status_code == 422
    error = resp.json()["error"]
    assert error["code"] == "validation_error" and error["message"]


async def test_wrong_password_and_unknown_account_look_the_same(
    client: httpx.AsyncClient, make_user: Any
) -> None:
    user = make_user()
    wrong = await client.post("/api/v1/auth/login", json={"email": user.email, "password": "Nope-nope-123"})
    unknown = await client.post(
        "/api/v1/auth/login", json={"email": "ghost@example.com", "password": "Nope-nope-123"}
    )
    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()


async def test_tampered_and_expired_access_tokens_are_401(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any, settings: Any
) -> None:
    import jwt

    user = make_user()
    good = auth_headers(user)["Authorization"].split()[1]
    tampered = good[:-3] + ("AAA" if not good.endswith("AAA") else "BBB")
    resp = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {tampered}"})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "token_invalid"

    expired = jwt.encode(
        {"sub": str(user.id), "role": "student", "typ": "access", "iat": 1, "exp": 2},
        settings.secret_key.get_secret_value(),
        algorithm="HS256",
    )
    resp = await client.get("/api/v1/me", headers={"Authorization": f"Bearer {expired}"})
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "token_expired"

    resp = await client.get("/api/v1/me")
    assert resp.status_code == 401 and resp.json()["error"]["code"] == "not_authenticated"


async def test_password_reset_flow_revokes_sessions(
    client: httpx.AsyncClient, make_user: Any, outbox: Any
) -> None:
    user = make_user()
    tokens = (
        await client.post(
            "/api/v1/auth/login",
            json={"email": user.email, "password": "Correct-horse-42", "refresh_token_in": "body"},
        )
    ).json()
    assert (
        await client.post("/api/v1/auth/password-reset/request", json={"email": user.email})
    ).status_code == 202
    assert (
        await client.post("/api/v1/auth/password-reset/request", json={"email": "nobody@example.com"})
    ).status_code == 202
    token = _link_token(outbox(to=user.email)[-1], "/reset-password")

    resp = await client.post(
        "/api/v1/auth/password-reset/confirm",
        json={"token": token, "new_password": "Brand-new-pass-77"},
    )
    assert resp.status_code == 200
    assert (
        await client.post("/api/v1/auth/refresh", json={"refresh_token": tokens["refresh_token"]})
    ).status_code == 401
    old = await client.post(
        "/api/v1/auth/login",
        json={"email": user.email, "password": "Correct-horse-42", "refresh_token_in": "body"},
    )
    assert old.status_code == 401
    new = await client.post("/api/v1/auth/login", json={"email": user.email, "password": "Brand-new-pass-77"})
    assert new.status_code == 200


async def test_login_rate_limit_per_account_returns_429_with_retry_after(
    client: httpx.AsyncClient, make_user: Any, settings: Any
) -> None:
    user = make_user()
    statuses = []
    for _ in range(settings.rate_limit_login_per_account + 1):
        resp = await client.post(
            "/api/v1/auth/login", json={"email": user.email, "password": "Wrong-pass-000"}
        )
        statuses.append(resp.status_code)
    assert statuses[:-1] == [401] * settings.rate_limit_login_per_account
    assert statuses[-1] == 429
    assert int(resp.headers["Retry-After"]) >= 1
    assert resp.json()["error"]["code"] == "rate_limited"


async def test_admin_promotes_and_deactivates_users(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any
) -> None:
    admin = make_user(role=Role.admin)
    student = make_user()
    resp = await client.patch(
        f"/api/v1/admin/users/{student.id}",
        json={"role": "instructor", "reason": "teaches judo"},
        headers=auth_headers(admin),
    )
    assert resp.status_code == 200 and resp.json()["role"] == "instructor"

    audit = await client.get(
        "/api/v1/admin/audit", params={"subject_id": str(student.id)}, headers=auth_headers(admin)
    )
    entries = audit.json()["items"]
    assert entries[0]["action"] == "user.update" and entries[0]["reason"] == "teaches judo"
    assert entries[0]["data"]["role"] == {"from": "student", "to": "instructor"}

    resp = await client.patch(
        f"/api/v1/admin/users/{student.id}", json={"is_active": False}, headers=auth_headers(admin)
    )
    assert resp.json()["is_active"] is False
    me = await client.get("/api/v1/me", headers=auth_headers(student))
    assert me.status_code == 403 and me.json()["error"]["code"] == "account_inactive"


async def test_non_admin_cannot_manage_users(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any
) -> None:
    student = make_user()
    other = make_user()
    resp = await client.patch(
        f"/api/v1/admin/users/{other.id}", json={"role": "admin"}, headers=auth_headers(student)
    )
    assert resp.status_code == 403
    assert (await client.get("/api/v1/admin/users", headers=auth_headers(student))).status_code == 403


async def test_admin_user_list_paginates_with_cursor(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any
) -> None:
    admin = make_user(role=Role.admin)
    tag = "pagetest"
    for i in range(5):
        make_user(email=f"{tag}-{i}@example.com")
    seen: list[str] = []
    cursor = None
    while True:
        params: dict[str, Any] = {"limit": 2, "q": tag}
        if cursor:
            params["cursor"] = cursor
        page = (await client.get("/api/v1/admin/users", params=params, headers=auth_headers(admin))).json()
        seen += [u["email"] for u in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert sorted(seen) == [f"{tag}-{i}@example.com" for i in range(5)]
    bad = await client.get("/api/v1/admin/users", params={"cursor": "!!!"}, headers=auth_headers(admin))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_cursor"


async def test_an_older_unused_link_after_verifying_says_already_verified(
    client: httpx.AsyncClient, outbox: Any
) -> None:
    email = "twice.linked@example.com"
    await _register(client, email)
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": STRONG})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    assert (await client.post("/api/v1/auth/resend-verification", headers=headers)).status_code == 202
    first, second = (_link_token(m, "/verify-email") for m in outbox(to=email)[:2])
    assert first != second
    assert (await client.post("/api/v1/auth/verify-email", json={"token": second})).status_code == 200
    older = await client.post("/api/v1/auth/verify-email", json={"token": first})
    assert older.status_code == 409
    assert older.json()["error"]["code"] == "already_verified"
