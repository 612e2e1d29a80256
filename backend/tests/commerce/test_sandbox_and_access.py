"""Embedded mode end to end (sandbox checkout → signed webhook → worker → entitlement → the
media playback endpoint), access per entitlement kind, and IDOR checks."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import func, select

from app.auth.models import Role, User
from app.commerce.models import StripeEvent
from app.core.clock import utcnow
from app.db.session import sync_session
from app.entitlements.models import Entitlement

from .conftest import sandbox_buy

Headers = Callable[[User], dict[str, str]]


async def _play(client: httpx.AsyncClient, headers: dict[str, str], video_id: Any) -> httpx.Response:
    return await client.get(f"/api/v1/videos/{video_id}/playback", headers=headers)


async def test_sandbox_ppv_purchase_unlocks_playback_through_the_webhook_path(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    student = make_user()
    video = make_video(instructor, price_cents=1900)
    refused = await _play(client, auth_headers(student), video.id)
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "not_entitled"
    before = _event_count()
    body = await sandbox_buy(client, auth_headers(student), {"kind": "ppv", "video_id": str(video.id)})
    assert _event_count() == before + 2  # checkout.session.completed + payment_intent.succeeded, stored
    r = await _play(client, auth_headers(student), video.id)
    assert r.status_code == 200, r.text
    assert r.json()["access"] == "ppv"
    mine = await client.get("/api/v1/me/purchases", headers=auth_headers(student))
    [item] = mine.json()["items"]
    assert item["id"] == body["purchase_id"] and item["status"] == "paid"
    assert len(outbox(to=student.email)) == 1
    again = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(video.id)}, headers=auth_headers(student)
    )
    assert again.status_code == 409 and again.json()["error"]["code"] == "already_owned"


async def test_sandbox_rental_window_starts_on_first_play(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    video = make_video(instructor, rental_price_cents=500, rental_hours=24)
    await sandbox_buy(client, auth_headers(student), {"kind": "rental", "video_id": str(video.id)})
    with sync_session() as s:
        ent = s.scalar(select(Entitlement).where(Entitlement.user_id == student.id))
        assert ent is not None and ent.first_played_at is None and ent.rental_hours == 24
    r = await _play(client, auth_headers(student), video.id)
    assert r.status_code == 200 and r.json()["access"] == "rental"
    with sync_session() as s:
        ent = s.scalar(select(Entitlement).where(Entitlement.user_id == student.id))
        assert ent is not None and ent.first_played_at is not None and ent.expires_at is not None
        assert abs(ent.expires_at - utcnow() - timedelta(hours=24)) < timedelta(minutes=1)
        ent.first_played_at = utcnow() - timedelta(hours=25)
        ent.expires_at = utcnow() - timedelta(hours=1)
    r = await _play(client, auth_headers(student), video.id)
    assert r.status_code == 403 and r.json()["error"]["details"]["reason"] == "expired"


async def test_sandbox_subscription_then_portal_cancel(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    included = make_video(instructor, price_cents=1500, subscription_included=True)
    excluded = make_video(instructor, price_cents=1500, subscription_included=False)
    await sandbox_buy(client, auth_headers(student), {"kind": "subscription", "interval": "month"})
    sub = (await client.get("/api/v1/me/subscription", headers=auth_headers(student))).json()
    assert sub["status"] == "active" and sub["current_period_end"]
    assert (await _play(client, auth_headers(student), included.id)).json()["access"] == "subscription"
    r = await _play(client, auth_headers(student), excluded.id)
    assert r.status_code == 403 and r.json()["error"]["details"]["reason"] == "not_in_subscription"
    dup = await client.post("/api/v1/checkout", json={"kind": "subscription"}, headers=auth_headers(student))
    assert dup.status_code == 409
    portal = await client.post("/api/v1/billing/portal", headers=auth_headers(student))
    assert portal.status_code == 200
    url = httpx.URL(portal.json()["url"])
    page = await client.get(url.path, params=dict(url.params))
    assert page.status_code == 200 and "active" in page.text
    action = re.search(r"action='([^']+/cancel\?token=[^']+)'", page.text)
    assert action
    assert (await client.post(action.group(1))).status_code == 303
    assert (await client.get("/api/v1/me/subscription", headers=auth_headers(student))).json()[
        "status"
    ] == "canceled"
    assert (await _play(client, auth_headers(student), included.id)).status_code == 403
    bad = await client.get(url.path, params={"token": "0" * 32})
    assert bad.status_code == 404


async def test_sandbox_declined_card_and_admin_refund(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    outbox: Callable[..., list[dict[str, Any]]],
) -> None:
    student = make_user()
    video = make_video(instructor, price_cents=2200)
    r = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(video.id)}, headers=auth_headers(student)
    )
    api = f"/api/v1/sandbox/checkout/{r.json()['checkout_session_id']}"
    declined = await client.post(api + "/decline", headers=auth_headers(student))
    assert declined.status_code == 204
    mine = (
        await client.get(f"/api/v1/me/purchases/{r.json()['purchase_id']}", headers=auth_headers(student))
    ).json()
    assert mine["status"] == "failed"
    assert any("failed" in str(m["subject"]).lower() for m in outbox(to=student.email))
    assert (await client.post(api + "/pay", headers=auth_headers(student))).status_code == 200
    assert (await _play(client, auth_headers(student), video.id)).status_code == 200
    refund = await client.post(
        f"/api/v1/admin/payments/{r.json()['purchase_id']}/refund",
        json={"reason": "duplicate purchase"},
        headers=auth_headers(admin),
    )
    assert refund.status_code == 200 and refund.json()["status"] == "refunded", refund.text
    r2 = await _play(client, auth_headers(student), video.id)
    assert r2.status_code == 403 and r2.json()["error"]["details"]["reason"] == "revoked"


async def test_playback_for_owner_admin_free_and_manual_grant(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    paid = make_video(instructor, price_cents=1500)
    free = make_video(instructor)
    assert (await _play(client, auth_headers(instructor), paid.id)).json()["access"] == "owner"
    assert (await _play(client, auth_headers(admin), paid.id)).json()["access"] == "admin"
    assert (await _play(client, auth_headers(student), free.id)).json()["access"] == "free"
    grant = await client.post(
        "/api/v1/admin/entitlements",
        json={"user_id": str(student.id), "video_id": str(paid.id), "reason": "competition prize"},
        headers=auth_headers(admin),
    )
    assert grant.status_code == 201, grant.text
    assert (await _play(client, auth_headers(student), paid.id)).json()["access"] == "manual"
    revoke = await client.post(
        f"/api/v1/admin/entitlements/{grant.json()['id']}/revoke",
        json={"reason": "granted by mistake"},
        headers=auth_headers(admin),
    )
    assert revoke.status_code == 200 and revoke.json()["status"] == "revoked"
    assert (await _play(client, auth_headers(student), paid.id)).status_code == 403
    audit = await client.get(
        "/api/v1/admin/audit", params={"subject_id": grant.json()["id"]}, headers=auth_headers(admin)
    )
    entries = {e["action"]: e for e in audit.json()["items"]}
    assert entries["entitlement.grant"]["reason"] == "competition prize"
    assert entries["entitlement.revoke"]["reason"] == "granted by mistake"
    no_reason = await client.post(
        "/api/v1/admin/entitlements",
        json={"user_id": str(student.id), "video_id": str(paid.id), "reason": ""},
        headers=auth_headers(admin),
    )
    assert no_reason.status_code == 422


async def test_a_student_never_reads_another_students_purchases(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    alice, bob = make_user(), make_user()
    video = make_video(instructor, price_cents=1500)
    body = await sandbox_buy(client, auth_headers(alice), {"kind": "ppv", "video_id": str(video.id)})
    theirs = await client.get(f"/api/v1/me/purchases/{body['purchase_id']}", headers=auth_headers(bob))
    assert theirs.status_code == 404
    assert (await client.get("/api/v1/me/purchases", headers=auth_headers(bob))).json()["items"] == []
    assert (await client.get("/api/v1/me/library", headers=auth_headers(bob))).json()["items"] == []
    assert len((await client.get("/api/v1/me/library", headers=auth_headers(alice))).json()["items"]) == 1
    for path in (
        "/api/v1/admin/payments",
        f"/api/v1/admin/payments/{body['purchase_id']}",
        "/api/v1/admin/disputes",
        f"/api/v1/admin/entitlements?user_id={alice.id}",
        "/api/v1/admin/payouts",
    ):
        assert (await client.get(path, headers=auth_headers(bob))).status_code == 403, path
    assert (await client.get("/api/v1/earnings/ledger", headers=auth_headers(bob))).status_code == 403
    assert (await client.get("/api/v1/me/purchases")).status_code == 401
    # Someone else's sandbox checkout is not found (nor paid: test_sandbox_guard.py).
    guess = await client.get(
        f"/api/v1/sandbox/checkout/{body['checkout_session_id']}", headers=auth_headers(bob)
    )
    assert guess.status_code == 404


async def test_checkout_refuses_what_is_not_for_sale(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    settings: Any,
    monkeypatch: Any,
) -> None:
    from app.media.models import VideoStatus

    student = make_user()
    headers = auth_headers(student)
    free = make_video(instructor)
    r = await client.post("/api/v1/checkout", json={"kind": "ppv", "video_id": str(free.id)}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "not_for_sale"
    draft = make_video(instructor, price_cents=1000, status=VideoStatus.draft)
    r = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(draft.id)}, headers=headers
    )
    assert r.status_code == 404
    own = make_video(instructor, price_cents=1000)
    r = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(own.id)}, headers=auth_headers(instructor)
    )
    assert r.status_code == 409 and r.json()["error"]["code"] == "own_video"
    monkeypatch.setattr(settings, "commerce_price_bounds", {"eur": (2000, 3000)})
    r = await client.post("/api/v1/checkout", json={"kind": "ppv", "video_id": str(own.id)}, headers=headers)
    assert r.status_code == 422 and r.json()["error"]["code"] == "price_out_of_bounds"
    assert Role.student == student.role


def _event_count() -> int:
    with sync_session() as s:
        return int(s.scalar(select(func.count()).select_from(StripeEvent)) or 0)
