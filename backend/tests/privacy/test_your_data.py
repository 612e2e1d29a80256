"""Your data: the export zip holds each domain's part; erasure after the grace period really
erases (checked generically over the schema), can be cancelled, and keeps money rows anonymised."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import JSON, String, Text, func, select

from app.auth.models import Role, User
from app.coach.models import CoachConversation, CoachMessage
from app.commerce.models import Purchase, PurchaseKind, PurchaseStatus
from app.core.clock import utcnow
from app.db.registry import load_all_models
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from app.notifications import service as notifications
from app.privacy import service
from tests.conftest import TEST_PASSWORD

Headers = Callable[[User], dict[str, str]]
NAME = "Zanzibar Quokka"  # nowhere else in the database

# Rows that stay after an erasure, pointing at the anonymised user: the books (the law keeps
# them) and the teaching content others bought or learn from; the record that the erasure ran.
# The user row stays, anonymised.
KEPT = {"users", "erasure_requests", "purchases", "subscriptions", "ledger_entries", "videos",
        "studio_references", "knowledge_items", "knowledge_documents", "knowledge_jobs"}  # fmt: skip


def seed(user: User, instructor: User) -> uuid.UUID:
    """Data about `user` in several domains; returns the purchase's id."""
    with sync_session() as s:
        video = Video(owner_id=instructor.id, status=VideoStatus.published, title="Kata", description="",
                      discipline="karate", tags=[], language="en", published_at=utcnow())  # fmt: skip
        s.add(video)
        s.flush()
        purchase = Purchase(
            user_id=user.id, video_id=video.id, instructor_id=instructor.id, video_title="Kata",
            kind=PurchaseKind.ppv, status=PurchaseStatus.paid, amount_cents=1500, currency="eur",
            platform_fee_bps=2000, customer_id="cus_secret", paid_at=utcnow(),
        )  # fmt: skip
        s.add(purchase)
        conversation = CoachConversation(user_id=user.id, title=f"{NAME} asks", language="en")
        s.add(conversation)
        s.flush()
        s.add(CoachMessage(conversation_id=conversation.id, role="user", text=f"I am {NAME}", language="en",
                           sources=[], input_tokens=0, output_tokens=0, speak=False))  # fmt: skip
        notifications.notify(s, user_id=user.id, kind="practice_reminder", params={}, link="/attempts")
        return purchase.id


async def test_export_zip_holds_every_domain(
    client: httpx.AsyncClient,
    make_user: Callable[..., User],
    auth_headers: Headers,
    outbox: Any,
    settings: Any,
) -> None:
    user, instructor = make_user(display_name=NAME), make_user(role=Role.instructor)
    purchase_id = seed(user, instructor)

    first = await client.get("/api/v1/me/export", headers=auth_headers(user))
    assert first.status_code == 200
    listed = (await client.get("/api/v1/me/export", headers=auth_headers(user))).json()["items"]
    assert len(listed) == 1 and listed[0]["status"] == "ready"  # no second export while one is usable
    url = listed[0]["download_url"]
    assert url and "token=" in url

    mails = [m for m in outbox(to=user.email) if "export" in str(m["subject"]).lower()]
    assert len(mails) == 1 and url.split("?")[0] in str(mails[0]["text"])

    download = await client.get(url.replace(settings.app_base_url, ""))
    assert download.status_code == 200
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    parts = {
        n.removesuffix(".json"): json.loads(archive.read(n))
        for n in archive.namelist()
        if n.endswith(".json")
    }
    assert {"profile", "commerce", "studio", "coach", "notifications", "media", "knowledge"} <= set(parts)
    assert parts["profile"]["profile"]["email"] == user.email
    assert "password_hash" not in parts["profile"]["profile"]
    assert [p["id"] for p in parts["commerce"]["purchases"]] == [str(purchase_id)]
    assert parts["coach"]["conversations"][0]["messages"][0]["text"] == f"I am {NAME}"
    assert [n["kind"] for n in parts["notifications"]["notifications"]] == ["practice_reminder"]


def _traces(user_id: uuid.UUID, needles: list[str]) -> dict[str, int]:
    """Rows anywhere that still carry the user: a column referring to users.id holding their id,
    or any text/JSON column containing one of `needles` (email, name)."""
    found: dict[str, int] = {}
    metadata = load_all_models()
    with sync_session() as s:
        for table in metadata.sorted_tables:
            for column in table.columns:
                refers = any(fk.column.table.name == "users" for fk in column.foreign_keys)
                if refers or (table.name != "users" and column.name == "user_id"):
                    n = s.scalar(select(func.count()).select_from(table).where(column == user_id)) or 0
                elif isinstance(column.type, String | Text | JSON):
                    text = func.cast(column, Text) if isinstance(column.type, JSON) else column
                    n = sum(
                        s.scalar(select(func.count()).select_from(table).where(text.contains(x))) or 0
                        for x in needles
                    )
                else:
                    continue
                if n:
                    found[f"{table.name}.{column.name}"] = int(n)
    return found


async def test_erasure_after_grace_really_erases(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers, settings: Any
) -> None:
    user, instructor = make_user(display_name=NAME), make_user(role=Role.instructor)
    purchase_id = seed(user, instructor)
    await client.get("/api/v1/me/export", headers=auth_headers(user))  # a zip to erase too
    before = _traces(user.id, [user.email, NAME])
    assert {"coach_conversations.user_id", "notifications.user_id", "purchases.user_id"} <= set(before)

    wrong = await client.request(
        "DELETE", "/api/v1/me", json={"password": "nope"}, headers=auth_headers(user)
    )
    assert wrong.status_code == 403 and wrong.json()["error"]["code"] == "wrong_password"
    resp = await client.request(
        "DELETE", "/api/v1/me", json={"password": TEST_PASSWORD}, headers=auth_headers(user)
    )
    assert resp.status_code == 202
    state = (await client.get("/api/v1/me/erasure", headers=auth_headers(user))).json()
    assert state["pending"] is not None and state["grace_days"] == settings.privacy_erasure_grace_days

    with sync_session() as s:  # still inside the grace period: nothing happens
        assert service.erase_due(s, utcnow()) == 0
    assert _traces(user.id, [user.email, NAME]) == before | {"erasure_requests.user_id": 1}

    with sync_session() as s:
        assert (
            service.erase_due(s, utcnow() + timedelta(days=settings.privacy_erasure_grace_days, minutes=1))
            == 1
        )
    after = _traces(user.id, [user.email, NAME])
    assert {key.split(".")[0] for key in after} <= KEPT, after
    assert not any(key.startswith("users.") for key in after if key != "users.id")
    with sync_session() as s:
        purchase = s.get(Purchase, purchase_id)
        assert purchase is not None and purchase.amount_cents == 1500 and purchase.customer_id is None
        row = s.get(User, user.id)
        assert row is not None and not row.is_active and row.display_name == ""
    login = await client.post("/api/v1/auth/login", json={"email": user.email, "password": TEST_PASSWORD})
    assert login.status_code in (401, 403)


async def test_cancel_within_grace(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers, settings: Any
) -> None:
    user = make_user()
    nothing = await client.request("DELETE", "/api/v1/me/erasure", headers=auth_headers(user))
    assert nothing.status_code == 409
    resp = await client.request(
        "DELETE", "/api/v1/me", json={"password": TEST_PASSWORD}, headers=auth_headers(user)
    )
    assert resp.status_code == 202
    assert (
        await client.request("DELETE", "/api/v1/me/erasure", headers=auth_headers(user))
    ).status_code == 204
    assert (await client.get("/api/v1/me/erasure", headers=auth_headers(user))).json()["pending"] is None
    with sync_session() as s:
        assert service.erase_due(s, utcnow() + timedelta(days=settings.privacy_erasure_grace_days + 1)) == 0
        row = s.get(User, user.id)
        assert row is not None and row.is_active and row.email == user.email


def test_every_registered_domain_has_both_sync_functions() -> None:
    import importlib
    import inspect

    from app.privacy.registry import DATA_DOMAINS

    for _, path in DATA_DOMAINS:
        module = importlib.import_module(path)
        for name in ("export_user_data", "erase_user_data"):
            function = getattr(module, name)
            assert callable(function) and not inspect.iscoroutinefunction(function), (path, name)
