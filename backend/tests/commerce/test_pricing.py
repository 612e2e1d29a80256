"""Instructor prices within admin-configured bounds (validate_price, wired into media's video API)."""

from __future__ import annotations

from collections.abc import Callable

import httpx
import pytest

from app.auth.models import User
from app.commerce.pricing import validate_price
from app.core.errors import ValidationFailed


def test_validate_price_bounds_and_currencies() -> None:
    validate_price("EUR", None)  # not sold this way
    validate_price("eur", 100)
    validate_price("USD", 50_000)
    for currency, amount, code in (
        ("EUR", 99, "price_out_of_bounds"),
        ("USD", 50_001, "price_out_of_bounds"),
        ("XYZ", 1000, "currency_not_supported"),
        ("EUR", 0, "invalid_price"),
        ("EUR", -5, "invalid_price"),
    ):
        with pytest.raises(ValidationFailed) as err:
            validate_price(currency, amount)
        assert err.value.code == code


async def test_instructors_cannot_set_prices_outside_the_bounds(
    client: httpx.AsyncClient, auth_headers: Callable[[User], dict[str, str]], instructor: User
) -> None:
    h = auth_headers(instructor)
    r = await client.post(
        "/api/v1/videos", json={"title": "Kata", "discipline": "karate", "price_cents": 50}, headers=h
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "price_out_of_bounds"
    ok = await client.post(
        "/api/v1/videos", json={"title": "Kata", "discipline": "karate", "price_cents": 900}, headers=h
    )
    assert ok.status_code == 201, ok.text
    bad = await client.patch(f"/api/v1/videos/{ok.json()['id']}", json={"price_cents": 10_000_000}, headers=h)
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "price_out_of_bounds"
    fine = await client.patch(f"/api/v1/videos/{ok.json()['id']}", json={"title": "Kata 2"}, headers=h)
    assert fine.status_code == 200 and fine.json()["price_cents"] == 900


async def test_visitors_see_the_subscription_price_in_the_site_currency(
    client: httpx.AsyncClient, auth_headers: Callable[[User], dict[str, str]], instructor: User
) -> None:
    """No account needed, and a video created with the defaults sells in the same currency as the
    subscription (no USD subscription on a EUR site)."""
    plans = await client.get("/api/v1/plans")
    assert plans.status_code == 200, plans.text
    body = plans.json()
    assert body["monthly_cents"] > 0 and body["yearly_cents"] > 0
    video = await client.post(
        "/api/v1/videos",
        json={"title": "Kata", "discipline": "karate", "price_cents": 900},
        headers=auth_headers(instructor),
    )
    assert body["currency"] == video.json()["currency"].lower() == "eur"
