"""The share page /v/{id}: OpenGraph tags with title, poster and price for link-preview robots,
a redirect to the web client for people, and never a media URL."""

from __future__ import annotations

import re
from collections.abc import Callable
from html.parser import HTMLParser
from urllib.parse import urlsplit

import httpx

from app.auth.models import User
from app.media.models import Video, VideoStatus
from app.social.share import is_preview_robot

BOT = "facebookexternalhit/1.1 (+http://www.facebook.com/externalhit_uatext.php)"
BROWSER = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"


class _Meta(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: dict[str, str] = {}

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = dict(attrs)
        key = a.get("property") or a.get("name")
        if tag == "meta" and key and a.get("content") is not None:
            self.tags[key] = str(a["content"])


def og(html: str) -> dict[str, str]:
    parser = _Meta()
    parser.feed(html)
    return parser.tags


async def test_robot_gets_opengraph_with_title_poster_and_price(
    client: httpx.AsyncClient, paid_video: Video
) -> None:
    r = await client.get(f"/v/{paid_video.id}", headers={"User-Agent": BOT})
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    tags = og(r.text)
    assert tags["og:title"] == "Spinning back kick"
    assert tags["og:image"].endswith(
        f"/api/v1/videos/{paid_video.id}/poster?v={paid_video.poster_key.split('/')[-2][:12]}"
    )  # type: ignore[union-attr]
    assert tags["og:description"].startswith("Buy: 12.50 EUR · Rent: 3.00 EUR — Step by step")
    assert tags["og:url"].endswith(f"/v/{paid_video.id}")
    # a robot without an account can fetch the poster it is pointed at
    image = urlsplit(tags["og:image"])
    poster = await client.get(f"{image.path}?{image.query}")
    assert poster.status_code == 302


async def test_share_page_in_italian_formats_the_price_the_italian_way(
    client: httpx.AsyncClient, paid_video: Video
) -> None:
    r = await client.get(
        f"/v/{paid_video.id}", headers={"User-Agent": BOT, "Accept-Language": "it-IT,it;q=0.9"}
    )
    assert og(r.text)["og:description"].startswith("Acquista: 12,50 EUR · Noleggia: 3,00 EUR")


async def test_share_page_exposes_no_media_url(client: httpx.AsyncClient, paid_video: Video) -> None:
    html = (await client.get(f"/v/{paid_video.id}", headers={"User-Agent": BOT})).text
    assert paid_video.media_prefix and paid_video.media_prefix not in html
    for leak in ("/media/", "m3u8", ".ts", "token", "playback", "trailer", "Expires", "Signature", "md5="):
        assert leak not in html, leak
    assert not re.search(r"/api/v1/(?!videos/[0-9a-f-]+/poster\?v=[0-9a-f-]+\")", html)


async def test_person_is_redirected_to_the_web_client(client: httpx.AsyncClient, paid_video: Video) -> None:
    r = await client.get(f"/v/{paid_video.id}", headers={"User-Agent": BROWSER})
    assert r.status_code == 302
    assert r.headers["location"] == f"/videos/{paid_video.id}"
    assert "User-Agent" in r.headers["vary"]


async def test_unpublished_video_has_no_share_page(
    client: httpx.AsyncClient, instructor: User, make_video: Callable[..., Video]
) -> None:
    draft = make_video(instructor, status=VideoStatus.in_review, title="Secret draft")
    r = await client.get(f"/v/{draft.id}", headers={"User-Agent": BOT})
    assert r.status_code == 404
    assert "Secret draft" not in r.text


async def test_title_is_escaped(
    client: httpx.AsyncClient, instructor: User, make_video: Callable[..., Video]
) -> None:
    video = make_video(instructor, title='Kata "Heian" <script>alert(1)</script>')
    html = (await client.get(f"/v/{video.id}", headers={"User-Agent": BOT})).text
    assert "<script>" not in html
    assert og(html)["og:title"] == 'Kata "Heian" <script>alert(1)</script>'
    assert og(html)["og:description"].startswith("Free")


def test_preview_robots_are_told_apart_from_browsers() -> None:
    for robot in (
        BOT,
        "Twitterbot/1.0",
        "Slackbot-LinkExpanding 1.0",
        "WhatsApp/2.23",
        "TelegramBot (like TwitterBot)",
    ):
        assert is_preview_robot(robot), robot
    assert not is_preview_robot(BROWSER)
    assert not is_preview_robot(None)
