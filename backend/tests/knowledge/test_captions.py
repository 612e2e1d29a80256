"""Captions: the instructor edits them (a new WebVTT version), approval puts them in the player
as an HLS subtitles rendition of the master playlist; unapproved captions never reach it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx

from app.auth.models import User
from tests.knowledge.conftest import API

Headers = Callable[[User], dict[str, str]]
VTT_IT = (
    "WEBVTT\n\n00:00:00.500 --> 00:00:03.000\nOggi alleniamo mae geri.\n\n"
    "00:00:03.000 --> 00:00:06.500\nPoi gedan barai.\n"
)


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def _master(client: httpx.AsyncClient, video_id: Any, headers: dict[str, str]) -> tuple[str, str]:
    play = (await client.get(f"/api/v1/videos/{video_id}/playback", headers=headers)).json()
    master = await client.get(_path(play["url"]))
    assert master.status_code == 200
    return play["url"], master.text


async def test_approved_captions_play_as_an_hls_subtitles_rendition(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any, make_video: Any
) -> None:
    video = make_video(instructor)
    teacher = auth_headers(instructor)
    viewer = auth_headers(make_user())
    draft = await client.post(
        f"{API}/videos/{video.id}/captions", json={"lang": "it", "vtt": VTT_IT}, headers=teacher
    )
    assert draft.status_code == 201 and draft.json()["review_state"] == "unreviewed"
    _, before = await _master(client, video.id, viewer)
    assert "TYPE=SUBTITLES" not in before
    assert (await client.get(f"{API}/captions/{draft.json()['id']}")).status_code == 404  # not public yet
    assert (await client.get(f"{API}/videos/{video.id}")).json()["captions"] == []

    approved = await client.post(
        f"{API}/captions/{draft.json()['id']}/review", json={"approve": True}, headers=teacher
    )
    assert approved.json()["review_state"] == "approved"
    url, master = await _master(client, video.id, viewer)
    assert '#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs",NAME="Italiano",LANGUAGE="it"' in master
    assert 'SUBTITLES="subs"' in next(
        line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF")
    )
    sub_uri = (
        next(line for line in master.splitlines() if "TYPE=SUBTITLES" in line).split('URI="')[1].rstrip('"')
    )
    playlist = await client.get(_path(urljoin(url, sub_uri)))  # relative: the same token covers it
    assert playlist.status_code == 200 and "#EXTINF:6.500," in playlist.text
    vtt_name = next(line for line in playlist.text.splitlines() if line.endswith(".vtt"))
    vtt = await client.get(_path(urljoin(urljoin(url, sub_uri), vtt_name)))
    assert vtt.status_code == 200 and "Oggi alleniamo mae geri." in vtt.text
    # The variant still plays from the new master.
    variant = await client.get(_path(urljoin(url, "360p/index.m3u8")))
    assert variant.status_code == 200

    # An edit is a new version; approving it (with English added) writes a new master.
    english = VTT_IT.replace("Oggi alleniamo mae geri.", "Today we train mae geri.").replace(
        "Poi gedan barai.", "Then gedan barai."
    )
    await client.post(
        f"{API}/videos/{video.id}/captions",
        json={"lang": "en", "vtt": english, "approve": True},
        headers=teacher,
    )
    _, both = await _master(client, video.id, viewer)
    assert both.count("TYPE=SUBTITLES") == 2 and 'LANGUAGE="en",DEFAULT=YES' in both
    panel = (await client.get(f"{API}/videos/{video.id}")).json()
    assert sorted(c["lang"] for c in panel["captions"]) == ["en", "it"]


async def test_only_the_videos_instructor_edits_its_captions(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any, make_video: Any
) -> None:
    from app.auth.models import Role

    video = make_video(instructor)
    other = make_user(role=Role.instructor)
    denied = await client.post(
        f"{API}/videos/{video.id}/captions", json={"lang": "it", "vtt": VTT_IT}, headers=auth_headers(other)
    )
    assert denied.status_code == 404 and denied.json()["error"]["code"] == "video_not_found"
