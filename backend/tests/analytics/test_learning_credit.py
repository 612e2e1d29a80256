"""Issue 17 wiring: the hourly rollup beat hands each signed-in viewer's watch time of the day to
learning (`record_watch`): one XP per minute watched, nothing more for a rerun, nothing for an
anonymous viewer."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
from sqlalchemy import select

from app.analytics import tasks
from app.auth.models import User
from app.core.clock import utcnow
from app.db.session import sync_session
from app.learning.models import LearningEvent, LearningProfile
from app.media.models import Video
from tests.analytics.conftest import API, beacon

Headers = Callable[[User], dict[str, str]]


def watched(user: User) -> tuple[int, list[int]]:
    """(the student's XP, the seconds of each of their watch events)"""
    with sync_session() as session:
        profile = session.get(LearningProfile, user.id)
        seconds = session.scalars(select(LearningEvent.seconds).where(LearningEvent.user_id == user.id))
        return (0 if profile is None else profile.xp, sorted(seconds))


async def play(
    client: httpx.AsyncClient, video: Video, headers: dict[str, str], until: float, **extra: Any
) -> None:
    sid = uuid.uuid4()
    marks = [("start", 0.0), ("heartbeat", until / 2), ("end", until)]
    body = {"beacons": [beacon(video, sid, kind, pos, **extra) for kind, pos in marks]}
    resp = await client.post(f"{API}/analytics/beacons", json=body, headers=headers)
    assert resp.status_code == 200 and resp.json()["accepted"] == 3, resp.text


async def test_the_hourly_beat_credits_the_days_watch_time_once(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    make_user: Callable[..., User],
    make_video: Callable[..., Video],
) -> None:
    viewer, video = make_user(), make_video(duration_s=3600.0)
    await play(client, video, auth_headers(viewer), 300)  # five minutes
    await play(client, video, {}, 600)  # anonymous: nobody to credit
    tasks.refresh_recent()
    assert watched(viewer) == (5, [300])
    tasks.refresh_recent()  # the beat again: the same total earns nothing
    assert watched(viewer) == (5, [300])
    await play(client, video, auth_headers(viewer), 120)  # a second playback the same day
    tasks.refresh_recent()
    assert watched(viewer) == (7, [420])
    # another lesson watched offline, sent only now: its beacons are dated four hours back
    other = make_video(duration_s=3600.0)
    dated = (utcnow() - timedelta(hours=4)).isoformat()
    await play(client, other, auth_headers(viewer), 120, occurred_at=dated)
    tasks.refresh_recent()
    assert watched(viewer) == (9, [120, 420])
