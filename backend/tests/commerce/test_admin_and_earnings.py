"""Admin payments/disputes lists and instructors' earnings (ledger, monthly payout report, CSV)."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from typing import Any

import httpx

from app.auth.models import Role, User

from .conftest import event

Headers = Callable[[User], dict[str, str]]


async def test_payments_and_disputes_lists_filter_and_earnings_report(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    make_user: Callable[..., User],
    admin: User,
    open_checkout: Callable[..., Any],
    post_event: Callable[..., Any],
) -> None:
    teacher = make_user(role=Role.instructor, display_name="=HYPERLINK(evil)")
    other_teacher = make_user(role=Role.instructor)
    video = make_video(teacher, price_cents=2000, currency="USD")
    other = make_video(other_teacher, price_cents=1000, currency="USD")
    a = await open_checkout(make_user(), video)
    b = await open_checkout(make_user(), video)
    c = await open_checkout(make_user(), other)
    for shapes, fee in ((a, 88), (b, 88), (c, 59)):
        await post_event(event("checkout.session.completed", shapes.checkout_completed()))
        await post_event(event("payment_intent.succeeded", shapes.pi_succeeded(fee=fee)))
    await post_event(event("charge.refunded", b.charge_refunded(2000)))
    await post_event(event("charge.dispute.created", c.dispute("needs_response")))
    h = auth_headers(admin)

    refunded = (
        await client.get(
            "/api/v1/admin/payments",
            params={"status": "refunded", "instructor_id": str(teacher.id)},
            headers=h,
        )
    ).json()
    assert [p["id"] for p in refunded["items"]] == [str(b.purchase_id)]
    by_video = (
        await client.get("/api/v1/admin/payments", params={"video_id": str(video.id), "limit": 1}, headers=h)
    ).json()
    assert len(by_video["items"]) == 1 and by_video["next_cursor"]
    page2 = (
        await client.get(
            "/api/v1/admin/payments",
            params={"video_id": str(video.id), "limit": 1, "cursor": by_video["next_cursor"]},
            headers=h,
        )
    ).json()
    assert {by_video["items"][0]["id"], page2["items"][0]["id"]} == {str(a.purchase_id), str(b.purchase_id)}
    disputes = (await client.get("/api/v1/admin/disputes", params={"open_only": True}, headers=h)).json()[
        "items"
    ]
    mine = [d for d in disputes if d["purchase_id"] == str(c.purchase_id)]
    assert mine and mine[0]["evidence_due_by"] and mine[0]["status"] == "needs_response"

    ledger = (await client.get("/api/v1/earnings/ledger", headers=auth_headers(teacher))).json()["items"]
    assert {e["purchase_id"] for e in ledger} == {str(a.purchase_id), str(b.purchase_id)}
    report = (await client.get("/api/v1/earnings/payouts", headers=auth_headers(teacher))).json()
    [line] = report["lines"]
    # a: 2000 - 400 platform - 88 fee = 1512; b: sold and refunded in full (fee stays) = -88
    assert line["gross_cents"] == 2000 and line["net_cents"] == 1512 - 88 and line["sales"] == 2
    assert line["platform_fee_cents"] == 400 and line["stripe_fee_cents"] == 176
    assert line["gross_cents"] == line["net_cents"] + line["platform_fee_cents"] + line["stripe_fee_cents"]
    # per video (issue 18): the same month, split by video, summing to the payout line
    videos = (await client.get("/api/v1/earnings/videos", headers=auth_headers(teacher))).json()
    [mine_v] = videos
    assert (mine_v["video_id"], mine_v["sales"], mine_v["refunds"]) == (str(video.id), 2, 1)
    assert (mine_v["gross_cents"], mine_v["net_cents"]) == (line["gross_cents"], line["net_cents"])
    assert mine_v["fees_cents"] == line["platform_fee_cents"] + line["stripe_fee_cents"]
    assert (await client.get("/api/v1/earnings/videos", headers=auth_headers(make_user()))).status_code == 403

    exported = await client.get("/api/v1/admin/payouts.csv", params={"month": report["month"]}, headers=h)
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(exported.text)))
    row = next(r for r in rows if r["instructor_id"] == str(teacher.id))
    assert row["net_cents"] == str(1512 - 88) and row["currency"] == "USD"
    assert row["instructor_name"].startswith("'=")  # spreadsheet formula defused
    own_csv = await client.get("/api/v1/earnings/payouts.csv", headers=auth_headers(other_teacher))
    assert str(teacher.id) not in own_csv.text and str(other_teacher.id) in own_csv.text
    bad = await client.get(
        "/api/v1/earnings/payouts", params={"month": "2026-13"}, headers=auth_headers(teacher)
    )
    assert bad.status_code == 422
