"""An unverified account cannot buy, upload, report or comment: 403 `email_not_verified`
(issue 11, item 7). A verified one passes the gate (and meets the route's own checks)."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from app.auth.models import Role

UNKNOWN = str(uuid.uuid4())

ACTIONS = {
    "buy": ("/api/v1/checkout", {"kind": "purchase", "video_id": UNKNOWN}),
    "upload": (
        f"/api/v1/videos/{UNKNOWN}/upload",
        {"filename": "kata.mp4", "content_type": "video/mp4", "size_bytes": 10_000_000},
    ),
    "report": (f"/api/v1/videos/{UNKNOWN}/reports", {"reason": "spam", "details": "x"}),
    "attempt upload": (
        f"/api/v1/studio/references/{UNKNOWN}/attempts",
        {"filename": "me.mp4", "content_type": "video/mp4", "size_bytes": 1_000_000},
    ),
    "comment": (f"/api/v1/studio/attempts/{UNKNOWN}/comments", {"body": "Nice form"}),
}


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_an_unverified_account_gets_403_email_not_verified(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any, action: str
) -> None:
    path, body = ACTIONS[action]
    user = make_user(verified=False, role=Role.instructor)
    resp = await client.post(path, json=body, headers=auth_headers(user))
    assert resp.status_code == 403, resp.text
    assert resp.json()["error"]["code"] == "email_not_verified"


@pytest.mark.parametrize("action", sorted(ACTIONS))
async def test_a_verified_account_passes_the_gate(
    client: httpx.AsyncClient, make_user: Any, auth_headers: Any, action: str
) -> None:
    path, body = ACTIONS[action]
    user = make_user(verified=True, role=Role.instructor)
    resp = await client.post(path, json=body, headers=auth_headers(user))
    assert resp.status_code != 403 or resp.json()["error"]["code"] != "email_not_verified"
    assert resp.status_code in (404, 422), resp.text  # the unknown video/reference/attempt


async def test_verifying_the_email_lifts_the_gate(
    client: httpx.AsyncClient, outbox: Any, auth_headers: Any
) -> None:
    import re

    email = "gate@example.com"
    await client.post(
        "/api/v1/auth/register", json={"email": email, "password": "Kata-sequence-2026", "display_name": "G"}
    )
    login = await client.post("/api/v1/auth/login", json={"email": email, "password": "Kata-sequence-2026"})
    headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
    path, body = ACTIONS["buy"]
    assert (await client.post(path, json=body, headers=headers)).json()["error"][
        "code"
    ] == "email_not_verified"

    resent = await client.post("/api/v1/auth/resend-verification", headers=headers)
    assert resent.status_code == 202
    token = re.search(r"verify-email\?token=([\w-]+)", outbox(to=email)[-1]["text"]).group(1)  # type: ignore[union-attr]
    assert (await client.post("/api/v1/auth/verify-email", json={"token": token})).status_code == 200
    after = await client.post(path, json=body, headers=headers)
    assert after.status_code in (404, 422) and after.json()["error"]["code"] != "email_not_verified"
