"""Notifications: the in-app list and read marks, per-kind preferences, email in the user's
language, the digest instead of spam, the daily practice reminder, the bell's live count, push."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import select

from app.auth.models import User
from app.core.config import Settings
from app.db.session import sync_session
from app.notifications import push, service
from app.notifications import router as notifications_router
from app.notifications.models import Notification, PracticeReminder, PushToken
from tests.notifications.standin import ExpoStandIn
from tests.support.sse import parse_events

API = "/api/v1/notifications"
Headers = Callable[[User], dict[str, str]]


def notify(user: User, kind: str = "video_approved", **params: str) -> Notification | None:
    with sync_session() as session:
        return service.notify(
            session, user_id=user.id, kind=kind, params={"title": "Mae geri", **params}, link="/videos/x"
        )


def set_language(user: User, lang: str) -> None:
    with sync_session() as session:
        row = session.get(User, user.id)
        assert row is not None
        row.language = lang


async def test_list_unread_and_read_marks(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers
) -> None:
    user, other = make_user(), make_user()
    set_language(user, "it")
    first, second = notify(user), notify(user, "video_rejected", reason="audio")
    assert first is not None and second is not None

    page = (await client.get(API, headers=auth_headers(user))).json()
    assert page["unread"] == 2
    assert [n["kind"] for n in page["items"]] == ["video_rejected", "video_approved"]
    assert page["items"][0]["title"] == "Video rifiutato"
    assert page["items"][0]["body"] == "«Mae geri» non è stato approvato: audio"

    # someone else's notification is not theirs to mark
    resp = await client.post(f"{API}/{first.id}/read", headers=auth_headers(other))
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "notification_not_found"
    resp = await client.post(f"{API}/{first.id}/read", headers=auth_headers(user))
    assert resp.json() == {"unread": 1}
    assert (await client.get(f"{API}/unread", headers=auth_headers(user))).json() == {"unread": 1}
    resp = await client.post(f"{API}/read-all", headers=auth_headers(user))
    assert resp.json() == {"unread": 0}
    unread = (await client.get(API, params={"unread_only": "true"}, headers=auth_headers(user))).json()
    assert unread["items"] == []
    assert (await client.get(API, headers=auth_headers(other))).json()["items"] == []


async def test_email_in_the_users_language(make_user: Callable[..., User], outbox: Any) -> None:
    user = make_user(display_name="Giulia")
    set_language(user, "it")
    notify(user)
    [mail] = outbox(to=user.email)
    assert mail["subject"] == "Video approvato — Martial Arts Media Center"
    assert "Ciao Giulia," in mail["text"] and "«Mae geri» è pubblicato." in mail["text"]
    assert "/videos/x" in mail["text"]


async def test_preferences_turn_channels_off(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers, outbox: Any
) -> None:
    user = make_user()
    prefs = (await client.get(f"{API}/preferences", headers=auth_headers(user))).json()["items"]
    by_kind = {p["kind"]: p for p in prefs}
    assert set(service.KINDS) == set(by_kind)
    assert by_kind["refund"]["email"] is False  # commerce mails the refund receipt itself

    body = {"items": [{"kind": "video_approved", "in_app": False, "email": False, "push": False}]}
    resp = await client.put(f"{API}/preferences", json=body, headers=auth_headers(user))
    assert resp.status_code == 200
    assert notify(user) is None  # every channel off: nothing stored
    assert outbox(to=user.email) == []

    body = {"items": [{"kind": "video_approved", "in_app": True, "email": False, "push": False}]}
    await client.put(f"{API}/preferences", json=body, headers=auth_headers(user))
    assert notify(user) is not None
    assert outbox(to=user.email) == []
    assert (await client.get(f"{API}/unread", headers=auth_headers(user))).json() == {"unread": 1}

    body = {"items": [{"kind": "no_such_kind", "in_app": True, "email": True, "push": True}]}
    resp = await client.put(f"{API}/preferences", json=body, headers=auth_headers(user))
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "unknown_kind"


def test_unknown_kind_is_a_programming_error(make_user: Callable[..., User]) -> None:
    with pytest.raises(ValueError, match="register_kind"):
        notify(make_user(), "no_such_kind")


async def test_digest_instead_of_spam(
    make_user: Callable[..., User], outbox: Any, settings: Settings
) -> None:
    user = make_user()
    threshold = settings.notify_digest_threshold
    for i in range(threshold + 2):
        notify(user, "sale", buyer=f"Buyer {i}", amount="€ 9,00")
    assert len(outbox(to=user.email)) == threshold  # the rest waits for the digest

    with sync_session() as session:
        assert service.send_digests(session) == 1
    mails = outbox(to=user.email)
    assert len(mails) == threshold + 1
    digest = mails[-1]
    assert digest["subject"] == "2 new notifications — Martial Arts Media Center"
    assert "Buyer 3" in digest["text"] and "Buyer 4" in digest["text"] and "Buyer 0" not in digest["text"]
    with sync_session() as session:  # each waiting notification goes out once
        assert service.send_digests(session) == 0
    assert len(outbox(to=user.email)) == threshold + 1


def test_practice_reminder_once_per_local_day(make_user: Callable[..., User]) -> None:
    user = make_user()
    with sync_session() as session:
        session.add(PracticeReminder(user_id=user.id, local_time="07:30", timezone="Europe/Rome"))

    def run(now: datetime) -> int:
        with sync_session() as session:
            return service.send_practice_reminders(session, now)

    assert run(datetime(2026, 11, 30, 6, 0, tzinfo=UTC)) == 0  # 07:00 in Rome: not yet
    assert run(datetime(2026, 11, 30, 6, 31, tzinfo=UTC)) == 1  # 07:31 in Rome
    assert run(datetime(2026, 11, 30, 6, 46, tzinfo=UTC)) == 0  # beat again: same day
    assert run(datetime(2026, 11, 30, 22, 0, tzinfo=UTC)) == 0  # 23:00 in Rome, still the 30th
    assert run(datetime(2026, 11, 30, 23, 30, tzinfo=UTC)) == 0  # 00:30 on the 1st: before 07:30
    assert run(datetime(2026, 12, 1, 6, 30, tzinfo=UTC)) == 1
    with sync_session() as session:
        kinds = session.scalars(select(Notification.kind).where(Notification.user_id == user.id)).all()
    assert kinds == ["practice_reminder", "practice_reminder"]


async def test_reminder_api(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers
) -> None:
    user = make_user()
    body = {"local_time": "18:45", "timezone": "Europe/Rome"}
    assert (await client.put(f"{API}/reminder", json=body, headers=auth_headers(user))).json() == body
    assert (await client.get(f"{API}/reminder", headers=auth_headers(user))).json() == body
    bad = await client.put(f"{API}/reminder", json={"local_time": "25:00"}, headers=auth_headers(user))
    assert bad.status_code == 422
    bad = await client.put(
        f"{API}/reminder", json={"local_time": "08:00", "timezone": "Mars/Base"}, headers=auth_headers(user)
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "unknown_timezone"
    off = await client.put(f"{API}/reminder", json={"local_time": None}, headers=auth_headers(user))
    assert off.json()["local_time"] is None


async def test_bell_stream_follows_the_unread_count(
    client: httpx.AsyncClient,
    make_user: Callable[..., User],
    auth_headers: Headers,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    user = make_user()
    notify(user)
    monkeypatch.setattr(notifications_router, "STREAM_SECONDS", 2.5)
    stream = asyncio.create_task(client.get(f"{API}/stream", headers=auth_headers(user)))
    await asyncio.sleep(0.8)
    await asyncio.to_thread(notify, user)
    resp = await stream
    assert resp.status_code == 200
    counts = [data["unread"] for name, data in parse_events(resp.text) if name == "progress"]
    assert counts[0] == 1 and counts[-1] == 2


@pytest.fixture
def expo(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[ExpoStandIn]:
    stand_in = ExpoStandIn()
    monkeypatch.setattr(settings, "expo_push_enabled", True)
    monkeypatch.setattr(settings, "expo_push_url", stand_in.url)
    monkeypatch.setattr(settings, "expo_access_token", SecretStr("expo-standin-token"))
    yield stand_in
    stand_in.close()


async def test_push_through_expo(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers, expo: ExpoStandIn
) -> None:
    user = make_user()
    phone, tablet = "ExponentPushToken[phone-aaaaaaaa]", "ExponentPushToken[tablet-bbbbbbb]"
    for token, platform in ((phone, "ios"), (tablet, "android")):
        resp = await client.post(
            f"{API}/push-tokens", json={"token": token, "platform": platform}, headers=auth_headers(user)
        )
        assert resp.status_code == 201
    bad = await client.post(f"{API}/push-tokens", json={"token": "not-a-token"}, headers=auth_headers(user))
    assert bad.status_code == 422
    expo.unregistered.add(tablet)  # the app was uninstalled there

    notify(user)
    assert sorted(m["to"] for m in expo.received) == sorted([phone, tablet])
    assert {m["title"] for m in expo.received} == {"Video approved"}
    assert expo.received[0]["data"]["link"] == "/videos/x"
    assert expo.headers[0]["Authorization"] == "Bearer expo-standin-token"
    with sync_session() as session:  # DeviceNotRegistered: the token is dropped
        assert session.scalars(select(PushToken.token).where(PushToken.user_id == user.id)).all() == [phone]

    resp = await client.delete(f"{API}/push-tokens", params={"token": phone}, headers=auth_headers(user))
    assert resp.status_code == 204
    expo.received.clear()
    notify(user)
    assert expo.received == []


def test_push_failure_is_retried(make_user: Callable[..., User], expo: ExpoStandIn) -> None:
    user = make_user()
    with sync_session() as session:
        session.add(PushToken(user_id=user.id, token="ExponentPushToken[phone-ccccccc]", platform="ios"))
    row = notify(user)
    assert row is not None and len(expo.received) == 1
    expo.status = 503  # Expo overloaded: the task's autoretry_for error, tokens kept
    with sync_session() as session, pytest.raises(push.PushDeliveryError):
        push.send_for(session, str(row.id))
    expo.status = 200
    with sync_session() as session:
        assert push.send_for(session, str(row.id)) == 1
    assert len(expo.received) == 2


def test_export_and_erase(make_user: Callable[..., User]) -> None:
    user = make_user()
    notify(user)
    with sync_session() as session:
        data = service.export_user_data(session, user.id)
        assert [n["kind"] for n in data["notifications"]] == ["video_approved"]
        service.erase_user_data(session, user.id)
    with sync_session() as session:
        assert service.export_user_data(session, user.id)["notifications"] == []
