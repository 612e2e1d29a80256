"""Bad input to commerce routes is a 4xx with the error envelope, never a 500; months are UTC."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

import httpx
import pytest

from app.auth.models import Role, User
from app.commerce import service

from .conftest import WEBHOOK, Signer

Headers = Callable[[User], dict[str, str]]


def _envelope(response: httpx.Response, status: int, code: str) -> None:
    assert response.status_code == status, response.text
    error = response.json()["error"]
    assert error["code"] == code and error["message"]


@pytest.mark.parametrize(
    "body",
    [b"\xff\xfe\x00{not utf-8", b'{"id": "evt_1", "type": "x", "data": {"object": {}}, "n": "\xe9"}'],
)
async def test_a_webhook_body_that_is_not_utf8_is_a_400(
    client: httpx.AsyncClient, signer: Signer, body: bytes
) -> None:
    """Stripe only sends UTF-8 JSON: any other body is refused, signed or not."""
    signed = f"t=1700000000,v1={'0' * 64}"
    for headers in ({"Stripe-Signature": signed}, {}):
        response = await client.post(WEBHOOK, content=body, headers=headers)
        _envelope(response, 400, "invalid_payload")


@pytest.mark.parametrize("month", ["9999-12", "0000-01", "2026-13", "2026-00"])
async def test_months_outside_the_calendar_are_a_422(
    client: httpx.AsyncClient, auth_headers: Headers, make_user: Callable[..., User], month: str
) -> None:
    teacher, admin = make_user(role=Role.instructor), make_user(role=Role.admin)
    for path, who in (
        ("/api/v1/earnings/ledger", teacher),
        ("/api/v1/earnings/payouts", teacher),
        ("/api/v1/earnings/payouts.csv", teacher),
        ("/api/v1/admin/payouts", admin),
        ("/api/v1/admin/payouts.csv", admin),
    ):
        response = await client.get(path, params={"month": month}, headers=auth_headers(who))
        _envelope(response, 422, "invalid_month")


def test_the_last_representable_month_still_has_an_end() -> None:
    start, end = service.month_bounds("9998-12")
    assert (start, end) == (datetime(9998, 12, 1, tzinfo=UTC), datetime(9999, 1, 1, tzinfo=UTC))


async def test_the_default_month_is_the_utc_month(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Ten past midnight UTC on 1 March is still February wherever the server's clock is set
    behind UTC; the report must follow UTC, as the ledger's timestamps do."""
    monkeypatch.setenv("TZ", "America/Los_Angeles")
    import time

    time.tzset()
    try:
        monkeypatch.setattr(service, "utcnow", lambda: datetime(2031, 3, 1, 0, 10, tzinfo=UTC))
        teacher = make_user(role=Role.instructor)
        report = await client.get("/api/v1/earnings/payouts", headers=auth_headers(teacher))
        assert report.status_code == 200 and report.json()["month"] == "2031-03"
    finally:
        monkeypatch.undo()
        time.tzset()
