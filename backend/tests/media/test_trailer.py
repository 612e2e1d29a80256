"""The public trailer never gives the paid video away: the instructor chooses its range or turns
it off; it never shows more than MEDIA_TRAILER_MAX_SHARE of the video; a video shorter than
MEDIA_TRAILER_MIN_VIDEO_SECONDS gets no automatic trailer."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth.models import User
from app.core.config import Settings
from app.core.errors import ValidationFailed
from app.core.storage import get_object_store
from app.media.models import TrailerMode, Video, VideoStatus
from app.media.trailer import TrailerWindow, check_choice, trailer_window
from tests.media.helpers import create_video, upload_file, video_row

Headers = Callable[[User], dict[str, str]]


def _settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "media_trailer_seconds": 15,
        "media_trailer_max_share": 0.2,
        "media_trailer_min_video_seconds": 60.0,
    }
    return Settings(_env_file=None, **(values | overrides))  # type: ignore[call-arg]


@pytest.mark.parametrize(
    ("duration", "mode", "start", "end", "expected"),
    [
        (13.0, TrailerMode.auto, None, None, None),  # the reported case: 15 s of a 13 s clip
        (59.9, TrailerMode.auto, None, None, None),  # below the minimum: no automatic trailer
        (60.0, TrailerMode.auto, None, None, TrailerWindow(0.0, 12.0)),  # 20% of 60 s < 15 s
        (600.0, TrailerMode.auto, None, None, TrailerWindow(0.0, 15.0)),
        (600.0, TrailerMode.range, 30.0, 50.0, TrailerWindow(30.0, 20.0)),
        (600.0, TrailerMode.range, 30.0, 400.0, TrailerWindow(30.0, 120.0)),  # capped at 20%
        (13.0, TrailerMode.range, 2.0, 4.0, TrailerWindow(2.0, 2.0)),  # chosen: allowed if short
        (13.0, TrailerMode.range, 0.0, 13.0, TrailerWindow(0.0, 2.6)),
        (13.0, TrailerMode.range, 20.0, 25.0, None),  # starts after the end
        (600.0, TrailerMode.off, None, None, None),
        (3.0, TrailerMode.range, 0.0, 3.0, None),  # 20% of 3 s is under a second: not worth it
    ],
)
def test_the_trailer_window(
    duration: float, mode: TrailerMode, start: float | None, end: float | None, expected: TrailerWindow | None
) -> None:
    window = trailer_window(_settings(), duration_s=duration, mode=mode, start_s=start, end_s=end)
    assert window == expected
    if window is not None:
        assert window.length_s <= 0.2 * duration + 1e-9


def test_a_choice_that_cannot_be_honoured_is_refused() -> None:
    settings = _settings()
    with pytest.raises(ValidationFailed) as too_long:
        check_choice(settings, mode=TrailerMode.range, start_s=0, end_s=30, duration_s=100)
    assert too_long.value.code == "trailer_too_long" and too_long.value.details == {
        "max_seconds": 20.0,
        "max_share": 0.2,
    }
    for start, end in ((5, 5), (6, 2), (None, 3)):
        with pytest.raises(ValidationFailed):
            check_choice(settings, mode=TrailerMode.range, start_s=start, end_s=end, duration_s=None)
    with pytest.raises(ValidationFailed):
        check_choice(settings, mode=TrailerMode.off, start_s=1, end_s=3, duration_s=None)
    check_choice(settings, mode=TrailerMode.range, start_s=10, end_s=30, duration_s=None)  # not known yet


@pytest.fixture
def short_minimum(settings: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Short test clips: automatic trailers from 8 s, at most 20% of the video."""
    monkeypatch.setattr(settings, "media_trailer_min_video_seconds", 8.0)
    monkeypatch.setattr(settings, "media_trailer_max_share", 0.2)
    monkeypatch.setattr(settings, "media_trailer_seconds", 15)


def _trailer_seconds(video: Video) -> float:
    store = get_object_store()
    assert video.media_prefix
    variant = store.get_bytes(f"{video.media_prefix}trailer/480p/index.m3u8").decode()
    return sum(float(line[8:].rstrip(",")) for line in variant.splitlines() if line.startswith("#EXTINF:"))


async def test_processing_cuts_the_chosen_range_within_the_share(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_clip: Callable[..., Path],
    short_minimum: None,
) -> None:
    headers = auth_headers(instructor)
    clip = make_clip(seconds=20.0)
    asked = await create_video(client, headers, trailer_mode="range", trailer_start_s=3.0, trailer_end_s=6.0)
    assert (asked["trailer_mode"], asked["trailer_start_s"], asked["trailer_end_s"]) == ("range", 3.0, 6.0)
    greedy = await create_video(
        client, headers, trailer_mode="range", trailer_start_s=0.0, trailer_end_s=20.0
    )
    auto = await create_video(client, headers)
    off = await create_video(client, headers, trailer_mode="off")
    for video in (asked, greedy, auto, off):
        done = await upload_file(client, headers, video["id"], clip.read_bytes())
        assert done is not None and done.status_code == 202, done.text
    assert _trailer_seconds(video_row(asked["id"])) == pytest.approx(3.0, abs=0.2)
    assert _trailer_seconds(video_row(greedy["id"])) == pytest.approx(4.0, abs=0.2)  # 20% of 20 s
    assert _trailer_seconds(video_row(auto["id"])) == pytest.approx(4.0, abs=0.2)  # min(15 s, 20%)
    assert video_row(off["id"]).has_trailer is False

    # A short video gets no automatic trailer at all.
    short = await create_video(client, headers)
    await upload_file(client, headers, short["id"], make_clip(seconds=6.0).read_bytes())
    assert video_row(short["id"]).has_trailer is False
    assert (await client.get(f"/api/v1/videos/{short['id']}/trailer", headers=headers)).status_code == 404


async def test_a_new_trailer_choice_is_cut_again_and_is_locked_while_live(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_clip: Callable[..., Path],
    make_video: Callable[..., Video],
    short_minimum: None,
) -> None:
    headers = auth_headers(instructor)
    video = await create_video(client, headers)
    await upload_file(client, headers, video["id"], make_clip(seconds=20.0).read_bytes())
    assert video_row(video["id"]).has_trailer is True
    too_long = await client.patch(
        f"/api/v1/videos/{video['id']}",
        json={"trailer_mode": "range", "trailer_start_s": 0, "trailer_end_s": 10},
        headers=headers,
    )
    assert too_long.status_code == 422 and too_long.json()["error"]["code"] == "trailer_too_long"
    turned_off = await client.patch(
        f"/api/v1/videos/{video['id']}", json={"trailer_mode": "off"}, headers=headers
    )
    assert turned_off.status_code == 200, turned_off.text
    row = video_row(video["id"])  # processed again (eager): ready, without a trailer
    assert (row.status, row.has_trailer, row.trailer_mode) == (VideoStatus.ready, False, TrailerMode.off)

    live = make_video(instructor)
    locked = await client.patch(f"/api/v1/videos/{live.id}", json={"trailer_mode": "off"}, headers=headers)
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "trailer_locked"
    assert video_row(live.id).has_trailer is True
