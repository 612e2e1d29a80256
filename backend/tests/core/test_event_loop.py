"""Nothing slow or blocking runs on the API's event loop (issue 11, item 15): Argon2 in register,
login and reset; sending Celery tasks (after the transaction commits); the CloudFront key."""

from __future__ import annotations

import asyncio
import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import argon2
import httpx
import pytest
from sqlalchemy import select

from app.auth.models import User
from app.db.session import get_async_session, sync_session
from app.worker import dispatch
from app.worker.celery_app import celery_app


def _on_event_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


@pytest.fixture
def argon2_calls(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, bool]]:
    """Where argon2-cffi's hasher runs: (operation, on the event loop?)."""
    calls: list[tuple[str, bool]] = []
    real_hash, real_verify = argon2.PasswordHasher.hash, argon2.PasswordHasher.verify

    def spy_hash(self: argon2.PasswordHasher, password: str | bytes, **kwargs: Any) -> str:
        calls.append(("hash", _on_event_loop()))
        return real_hash(self, password, **kwargs)

    def spy_verify(self: argon2.PasswordHasher, hash: str | bytes, password: str | bytes) -> bool:
        calls.append(("verify", _on_event_loop()))
        return real_verify(self, hash, password)

    monkeypatch.setattr(argon2.PasswordHasher, "hash", spy_hash)
    monkeypatch.setattr(argon2.PasswordHasher, "verify", spy_verify)
    return calls


async def test_argon2_never_runs_on_the_event_loop(
    client: httpx.AsyncClient, argon2_calls: list[tuple[str, bool]], outbox: Any
) -> None:
    email = "offloop@example.com"
    resp = await client.post(
        "/api/v1/auth/register", json={"email": email, "password": "Kata-sequence-2026", "display_name": "O"}
    )
    assert resp.status_code == 201
    assert (
        await client.post("/api/v1/auth/login", json={"email": email, "password": "Kata-sequence-2026"})
    ).status_code == 200
    await client.post(
        "/api/v1/auth/login", json={"email": "nobody-here@example.com", "password": "x-123456789"}
    )
    await client.post("/api/v1/auth/password-reset/request", json={"email": email})
    token = re.search(r"reset-password\?token=([\w-]+)", outbox(to=email)[-1]["text"]).group(1)  # type: ignore[union-attr]
    confirm = await client.post(
        "/api/v1/auth/password-reset/confirm", json={"token": token, "new_password": "Fresh-pass-2027"}
    )
    assert confirm.status_code == 200
    assert {op for op, _ in argon2_calls} == {"hash", "verify"}
    assert [call for call in argon2_calls if call[1]] == [], "Argon2 ran on the event loop"


@pytest.fixture
def sent_tasks(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dict[str, Any]]]:
    """Celery's send_task replaced by a recorder (no broker traffic): what was sent, from where."""
    sent: list[dict[str, Any]] = []

    def record(name: str, args: Any = None, kwargs: Any = None, **options: Any) -> Any:
        email = args[0]["to"] if name == "default.send_email" else None
        with sync_session() as s:  # another connection: sees only committed rows
            committed = email is not None and s.scalar(select(User.id).where(User.email == email)) is not None
        sent.append(
            {
                "name": name,
                "on_loop": _on_event_loop(),
                "thread": threading.get_ident(),
                "committed": committed,
                "task_id": options.get("task_id"),
            }
        )
        return celery_app.AsyncResult(options.get("task_id") or "x")

    monkeypatch.setattr(celery_app, "send_task", record)
    celery_app.conf.task_always_eager = False
    try:
        yield sent
    finally:
        celery_app.conf.task_always_eager = True


async def test_tasks_are_sent_after_commit_and_off_the_event_loop(
    client: httpx.AsyncClient, sent_tasks: list[dict[str, Any]]
) -> None:
    resp = await client.post(
        "/api/v1/auth/register",
        json={"email": "queued@example.com", "password": "Kata-sequence-2026", "display_name": "Q"},
    )
    assert resp.status_code == 201
    await dispatch.wait_for_sends()
    [sent] = sent_tasks
    assert sent["name"] == "default.send_email"
    assert sent["on_loop"] is False and sent["thread"] != threading.get_ident()
    assert sent["committed"] is True  # the worker will find the row it is told about
    assert sent["task_id"]


async def test_a_task_of_a_rolled_back_transaction_is_never_sent(sent_tasks: list[dict[str, Any]]) -> None:
    async for session in get_async_session():
        await session.execute(select(User.id).limit(1))
        dispatch.enqueue_after_commit(session, "default.ping", "never")
        await session.rollback()
        await session.commit()
    async for session in get_async_session():  # nothing in flight: a session never used for SQL
        dispatch.enqueue_after_commit(session, "default.ping", "never either")
        await session.rollback()
        await session.commit()
    await dispatch.wait_for_sends()
    assert sent_tasks == []


RSA_PEM: str | None = None


def _pem() -> str:
    global RSA_PEM
    if RSA_PEM is None:
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import rsa

        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        RSA_PEM = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
    return RSA_PEM


@pytest.mark.parametrize("source", ["value", "file"])
def test_the_cloudfront_key_is_parsed_once_not_per_request(
    source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from cryptography.hazmat.primitives import serialization

    from app.core.config import Settings
    from app.media.signing import build_signer

    parsed: list[int] = []
    real = serialization.load_pem_private_key

    def counting(data: bytes, password: bytes | None, **kwargs: Any) -> Any:
        parsed.append(1)
        return real(data, password, **kwargs)

    monkeypatch.setattr(serialization, "load_pem_private_key", counting)
    pem = _pem() + ("" if source == "value" else "\n")  # a key of its own for each case
    key_source: dict[str, Any]
    if source == "file":
        (tmp_path / "cf.pem").write_text(pem)
        key_source = {"cloudfront_private_key_file": tmp_path / "cf.pem"}
    else:
        key_source = {"cloudfront_private_key": pem}
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        media_signer="cloudfront",
        cloudfront_domain="d111.cloudfront.net",
        cloudfront_key_pair_id="K2JCJMDEHXQW5F",
        **key_source,
    )
    urls = [build_signer(settings).sign_object(f"videos/v/poster-{i}.jpg", 60) for i in range(5)]
    assert all("Signature=" in url for url in urls)
    assert len(parsed) == 1
