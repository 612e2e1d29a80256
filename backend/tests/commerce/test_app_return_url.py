"""Checkout's return_url (the mobile app's deep link): allow-listed, never an open redirect."""

from __future__ import annotations

import pytest

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
