"""The analytics part of "Your data": export lists the viewer's progress; erasure deletes it and
leaves the view counts (and the unique viewer counts) anonymous."""

from __future__ import annotations

import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import select

from app.analytics import rollups, service
from app.analytics.models import PlaybackBeacon, VideoViewerDaily, WatchProgress
from app.auth.models import User
from app.core.clock import utcnow
from app.db.session import sync_session
from app.media.models import Video
from tests.analytics.conftest import API, beacon


async def test_export_then_erase(
    client: httpx.AsyncClient,
    make_video: Callable[..., Video],
    make_user: Callable[..., User],
    auth_headers: Callable[[User], dict[str, str]],
) -> None:
    video = make_video()
    viewer, other = make_user(), make_user()
    for who in (viewer, other):
        resp = await client.post(
            f"{API}/analytics/beacons",
            json={"beacons": [beacon(video, uuid.uuid4(), "heartbeat", 30)]},
            headers=auth_headers(who),
        )
        assert resp.json()["accepted"] == 1

    with sync_session() as session:
        exported = service.export_user_data(session, viewer.id)
    assert exported["playback_events"] == 1
    assert [(p["video_id"], p["position_s"]) for p in exported["watch_progress"]] == [(str(video.id), 30.0)]

    with sync_session() as session:
        rollups.refresh_day(session, utcnow().date())
        service.erase_user_data(session, viewer.id)
    with sync_session() as session:
        assert session.get(WatchProgress, (viewer.id, video.id)) is None
        assert session.get(WatchProgress, (other.id, video.id)) is not None
        users = session.scalars(
            select(PlaybackBeacon.user_id).where(PlaybackBeacon.video_id == video.id)
        ).all()
        viewers = session.scalars(
            select(VideoViewerDaily.viewer_id).where(VideoViewerDaily.video_id == video.id)
        ).all()
    assert sorted(users, key=str) == sorted([None, other.id], key=str)
    # the daily viewer rows keep their count (2) but no longer name the erased user
    assert len(viewers) == 2 and other.id in viewers and viewer.id not in viewers
