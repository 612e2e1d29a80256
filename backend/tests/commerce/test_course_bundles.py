"""Courses sold as bundles: the price on the course page, buying through the one checkout and
webhook path, a right to every video (and to the videos added later), refunds and disputes
acting on all of them, and one ledger sale per course purchase."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import httpx
from sqlalchemy import func, select

from app.analytics import rollups
from app.analytics.models import RevenueDaily
from app.auth.models import User
from app.commerce.models import LedgerEntry, LedgerEntryType, Purchase, PurchaseStatus
from app.core.clock import utcnow
from app.db.session import sync_session
from app.entitlements.models import Entitlement, EntitlementKind, EntitlementStatus, SourceType
from app.entitlements.service import grant

from .conftest import StripeCheckout, event, sandbox_buy

Headers = Callable[[User], dict[str, str]]


async def _course(
    client: httpx.AsyncClient, headers: dict[str, str], videos: list[Any], price: int | None
) -> str:
    """A published course of `videos` as its instructor, sold at `price` EUR cents."""
    cid = str(
        (await client.post("/api/v1/courses", json={"title": "Judo from zero"}, headers=headers)).json()["id"]
    )
    r = await client.put(
        f"/api/v1/courses/{cid}/videos", json={"video_ids": [str(v.id) for v in videos]}, headers=headers
    )
    assert r.status_code == 200, r.text
    body: dict[str, Any] = {"published": True}
    if price is not None:
        body.update(price_cents=price, currency="EUR")
    r = await client.patch(f"/api/v1/courses/{cid}", json=body, headers=headers)
    assert r.status_code == 200, r.text
    return cid


async def _buy_course(client: httpx.AsyncClient, headers: dict[str, str], cid: str) -> dict[str, Any]:
    body = await sandbox_buy(client, headers, {"kind": "course", "course_id": cid})
    page = body["page"]
    assert (page["kind"], page["title"], page["amount_cents"]) == ("course", "Judo from zero", 3000)
    return body


async def _access(client: httpx.AsyncClient, headers: dict[str, str], videos: list[Any]) -> list[Any]:
    out = []
    for v in videos:
        r = await client.get(f"/api/v1/videos/{v.id}/playback", headers=headers)
        out.append(r.json()["access"] if r.status_code == 200 else r.json()["error"]["details"]["reason"])
    return out


def _rights(purchase_id: str) -> list[Entitlement]:
    with sync_session() as s:
        return list(
            s.scalars(
                select(Entitlement).where(Entitlement.source_id == purchase_id).order_by(Entitlement.id)
            )
        )


def _ledger(purchase_id: str) -> list[tuple[LedgerEntryType, int]]:
    with sync_session() as s:
        rows = s.execute(
            select(LedgerEntry.entry_type, LedgerEntry.gross_cents)
            .where(LedgerEntry.purchase_id == uuid.UUID(purchase_id))
            .order_by(LedgerEntry.occurred_at, LedgerEntry.id)
        ).all()
    return [(t, g) for t, g in rows]


async def test_course_page_shows_bundle_price_savings_and_the_videos_already_owned(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    a, b, c = (
        make_video(instructor, title=f"Part {n}", price_cents=p) for n, p in enumerate((1000, 1500, 2000))
    )
    cid = await _course(client, auth_headers(instructor), [a, b, c], 3000)
    with sync_session() as s:  # the student already has part 1
        grant(s, user_id=student.id, video_id=a.id, kind=EntitlementKind.ppv, source_type=SourceType.admin)
    page = (await client.get(f"/api/v1/courses/{cid}", headers=auth_headers(student))).json()
    assert (page["price_cents"], page["currency"], page["videos_total_cents"], page["savings_cents"]) == (
        3000,
        "eur",
        4500,
        1500,
    )
    assert page["owned"] is False and page["owned_video_ids"] == [str(a.id)]
    anonymous = (await client.get(f"/api/v1/courses/{cid}")).json()
    assert anonymous["price_cents"] == 3000 and anonymous["owned_video_ids"] == []
    # the price stays the bundle price even with a video owned
    r = await client.post(
        "/api/v1/checkout", json={"kind": "course", "course_id": cid}, headers=auth_headers(student)
    )
    assert r.status_code == 201
    with sync_session() as s:
        p = s.get(Purchase, uuid.UUID(r.json()["purchase_id"]))
        assert p is not None and (p.amount_cents, p.currency, str(p.course_id), p.video_id) == (
            3000,
            "eur",
            cid,
            None,
        )


async def test_instructor_prices_only_their_own_course_in_a_sold_currency(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    video = make_video(instructor, price_cents=1000)
    cid = await _course(client, auth_headers(instructor), [video], None)
    student = make_user()
    r = await client.post(
        "/api/v1/checkout", json={"kind": "course", "course_id": cid}, headers=auth_headers(student)
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "course_not_for_sale"
    r = await client.patch(
        f"/api/v1/courses/{cid}",
        json={"price_cents": 900, "currency": "XXX"},
        headers=auth_headers(instructor),
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "currency_not_supported"
    r = await client.patch(
        f"/api/v1/courses/{cid}", json={"price_cents": 900}, headers=auth_headers(instructor)
    )
    assert r.status_code == 422 and r.json()["error"]["code"] == "currency_required"
    rival = make_user(role=instructor.role)
    r = await client.patch(
        f"/api/v1/courses/{cid}", json={"price_cents": 900, "currency": "EUR"}, headers=auth_headers(rival)
    )
    assert r.status_code == 403
    ok = await client.patch(
        f"/api/v1/courses/{cid}",
        json={"price_cents": 900, "currency": "EUR"},
        headers=auth_headers(instructor),
    )
    assert ok.json()["price_cents"] == 900
    # a title change leaves the price; null stops selling the bundle
    assert (
        await client.patch(f"/api/v1/courses/{cid}", json={"title": "T"}, headers=auth_headers(instructor))
    ).json()["price_cents"] == 900
    off = await client.patch(
        f"/api/v1/courses/{cid}", json={"price_cents": None}, headers=auth_headers(instructor)
    )
    assert (off.json()["price_cents"], off.json()["currency"]) == (None, None)
    own = await client.post(
        "/api/v1/checkout", json={"kind": "course", "course_id": cid}, headers=auth_headers(instructor)
    )
    assert own.status_code in (409, 422)


async def test_buying_a_course_grants_every_video_later_ones_too_and_refunds_revoke_all_once(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    admin: User,
    make_user: Callable[..., User],
    post_event: Callable[..., Any],
) -> None:
    student = make_user()
    videos = [make_video(instructor, title=f"Part {n}", price_cents=1000 + 500 * n) for n in range(3)]
    cid = await _course(client, auth_headers(instructor), videos, 3000)
    h = auth_headers(student)
    assert await _access(client, h, videos) == ["no_entitlement"] * 3
    body = await _buy_course(client, h, cid)
    pid = body["purchase_id"]
    assert await _access(client, h, videos) == ["ppv"] * 3
    page = (await client.get(f"/api/v1/courses/{cid}", headers=h)).json()
    assert page["owned"] is True and page["owned_video_ids"] == [str(v.id) for v in videos]
    again = await client.post("/api/v1/checkout", json={"kind": "course", "course_id": cid}, headers=h)
    assert again.status_code == 409 and again.json()["error"]["code"] == "course_owned"
    # one sale in the instructor's ledger, for the course (not split per video)
    assert _ledger(pid)[0] == (LedgerEntryType.sale, 3000)
    assert [t for t, _ in _ledger(pid)].count(LedgerEntryType.sale) == 1
    earnings = (await client.get("/api/v1/earnings/videos", headers=auth_headers(instructor))).json()
    [line] = [e for e in earnings if e["course_id"] == cid]
    assert (line["video_id"], line["video_title"], line["sales"], line["gross_cents"]) == (
        None,
        "Judo from zero",
        1,
        3000,
    )
    with sync_session() as s:  # the daily revenue rollup books the bundle under its course
        rollups.refresh_day(s, utcnow().date())
        revenue = s.scalar(select(RevenueDaily.gross_cents).where(RevenueDaily.video_id == uuid.UUID(cid)))
    assert revenue == 3000

    # a video added to the course later is the buyer's too
    later = make_video(instructor, title="Part 3", price_cents=800)
    r = await client.put(
        f"/api/v1/courses/{cid}/videos",
        json={"video_ids": [str(v.id) for v in [*videos, later]]},
        headers=auth_headers(instructor),
    )
    assert r.status_code == 200, r.text
    assert await _access(client, h, [later]) == ["ppv"]
    assert len(_rights(pid)) == 4

    # the admin's payments list names the course
    listed = (
        await client.get("/api/v1/admin/payments", params={"kind": "course"}, headers=auth_headers(admin))
    ).json()
    [row] = [i for i in listed["items"] if i["id"] == pid]
    assert (row["kind"], row["course_id"], row["video_id"], row["video_title"]) == (
        "course",
        cid,
        None,
        "Judo from zero",
    )

    # a partial refund keeps every right; the full one revokes all of them, once
    ah = auth_headers(admin)
    r = await client.post(
        f"/api/v1/admin/payments/{pid}/refund",
        json={"reason": "one part was broken", "amount_cents": 1000},
        headers=ah,
    )
    assert r.status_code == 200, r.text
    assert await _access(client, h, [*videos, later]) == ["ppv"] * 4
    r = await client.post(
        f"/api/v1/admin/payments/{pid}/refund", json={"reason": "asked for the rest"}, headers=ah
    )
    assert r.status_code == 200 and r.json()["status"] == "refunded", r.text
    assert await _access(client, h, [*videos, later]) == ["revoked"] * 4
    rights = _rights(pid)
    assert {(e.status, e.revoked_reason) for e in rights} == {(EntitlementStatus.revoked, "refunded")}
    # the same refund delivered again (Stripe retries) changes nothing: revoked once
    with sync_session() as s:
        p = s.get(Purchase, uuid.UUID(pid))
        assert p is not None
        again_refunded = {
            "id": p.charge_id,
            "object": "charge",
            "amount": 3000,
            "amount_refunded": 3000,
            "refunded": True,
            "currency": "eur",
            "payment_intent": p.payment_intent_id,
            "metadata": {},
        }
    assert (await post_event(event("charge.refunded", again_refunded))).status_code == 200
    assert [(e.id, e.status_changed_at) for e in _rights(pid)] == [
        (e.id, e.status_changed_at) for e in rights
    ]
    ledger = _ledger(pid)
    assert [g for t, g in ledger if t == LedgerEntryType.refund] == [-1000, -2000]
    with sync_session() as s:
        net = s.scalar(
            select(func.sum(LedgerEntry.gross_cents)).where(LedgerEntry.purchase_id == uuid.UUID(pid))
        )
    assert net == 0
    # a refunded buyer gains nothing from later additions either
    extra = make_video(instructor, title="Part 4", price_cents=800)
    await client.put(
        f"/api/v1/courses/{cid}/videos",
        json={"video_ids": [str(v.id) for v in [*videos, later, extra]]},
        headers=auth_headers(instructor),
    )
    assert await _access(client, h, [extra]) == ["no_entitlement"]


async def test_a_dispute_on_a_course_suspends_every_right_and_a_lost_one_revokes_them(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
    post_event: Callable[..., Any],
) -> None:
    student = make_user()
    videos = [make_video(instructor, price_cents=1500) for _ in range(2)]
    cid = await _course(client, auth_headers(instructor), videos, 3000)
    h = auth_headers(student)
    pid = (await _buy_course(client, h, cid))["purchase_id"]
    with sync_session() as s:
        p = s.get(Purchase, uuid.UUID(pid))
        assert p is not None
        pi, charge = p.payment_intent_id, p.charge_id
    dispute = {
        "id": f"dp_{pid[:8]}",
        "object": "dispute",
        "amount": 3000,
        "currency": "eur",
        "charge": charge,
        "payment_intent": pi,
        "reason": "fraudulent",
        "status": "needs_response",
    }
    assert (
        await post_event(event("charge.dispute.created", dispute, created=1_800_000_000))
    ).status_code == 200
    assert await _access(client, h, videos) == ["suspended"] * 2
    lost = {**dispute, "status": "lost"}
    assert (await post_event(event("charge.dispute.closed", lost, created=1_800_000_100))).status_code == 200
    assert await _access(client, h, videos) == ["revoked"] * 2
    with sync_session() as s:
        p = s.get(Purchase, uuid.UUID(pid))
        assert p is not None and p.status == PurchaseStatus.dispute_lost
    assert [g for t, g in _ledger(pid) if t == LedgerEntryType.dispute_loss] == [-3000]


async def test_a_subscription_covers_a_course_s_included_videos_as_any_video(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
    make_user: Callable[..., User],
) -> None:
    student = make_user()
    included = make_video(instructor, price_cents=1500, subscription_included=True)
    excluded = make_video(instructor, price_cents=1500, subscription_included=False)
    cid = await _course(client, auth_headers(instructor), [included, excluded], 2500)
    h = auth_headers(student)
    await sandbox_buy(client, h, {"kind": "subscription"})
    assert await _access(client, h, [included, excluded]) == ["subscription", "not_in_subscription"]
    page = (await client.get(f"/api/v1/courses/{cid}", headers=h)).json()
    assert page["owned"] is False and page["owned_video_ids"] == [str(included.id)]


async def test_course_checkout_sends_stripe_one_line_item_at_the_bundle_price(
    stripe_checkout: StripeCheckout,
    auth_headers: Headers,
    make_video: Callable[..., Any],
    instructor: User,
) -> None:
    videos = [make_video(instructor, price_cents=1500) for _ in range(3)]
    cid = await _course(stripe_checkout.client, auth_headers(instructor), videos, 3000)
    r = await stripe_checkout.post(kind="course", course_id=cid, video_id=None)
    assert r.status_code == 201, r.text
    [call] = stripe_checkout.sessions()
    form = call.form
    assert call.headers["idempotency-key"] == f"mamc-checkout-{r.json()['purchase_id']}"
    assert form["mode"] == "payment"
    assert form["line_items[0][quantity]"] == "1"
    assert form["line_items[0][price_data][unit_amount]"] == "3000"
    assert form["line_items[0][price_data][currency]"] == "eur"
    assert form["line_items[0][price_data][product_data][name]"] == "Judo from zero"
    assert "3 videos" in form["line_items[0][price_data][product_data][description]"]
    assert form["line_items[0][price_data][product_data][metadata][mamc_course_id]"] == cid
    assert "line_items[1][quantity]" not in form
    assert form["metadata[mamc_course_id]"] == cid and "metadata[mamc_video_id]" not in form
    assert form["payment_intent_data[metadata][mamc_purchase_id]"] == r.json()["purchase_id"]
