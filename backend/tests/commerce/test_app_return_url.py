"""Checkout's return_url (the mobile app's deep link): allow-listed, never an open redirect."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from app.auth.models import User

from .conftest import StripeCheckout


async def test_an_allow_listed_app_return_url_becomes_the_stripe_success_and_cancel_urls(
    stripe_checkout: StripeCheckout,
) -> None:
    back = f"mamc://checkout-return?video={stripe_checkout.video.id}"
    r = await stripe_checkout.post(return_url=back)
    assert r.status_code == 201, r.text
    [call] = stripe_checkout.sessions()
    assert call.form["success_url"] == back + "&checkout=success&session_id={CHECKOUT_SESSION_ID}"
    assert call.form["cancel_url"] == back + "&checkout=cancelled"


async def test_without_return_url_the_web_pages_are_used(stripe_checkout: StripeCheckout) -> None:
    r = await stripe_checkout.post(kind="subscription", video_id=None)
    assert r.status_code == 201, r.text
    [call] = stripe_checkout.sessions()
    assert call.form["success_url"].startswith("http://testserver/library?checkout=success")
    assert call.form["cancel_url"] == "http://testserver/library?checkout=cancelled"


@pytest.mark.parametrize(
    "bad",
    [
        "https://evil.example/steal",
        "mamc://checkout-return.evil.example/",
        "mamc://checkout-return/other",
        "mamc://user@checkout-return",
        "mamc://checkout-return#frag",
        "javascript:alert(1)",
        "evil://checkout-return",
    ],
)
async def test_a_return_url_outside_the_allow_list_is_refused_and_opens_no_session(
    bad: str, stripe_checkout: StripeCheckout
) -> None:
    r = await stripe_checkout.post(return_url=bad, headers={"Accept-Language": "it"})
    assert r.status_code in (400, 422), r.text
    assert r.json()["error"]["code"] == "return_url_not_allowed"
    assert r.json()["error"]["message"] == "Questo indirizzo di ritorno non è consentito."
    assert stripe_checkout.sessions() == []


async def test_the_sandbox_checkout_sends_the_buyer_back_to_the_app_return_url_as_stripe_would(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    headers = auth_headers(make_user())
    video = make_video(instructor, price_cents=1900)
    back = f"mamc://checkout-return?video={video.id}"
    r = await client.post(
        "/api/v1/checkout",
        json={"kind": "ppv", "video_id": str(video.id), "return_url": back},
        headers=headers,
    )
    assert r.status_code == 201, r.text
    sid = r.json()["checkout_session_id"]
    api = f"/api/v1/sandbox/checkout/{sid}"
    page = await client.get(api, headers=headers)
    assert page.json()["cancel_url"] == back + "&checkout=cancelled"
    paid = await client.post(f"{api}/pay", headers=headers)
    assert paid.status_code == 200, paid.text
    assert paid.json()["redirect_url"] == f"{back}&checkout=success&session_id={sid}"
    again = await client.post(f"{api}/pay", headers=headers)  # already paid: the same way back
    assert again.json()["redirect_url"] == f"{back}&checkout=success&session_id={sid}"
    mine = await client.get(f"/api/v1/me/purchases/{r.json()['purchase_id']}", headers=headers)
    assert mine.json()["status"] == "paid"


async def test_the_sandbox_checkout_without_return_url_goes_back_to_the_web_pages(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    make_user: Callable[..., User],
) -> None:
    headers = auth_headers(make_user())
    r = await client.post("/api/v1/checkout", json={"kind": "subscription"}, headers=headers)
    sid = r.json()["checkout_session_id"]
    api = f"/api/v1/sandbox/checkout/{sid}"
    assert (await client.get(api, headers=headers)).json()["cancel_url"] == (
        "http://testserver/library?checkout=cancelled"
    )
    paid = await client.post(f"{api}/pay", headers=headers)
    assert paid.json()["redirect_url"] == f"http://testserver/library?checkout=success&session_id={sid}"
