"""The embedded payment sandbox is for development only: not mounted otherwise, its Pay button
needs the buyer's own session, and production refuses to start on embedded stand-ins (no Stripe
keys, no SendGrid, the app signing its own media URLs)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest
from pydantic import SecretStr
from sqlalchemy import func, select

from app.auth.models import User
from app.commerce.models import StripeEvent
from app.core.config import Settings, check_production_services, get_settings
from app.db.session import sync_session

Headers = Callable[[User], dict[str, str]]


def _stored_events() -> int:
    with sync_session() as s:
        return int(s.scalar(select(func.count()).select_from(StripeEvent)) or 0)


async def _open(client: httpx.AsyncClient, headers: dict[str, str], video: Any) -> dict[str, Any]:
    r = await client.post(
        "/api/v1/checkout", json={"kind": "ppv", "video_id": str(video.id)}, headers=headers
    )
    assert r.status_code == 201, r.text
    opened: dict[str, Any] = r.json()
    return opened


async def test_pay_needs_the_buyers_own_session(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    buyer, stranger = make_user(), make_user()
    video = make_video(instructor, price_cents=1900)
    opened = await _open(client, auth_headers(buyer), video)
    assert httpx.URL(opened["url"]).path == f"/sandbox/checkout/{opened['checkout_session_id']}"
    api = f"/api/v1/sandbox/checkout/{opened['checkout_session_id']}"
    before = _stored_events()

    anonymous = await client.post(f"{api}/pay")
    assert anonymous.status_code == 401 and anonymous.json()["error"]["code"] == "not_authenticated"
    for action in ("pay", "decline"):
        other = await client.post(f"{api}/{action}", headers=auth_headers(stranger))
        assert other.status_code == 404 and other.json()["error"]["code"] == "checkout_not_found"
    assert (await client.get(api, headers=auth_headers(stranger))).status_code == 404
    assert (await client.get(api)).status_code == 401
    assert _stored_events() == before  # nothing was paid or declined for the buyer
    play = await client.get(f"/api/v1/videos/{video.id}/playback", headers=auth_headers(buyer))
    assert play.status_code == 403

    page = await client.get(api, headers=auth_headers(buyer))
    assert page.status_code == 200, page.text
    assert page.json() | {"cancel_url": None} == {
        "checkout_session_id": opened["checkout_session_id"],
        "kind": "ppv",
        "title": video.title,
        "amount_cents": 1900,
        "currency": "eur",
        "rental_hours": None,
        "interval": None,
        "status": "open",
        "cancel_url": None,
    }
    paid = await client.post(f"{api}/pay", headers=auth_headers(buyer))
    assert paid.status_code == 200, paid.text
    assert "checkout=success" in paid.json()["redirect_url"]
    assert _stored_events() == before + 2
    assert (
        await client.get(f"/api/v1/videos/{video.id}/playback", headers=auth_headers(buyer))
    ).status_code == 200
    assert (await client.get(api, headers=auth_headers(buyer))).json()["status"] == "paid"


async def test_an_expired_sandbox_checkout_cannot_be_paid(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    buyer = make_user()
    video = make_video(instructor, price_cents=1500)
    first = await _open(client, auth_headers(buyer), video)
    with sync_session() as s:  # the instructor changed the price: the next checkout supersedes it
        from app.media.models import Video

        row = s.get(Video, video.id)
        assert row is not None
        row.price_cents = 1600
    await _open(client, auth_headers(buyer), video)
    api = f"/api/v1/sandbox/checkout/{first['checkout_session_id']}"
    assert (await client.get(api, headers=auth_headers(buyer))).json()["status"] == "expired"
    refused = await client.post(f"{api}/pay", headers=auth_headers(buyer))
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "checkout_expired"


def _production(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "app_env": "production",
        "secret_key": SecretStr("p" * 48),
        "stripe_secret_key": SecretStr("sk_live_0123456789"),
        "stripe_webhook_secret": SecretStr("whsec_0123456789"),
        "sendgrid_api_key": SecretStr("SG.0123456789"),
        "media_signing_secret": SecretStr("nginx-secure-link-secret"),
    }
    values.update(overrides)
    return Settings(_env_file=None, **values)  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("overrides", "names"),
    [
        ({"stripe_secret_key": None}, "STRIPE_SECRET_KEY"),
        ({"stripe_webhook_secret": None}, "STRIPE_WEBHOOK_SECRET"),
        ({"sendgrid_api_key": None}, "SENDGRID_API_KEY"),
        ({"media_signing_secret": None}, "MEDIA_SIGNER"),  # auto resolves to the embedded signer
        ({"media_signer": "embedded"}, "MEDIA_SIGNER"),
    ],
)
def test_production_refuses_embedded_stand_ins(overrides: dict[str, Any], names: str) -> None:
    with pytest.raises(RuntimeError, match=names):
        check_production_services(_production(**overrides))


def test_production_settings_with_real_services_pass_and_development_needs_none() -> None:
    check_production_services(_production())
    check_production_services(
        _production(
            media_signing_secret=None, cloudfront_domain="d1.cloudfront.net", cloudfront_key_pair_id="K1"
        )
    )
    check_production_services(Settings(_env_file=None, app_env="development"))  # type: ignore[call-arg]


def test_the_api_does_not_start_in_production_without_stripe(monkeypatch: pytest.MonkeyPatch) -> None:
    for name, value in {
        "APP_ENV": "production",
        "SECRET_KEY": "p" * 48,
        "SENDGRID_API_KEY": "SG.0123456789",
        "MEDIA_SIGNING_SECRET": "nginx-secure-link-secret",
    }.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("STRIPE_SECRET_KEY", raising=False)
    with pytest.raises(RuntimeError, match="STRIPE_SECRET_KEY"):
        get_settings.__wrapped__()


async def _sandbox_answer(settings: Settings) -> int:
    """What an anonymous POST to a sandbox Pay URL gets from an app built with `settings`:
    401 when the sandbox is mounted (it needs a session), 404/405 when no route takes it (the web
    client's GET-only fallback may answer 405)."""
    from app.main import create_app

    transport = httpx.ASGITransport(app=create_app(settings))
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as http:
        return (await http.post("/api/v1/sandbox/checkout/cs_test_sandbox_x/pay")).status_code


async def test_the_sandbox_is_mounted_only_in_development_without_stripe() -> None:
    assert await _sandbox_answer(Settings(_env_file=None, app_env="development")) == 401  # type: ignore[call-arg]
    assert await _sandbox_answer(_production()) in (404, 405)
    assert await _sandbox_answer(_production(app_env="development")) in (404, 405)  # a key: real Stripe
