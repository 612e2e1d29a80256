"""Rollups computed from known beacons, the retention curve, the dashboards and their exports."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pypdfium2
from sqlalchemy import insert, select

from app.analytics import rollups
from app.analytics.models import PlatformDaily, PlaybackBeacon, VideoDaily
from app.auth.models import Role, User
from app.commerce.models import LedgerEntry, LedgerEntryType, Purchase, PurchaseKind, PurchaseStatus
from app.core.clock import utcnow
from app.db.session import sync_session
from app.media.models import Video
from tests.analytics.conftest import API

Headers = Callable[[User], dict[str, str]]
DAY = date(2026, 3, 10)


def at(hour: int, minute: int = 0) -> datetime:
    return datetime(DAY.year, DAY.month, DAY.day, hour, minute, tzinfo=UTC)


def store(
    video: Video, session_id: uuid.UUID, positions: list[float], *, when: datetime, **extra: Any
) -> None:
    rows = [
        {
            "received_at": when,
            "occurred_at": when + timedelta(seconds=i),
            "video_id": video.id,
            "session_id": session_id,
            "kind": "heartbeat",
            "media": "full",
            "position_s": p,
            "duration_s": video.duration_s,
            "user_id": None,
            **extra,
        }
        for i, p in enumerate(positions)
    ]
    with sync_session() as session:
        session.execute(insert(PlaybackBeacon), rows)


def test_a_day_of_known_beacons_rolls_up_to_views_viewers_watch_time_and_conversion(
    make_video: Callable[..., Video], make_user: Callable[..., User], instructor: User
) -> None:
    video = make_video(duration_s=100, price_cents=1000)
    alice, bob = make_user(), make_user()
    store(video, uuid.uuid4(), [0, 30, 60], when=at(9), user_id=alice.id)  # 60 s
    store(video, uuid.uuid4(), [50, 70], when=at(10), user_id=alice.id)  # 20 s, same viewer
    store(video, uuid.uuid4(), [0, 10], when=at(11))  # anonymous, 10 s
    store(video, uuid.uuid4(), [0, 5], when=at(23, 59) + timedelta(minutes=5))  # the next day
    store(video, uuid.uuid4(), [0, 20], when=at(8), user_id=bob.id, media="trailer")  # trailer, then buys
    store(video, uuid.uuid4(), [0, 20], when=at(8), media="trailer")  # anonymous trailer
    with sync_session() as session:
        purchase = Purchase(
            user_id=bob.id,
            video_id=video.id,
            instructor_id=instructor.id,
            kind=PurchaseKind.ppv,
            status=PurchaseStatus.paid,
            amount_cents=1000,
            currency="eur",
            platform_fee_bps=2000,
            paid_at=at(12),
        )
        session.add(purchase)
        session.flush()
        session.add(
            LedgerEntry(
                instructor_id=instructor.id,
                purchase_id=purchase.id,
                entry_type=LedgerEntryType.sale,
                currency="eur",
                gross_cents=1000,
                platform_fee_cents=200,
                stripe_fee_cents=50,
                net_cents=750,
                occurred_at=at(12),
            )
        )

    with sync_session() as session:
        rollups.refresh_day(session, DAY)
    with sync_session() as session:
        row = session.get(VideoDaily, (video.id, DAY))
        platform = session.get(PlatformDaily, DAY)
        assert row is not None and platform is not None
        assert (row.views, row.unique_viewers, row.watch_seconds) == (3, 2, 90.0)
        assert (row.trailer_viewers, row.trailer_converted) == (2, 1)
        assert (platform.views, platform.active_users) == (3, 1)
        rollups.refresh_day(session, DAY)  # idempotent: the day is replaced, not added to
    with sync_session() as session:
        assert (
            len(
                session.scalars(
                    select(VideoDaily).where(VideoDaily.video_id == video.id, VideoDaily.day == DAY)
                ).all()
            )
            == 1
        )


def test_retention_curve_counts_sessions_reaching_each_5_percent() -> None:
    curve = dict(rollups.retention_curve([1.0, 0.5, 0.12, 0.0]))
    assert len(curve) == 21
    assert (curve[0], curve[5], curve[10], curve[15], curve[50], curve[55], curve[100]) == (
        4,
        3,
        3,
        2,
        2,
        1,
        1,
    )


async def test_instructor_dashboard_retention_and_exports(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    instructor: User,
    auth_headers: Headers,
) -> None:
    video = make_video(duration_s=100)
    today = utcnow().replace(minute=0, second=0, microsecond=0)
    store(video, uuid.uuid4(), [0, 50, 100], when=today)
    store(video, uuid.uuid4(), [0, 25], when=today)
    with sync_session() as session:
        rollups.refresh_recent(session)
        assert rollups.refresh_retention(session, [video.id]) == 1
    h = auth_headers(instructor)
    dash = (await client.get(f"{API}/analytics/instructor", headers=h)).json()
    assert dash["views"]["points"][-1]["value"] == 2
    assert dash["videos"][0]["watch_seconds"] == 125.0
    views_forecast = dash["forecasts"][0]
    assert views_forecast["method"].startswith("seasonal-naive") and len(views_forecast["points"]) == 30

    retention = (
        await client.get(f"{API}/analytics/instructor/videos/{video.id}/retention", headers=h)
    ).json()
    shares = {p["pct"]: p["share"] for p in retention["points"]}
    assert retention["total_sessions"] == 2 and (shares[25], shares[30], shares[100]) == (1.0, 0.5, 0.5)
    stranger = make_user(role=Role.instructor)
    other = await client.get(
        f"{API}/analytics/instructor/videos/{video.id}/retention", headers=auth_headers(stranger)
    )
    assert other.status_code == 404

    csv_resp = await client.get(f"{API}/analytics/instructor/export?format=csv", headers=h)
    lines = csv_resp.text.strip().splitlines()
    assert lines[0].startswith("Day,Views,Watch time (hours)")
    assert lines[-1].startswith(f"{today.date().isoformat()},2,")
    it_csv = await client.get(
        f"{API}/analytics/instructor/export?format=csv", headers={**h, "Accept-Language": "it"}
    )
    assert it_csv.text.startswith("Giorno,Visualizzazioni")

    pdf_resp = await client.get(f"{API}/analytics/instructor/export?format=pdf", headers=h)
    assert pdf_resp.headers["content-type"] == "application/pdf"
    page = pypdfium2.PdfDocument(io.BytesIO(pdf_resp.content))[0]
    image = page.render(scale=1).to_pil().convert("L")
    dark = sum(1 for v in image.getdata() if v < 128)
    assert dark > 0.002 * image.width * image.height  # text and chart lines, not a blank page
    colours = image.getcolors(maxcolors=1_000_000)
    assert colours is not None and len(colours) > 10


async def test_admin_dashboard_is_for_admins_only(
    client: httpx.AsyncClient, make_user: Callable[..., User], instructor: User, auth_headers: Headers
) -> None:
    assert (await client.get(f"{API}/analytics/admin", headers=auth_headers(instructor))).status_code == 403
    assert (
        await client.get(f"{API}/analytics/admin/export", headers=auth_headers(instructor))
    ).status_code == 403
    admin = make_user(role=Role.admin)
    resp = await client.get(
        f"{API}/analytics/admin?start=2026-01-01&end=2026-01-31", headers=auth_headers(admin)
    )
    assert resp.status_code == 200
    body = resp.json()
    assert len(body["signups"]["points"]) == 31 and "processing" in body and "moderation_backlog" in body
    bad = await client.get(
        f"{API}/analytics/admin?start=2026-02-01&end=2026-01-01", headers=auth_headers(admin)
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "bad_date_range"


async def test_a_viewer_on_three_days_is_one_unique_viewer_of_the_range(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    instructor: User,
    auth_headers: Headers,
) -> None:
    video = make_video(duration_s=100)
    alice, bob = make_user(), make_user()
    days = [DAY, DAY + timedelta(days=1), DAY + timedelta(days=2)]
    for day in days:
        when = datetime(day.year, day.month, day.day, 9, tzinfo=UTC)
        store(video, uuid.uuid4(), [0, 10], when=when, user_id=alice.id)
    store(video, uuid.uuid4(), [0, 10], when=at(15), user_id=bob.id)
    store(video, uuid.uuid4(), [0, 10], when=at(16))  # anonymous: one viewer per session
    with sync_session() as session:
        for day in days:
            rollups.refresh_day(session, day)
        rollups.refresh_day(session, DAY)  # a rerun of a day adds nobody
    h = auth_headers(instructor)
    whole = (await client.get(f"{API}/analytics/instructor?start={days[0]}&end={days[-1]}", headers=h)).json()
    stats = next(v for v in whole["videos"] if v["video_id"] == str(video.id))
    assert (stats["views"], stats["unique_viewers"]) == (5, 3)
    later = (await client.get(f"{API}/analytics/instructor?start={days[1]}&end={days[-1]}", headers=h)).json()
    stats = next(v for v in later["videos"] if v["video_id"] == str(video.id))
    assert (stats["views"], stats["unique_viewers"]) == (2, 1)


async def test_quality_beacons_are_stored_and_watch_time_splits_by_rendition(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    instructor: User,
    auth_headers: Headers,
) -> None:
    video = make_video(duration_s=600)
    sid = uuid.uuid4()
    # noon of the last 24 hours: the client's clock is believed and the beacons share one UTC day
    now = (utcnow() - timedelta(hours=12)).replace(hour=12, minute=0, second=0, microsecond=0)
    sequence = iter(range(100))

    def sent(kind: str, position: float, rendition: str, kbps: int) -> dict[str, Any]:
        return {
            "video_id": str(video.id),
            "session_id": str(sid),
            "kind": kind,
            "position_s": position,
            "duration_s": 600.0,
            "rendition": rendition,
            "bitrate_kbps": kbps,
            "occurred_at": (now + timedelta(seconds=next(sequence))).isoformat(),
        }

    body = {
        "beacons": [
            sent("start", 0, "480p", 1200),
            sent("heartbeat", 20, "480p", 1200),
            sent("quality", 30, "1080p", 5000),  # 480p played 0 → 30, then the switch
            sent("heartbeat", 40, "1080p", 5000),
            sent("heartbeat", 500, "1080p", 5000),  # a seek: not watch time
            sent("end", 510, "1080p", 5000),
        ]
    }
    resp = await client.post(f"{API}/analytics/beacons", json=body)
    assert resp.json() == {"accepted": 6, "rejected": 0}
    with sync_session() as session:
        stored = session.scalars(
            select(PlaybackBeacon).where(
                PlaybackBeacon.video_id == video.id, PlaybackBeacon.kind == "quality"
            )
        ).all()
        assert [(b.position_s, b.rendition, b.bitrate_kbps) for b in stored] == [(30.0, "1080p", 5000)]
        rollups.refresh_day(session, now.date())
    day = now.date()
    dash = (
        await client.get(
            f"{API}/analytics/instructor?start={day}&end={day}", headers=auth_headers(instructor)
        )
    ).json()
    assert dash["renditions"] == [
        {"rendition": "1080p", "watch_seconds": 20.0},
        {"rendition": "480p", "watch_seconds": 30.0},
    ]
