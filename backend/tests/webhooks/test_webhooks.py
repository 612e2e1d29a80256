"""Outbound webhooks against a local receiver that verifies each delivery with the Standard
Webhooks reference library: who receives what, signatures, retries with backoff, the log, replay,
and the SSRF guard."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.config import Settings
from app.db.session import sync_session
from app.webhooks import service
from app.webhooks.models import WebhookDelivery

API = "/api/v1/webhooks"
Headers = Callable[[User], dict[str, str]]


class Receiver:
    """Answers `statuses` in turn (then 200) and keeps every request as received."""

    def __init__(self) -> None:
        self.requests: list[tuple[dict[str, str], bytes]] = []
        self.statuses: list[int] = []
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *_: Any) -> None:
                pass

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append(({k.lower(): v for k, v in self.headers.items()}, body))
                self.send_response(receiver.statuses.pop(0) if receiver.statuses else 200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/hook"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def verified(self, secret: str) -> list[dict[str, Any]]:
        """Every request whose signature verifies with `secret` (the library raises otherwise)."""
        return [Webhook(secret).verify(body, headers) for headers, body in self.requests]


@pytest.fixture
def receiver(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Receiver]:
    monkeypatch.setattr(settings, "webhooks_allow_private_targets", True)
    stand_in = Receiver()
    yield stand_in
    stand_in.server.shutdown()
    stand_in.server.server_close()


async def register(
    client: httpx.AsyncClient, headers: dict[str, str], url: str, events: list[str]
) -> dict[str, Any]:
    resp = await client.post(f"{API}/endpoints", json={"url": url, "events": events}, headers=headers)
    assert resp.status_code == 201, resp.text
    return dict(resp.json())


def emit(event: str, owner: User | None, data: dict[str, Any]) -> int:
    with sync_session() as session:
        return service.emit(session, event_type=event, owner_id=owner.id if owner else None, data=data)


async def test_signed_deliveries_reach_the_owner_and_admins_only(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers, receiver: Receiver
) -> None:
    teacher, rival, admin = (make_user(role=r) for r in (Role.instructor, Role.instructor, Role.admin))
    mine = await register(client, auth_headers(teacher), receiver.url, ["purchase.paid"])
    assert mine["secret"].startswith("whsec_")
    theirs = await register(client, auth_headers(rival), receiver.url + "?rival", ["purchase.paid"])
    everyone = await register(client, auth_headers(admin), receiver.url + "?admin", ["purchase.paid"])
    listed = (await client.get(f"{API}/endpoints", headers=auth_headers(teacher))).json()
    assert [e["id"] for e in listed["items"]] == [mine["id"]] and "secret" not in listed["items"][0]

    assert emit("purchase.paid", teacher, {"purchase_id": "p1", "amount": 900, "currency": "eur"}) == 2
    assert emit("video.published", teacher, {"video_id": "v1"}) == 0  # nobody subscribed

    assert len(receiver.requests) == 2  # the teacher's endpoint and the admin's; not the rival's
    # each request verifies with the secret of the endpoint it was sent to, and no other
    verified = []
    for headers, body in receiver.requests:
        for secret in (mine["secret"], everyone["secret"]):
            with contextlib.suppress(WebhookVerificationError):
                verified.append(Webhook(secret).verify(body, headers))
        with pytest.raises(WebhookVerificationError):
            Webhook(theirs["secret"]).verify(body, headers)
        with pytest.raises(WebhookVerificationError):  # a tampered body fails
            Webhook(mine["secret"]).verify(body.replace(b"900", b"1"), headers)
    assert len(verified) == 2
    assert all(e["type"] == "purchase.paid" and e["data"]["amount"] == 900 for e in verified)

    log = (await client.get(f"{API}/endpoints/{mine['id']}/deliveries", headers=auth_headers(teacher))).json()
    assert [(d["status"], d["attempts"], d["last_status_code"]) for d in log["items"]] == [
        ("delivered", 1, 200)
    ]
    other = await client.get(f"{API}/endpoints/{mine['id']}/deliveries", headers=auth_headers(rival))
    assert other.status_code == 404


async def test_retries_with_backoff_then_replay(
    client: httpx.AsyncClient,
    make_user: Callable[..., User],
    auth_headers: Headers,
    receiver: Receiver,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "webhooks_max_attempts", 3)
    teacher = make_user(role=Role.instructor)
    endpoint = await register(client, auth_headers(teacher), receiver.url, ["attempt.ready"])
    receiver.statuses = [500, 503, 502]
    emit("attempt.ready", teacher, {"attempt_id": "a1"})

    with sync_session() as session:
        [delivery] = session.query(WebhookDelivery).all()
        first_try = delivery.next_attempt_at
        assert (delivery.status, delivery.attempts, delivery.last_status_code) == ("pending", 1, 500)
        delivery_id = delivery.id
    assert first_try is not None
    start = first_try - timedelta(seconds=service.backoff_seconds(1))
    with sync_session() as session:  # not due yet: nothing sent
        assert service.deliver(session, delivery_id, now=start + timedelta(seconds=10)) == "not_due"
    with sync_session() as session:
        assert service.deliver(session, delivery_id, now=first_try) == "pending"
        row = session.get(WebhookDelivery, delivery_id)
        assert row is not None and row.next_attempt_at == first_try + timedelta(seconds=60)  # doubled
    with sync_session() as session:
        assert service.deliver(session, delivery_id, now=utcnow() + timedelta(minutes=5)) == "failed"
    assert len(receiver.requests) == 3
    ids = {headers["webhook-id"] for headers, _ in receiver.requests}
    assert len(ids) == 1  # the same message id on every attempt

    resp = await client.post(f"{API}/deliveries/{delivery_id}/replay", headers=auth_headers(teacher))
    assert resp.status_code == 202
    log = (
        await client.get(f"{API}/endpoints/{endpoint['id']}/deliveries", headers=auth_headers(teacher))
    ).json()
    assert log["items"][0]["status"] == "delivered"
    assert receiver.requests[-1][0]["webhook-id"] in ids
    assert len(receiver.verified(endpoint["secret"])) == 4


async def test_ssrf_guard_and_roles(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers, settings: Settings
) -> None:
    assert settings.webhooks_allow_private_targets is False
    teacher, student = make_user(role=Role.instructor), make_user()
    for url in ("http://127.0.0.1:9/x", "http://10.1.2.3/x", "http://[::1]/x", "ftp://example.com/x",
                "http://169.254.169.254/latest/meta-data", "http://user:pw@example.com/"):  # fmt: skip
        resp = await client.post(
            f"{API}/endpoints",
            json={"url": url, "events": ["video.published"]},
            headers=auth_headers(teacher),
        )
        assert resp.status_code == 422 and resp.json()["error"]["code"] == "unsafe_webhook_url", url
    resp = await client.post(
        f"{API}/endpoints",
        json={"url": "https://example.com/h", "events": ["nope"]},
        headers=auth_headers(teacher),
    )
    assert resp.json()["error"]["code"] == "unknown_webhook_event"
    resp = await client.post(
        f"{API}/endpoints",
        json={"url": "https://example.com/h", "events": ["video.published"]},
        headers=auth_headers(student),
    )
    assert resp.status_code == 403


@pytest.mark.parametrize(
    ("addresses", "safe"),
    [
        (["93.184.215.14"], True),
        (["93.184.215.14", "127.0.0.1"], False),  # one private answer is enough to refuse
        (["::ffff:10.0.0.1"], False),
        (["fd00::1"], False),
        (["100.64.0.1"], False),  # carrier-grade NAT
        ([], False),
    ],
)
def test_address_check(addresses: list[str], safe: bool, settings: Settings) -> None:
    if safe:
        service.check_addresses(addresses, settings)
    else:
        with pytest.raises(service.UnsafeTarget):
            service.check_addresses(addresses, settings)


def test_production_refuses_private_targets(settings: Settings) -> None:
    from app.core.config import check_production_safety

    unsafe = settings.model_copy(
        update={
            "app_env": "production",
            "secret_key": SecretStr("x" * 48),
            "webhooks_allow_private_targets": True,
        }
    )
    with pytest.raises(RuntimeError, match="WEBHOOKS_ALLOW_PRIVATE_TARGETS"):
        check_production_safety(unsafe)
    check_production_safety(unsafe.model_copy(update={"webhooks_allow_private_targets": False}))
