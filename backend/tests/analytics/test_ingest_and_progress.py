"""Beacon ingest (JSON and sendBeacon's text/plain, token binding) and server-side watch progress."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import event, func, select
from sqlalchemy.engine import Engine

from app.analytics.models import PlaybackBeacon, WatchProgress
from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings
from app.db.session import sync_session
from app.media.models import Video
from tests.analytics.conftest import API, beacon, playback_token

Headers = Callable[[User], dict[str, str]]


def stored_beacons(video: Video) -> list[PlaybackBeacon]:
    with sync_session() as session:
        return list(session.scalars(select(PlaybackBeacon).where(PlaybackBeacon.video_id == video.id)).all())


async def test_anonymous_beacons_of_a_free_video_are_stored_as_text_plain(
    client: httpx.AsyncClient, make_video: Callable[..., Video]
) -> None:
    video = make_video()
    sid = uuid.uuid4()
    body = {
        "beacons": [
            beacon(video, sid, "start", 0),
            beacon(video, sid, "heartbeat", 10, rendition="720p", bitrate_kbps=2500),
        ]
    }
    resp = await client.post(
        f"{API}/analytics/beacons",
        content=json.dumps(body),
        headers={"Content-Type": "text/plain;charset=UTF-8"},
    )
    assert resp.status_code == 200, resp.text
    assert resp.json() == {"accepted": 2, "rejected": 0}
    rows = sorted(stored_beacons(video), key=lambda b: b.position_s)
    assert [(b.kind, b.position_s, b.rendition, b.bitrate_kbps, b.user_id) for b in rows] == [
        ("start", 0.0, None, None, None),
        ("heartbeat", 10.0, "720p", 2500, None),
    ]


async def test_paid_video_beacons_need_the_playback_token_and_count_for_its_viewer(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    settings: Settings,
) -> None:
    video = make_video(price_cents=990)
    viewer = make_user()
    sid = uuid.uuid4()
    unsigned = await client.post(
        f"{API}/analytics/beacons", json={"beacons": [beacon(video, sid, "start", 0)]}
    )
    assert unsigned.json() == {"accepted": 0, "rejected": 1}

    token = playback_token(settings, video, viewer)
    signed = await client.post(
        f"{API}/analytics/beacons", json={"token": token, "beacons": [beacon(video, sid, "heartbeat", 42)]}
    )
    assert signed.json() == {"accepted": 1, "rejected": 0}
    assert [b.user_id for b in stored_beacons(video)] == [viewer.id]
    with sync_session() as session:
        progress = session.get(WatchProgress, (viewer.id, video.id))
        assert progress is not None and progress.position_s == 42.0


async def test_a_forged_or_foreign_token_is_refused(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    settings: Settings,
) -> None:
    video, other = make_video(price_cents=990), make_video(price_cents=990)
    token = playback_token(settings, other, make_user())
    for bad in (token, token[:-4] + "AAAA"):
        resp = await client.post(
            f"{API}/analytics/beacons",
            json={"token": bad, "beacons": [beacon(video, uuid.uuid4(), "start", 0)]},
        )
        assert resp.status_code == 403, resp.text
        assert resp.json()["error"]["code"] == "bad_playback_token"
    assert stored_beacons(video) == []


async def test_malformed_batches_answer_422_with_the_envelope(
    client: httpx.AsyncClient, make_video: Callable[..., Video]
) -> None:
    video = make_video()
    cases = {
        "not json": "malformed_json",
        json.dumps({"beacons": []}): "validation_error",
        json.dumps({"beacons": [beacon(video, uuid.uuid4(), "jump", 1)]}): "validation_error",
    }
    for content, code in cases.items():
        resp = await client.post(
            f"{API}/analytics/beacons", content=content, headers={"Content-Type": "text/plain"}
        )
        assert resp.status_code == 422, content
        assert resp.json()["error"]["code"] == code


async def test_a_batch_is_one_bulk_statement_and_the_newest_heartbeat_wins(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    auth_headers: Headers,
) -> None:
    video = make_video(duration_s=600)
    viewer = make_user()
    sid = uuid.uuid4()
    now = utcnow().replace(microsecond=0)
    beacons = [
        beacon(video, sid, "heartbeat", float(p), occurred_at=(now - timedelta(seconds=60 - p)).isoformat())
        for p in range(50)
    ]
    beacons.reverse()  # arrival order does not matter: the latest occurred_at is kept
    inserts: list[str] = []

    def seen(
        conn: Any, cursor: Any, statement: str, parameters: Any, context: Any, executemany: bool
    ) -> None:
        if statement.lstrip().upper().startswith("INSERT INTO ANALYTICS_BEACONS"):
            inserts.append(statement)

    event.listen(Engine, "before_cursor_execute", seen)
    try:
        resp = await client.post(
            f"{API}/analytics/beacons", json={"beacons": beacons}, headers=auth_headers(viewer)
        )
    finally:
        event.remove(Engine, "before_cursor_execute", seen)
    assert resp.json()["accepted"] == 50
    with sync_session() as session:
        dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        assert inserts == []  # the rows went by COPY (on the raw connection, no INSERT at all)
    else:  # one statement with a VALUES group per row (not one INSERT per row)
        assert len(inserts) == 1
        assert inserts[0].count("), (") == 49
    with sync_session() as session:
        count = session.scalar(
            select(func.count()).select_from(PlaybackBeacon).where(PlaybackBeacon.video_id == video.id)
        )
    assert count == 50

    got = await client.get(f"{API}/me/progress/{video.id}", headers=auth_headers(viewer))
    assert got.status_code == 200
    assert got.json()["position_s"] == 49.0
    assert got.json()["resume"] is True


async def test_progress_put_from_one_device_resumes_on_another_and_fills_continue_watching(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    auth_headers: Headers,
) -> None:
    viewer = make_user()
    started, early, finished = (
        make_video(duration_s=200),
        make_video(duration_s=200),
        make_video(duration_s=200),
    )
    h = auth_headers(viewer)
    for video, position in ((started, 80.0), (early, 4.0), (finished, 195.0)):
        resp = await client.put(f"{API}/me/progress/{video.id}", json={"position_s": position}, headers=h)
        assert resp.status_code == 200, resp.text
    # "another device": a fresh client with the same account
    async with httpx.AsyncClient(transport=client._transport, base_url="http://testserver") as phone:
        resumed = await phone.get(f"{API}/me/progress/{started.id}", headers=h)
        assert resumed.json()["position_s"] == 80.0 and resumed.json()["resume"] is True
        assert (await phone.get(f"{API}/me/progress/{early.id}", headers=h)).json()["resume"] is False
        assert (await phone.get(f"{API}/me/progress/{finished.id}", headers=h)).json()["resume"] is False
        row = await phone.get(f"{API}/me/continue-watching", headers=h)
    items = row.json()["items"]
    assert [i["video_id"] for i in items] == [str(started.id)]
    assert items[0]["percent"] == 40


async def test_progress_of_an_unknown_video_is_404_and_needs_login(
    client: httpx.AsyncClient, make_user: Callable[..., User], auth_headers: Headers
) -> None:
    missing = uuid.uuid4()
    assert (await client.put(f"{API}/me/progress/{missing}", json={"position_s": 9})).status_code == 401
    resp = await client.get(f"{API}/me/progress/{missing}", headers=auth_headers(make_user()))
    assert resp.status_code == 404 and resp.json()["error"]["code"] == "no_progress"


async def test_live_viewers_count_recent_sessions_of_own_videos(
    client: httpx.AsyncClient, make_video: Callable[..., Video], instructor: User, auth_headers: Headers
) -> None:
    video = make_video()
    for _ in range(3):
        await client.post(
            f"{API}/analytics/beacons", json={"beacons": [beacon(video, uuid.uuid4(), "heartbeat", 5)]}
        )
    resp = await client.get(f"{API}/analytics/live", headers=auth_headers(instructor))
    assert resp.json()["viewers"] == 3
    assert resp.json()["by_video"] == {str(video.id): 3}


async def test_a_token_for_one_video_does_not_block_free_or_trailer_beacons_in_the_same_batch(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    settings: Settings,
) -> None:
    paid, free, other_paid = make_video(price_cents=990), make_video(), make_video(price_cents=500)
    viewer = make_user()
    token = playback_token(settings, paid, viewer)
    sid = uuid.uuid4()
    body = {
        "token": token,
        "beacons": [
            beacon(paid, sid, "heartbeat", 20),
            beacon(free, sid, "heartbeat", 20),
            beacon(other_paid, sid, "heartbeat", 20, media="trailer"),
            beacon(other_paid, sid, "heartbeat", 20),  # paid, not covered by the token
        ],
    }
    resp = await client.post(f"{API}/analytics/beacons", json=body)
    assert resp.json() == {"accepted": 3, "rejected": 1}
    assert [b.user_id for b in stored_beacons(paid)] == [viewer.id]
    assert [b.user_id for b in stored_beacons(free)] == [None]
    assert [b.media for b in stored_beacons(other_paid)] == ["trailer"]
