"""Share pages: `/v/{video_id}`, a small server-rendered HTML page per published video with its
OpenGraph and Twitter card tags (title, poster, description with the price), so a link pasted in
a chat shows a preview. A person's browser is sent on to the web client's video page.

Who gets the page: link-preview robots (by User-Agent, `is_preview_robot`) get the HTML;
everyone else a 302 to `/videos/{id}`. Not a script or a meta refresh in the page: production's
CSP forbids inline scripts, and some robots follow a meta refresh and would then read the web
client's page, which has no tags. The page also carries a plain link for anything in between.

What it may show is what the public catalog card shows: the title, the description, the
price and the poster (through the API's poster endpoint, which serves published posters to
anyone). Never a playback token, a playlist or a segment: the page is built from those public
fields only, and tests check that no media URL appears.
"""

from __future__ import annotations

import re
import uuid
from html import escape

from sqlalchemy.ext.asyncio import AsyncSession

from app.commerce.money import format_amount
from app.core.config import Settings
from app.core.i18n import normalize_language, t
from app.media import service as media_service

DESCRIPTION_CHARS = 200

# The link-preview robots of the common chats and social networks, and search engines.
_ROBOTS = re.compile(
    r"facebookexternalhit|facebot|twitterbot|slackbot|slack-imgproxy|whatsapp|telegrambot|discordbot|"
    r"linkedinbot|skypeuripreview|pinterest|redditbot|embedly|iframely|mastodon|vkshare|googlebot|"
    r"bingbot|applebot|duckduckbot|yandex|baiduspider|ia_archiver|quora link preview|outbrain|"
    r"snapchat|viber|line-poker|kakaotalk-scrap|bitlybot|tumblr|xing-contenttabreceiver",
    re.IGNORECASE,
)


def is_preview_robot(user_agent: str | None) -> bool:
    return bool(user_agent and _ROBOTS.search(user_agent))


def spa_path(video_id: uuid.UUID) -> str:
    return f"/videos/{video_id}"


def price_line(video: media_service.VideoSummary, lang: str) -> str:
    """ "12.50 EUR", "Rent for 48 hours: 3.00 EUR", "Free", "Included in the subscription"..."""
    parts = []
    if video.is_free:
        parts.append(t("social.share.free", lang))
    if video.price_cents is not None:
        parts.append(
            t("social.share.buy", lang, price=format_amount(video.price_cents, video.currency, lang))
        )
    if video.rental_price_cents is not None:
        parts.append(
            t("social.share.rent", lang, price=format_amount(video.rental_price_cents, video.currency, lang))
        )
    if video.subscription_included and not video.is_free:
        parts.append(t("social.share.subscription", lang))
    return " · ".join(parts)


def _short(text: str) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= DESCRIPTION_CHARS else flat[: DESCRIPTION_CHARS - 1].rstrip() + "…"


async def render(
    session: AsyncSession, settings: Settings, video_id: uuid.UUID, accept_language: str | None
) -> str:
    lang = normalize_language(accept_language)
    video = await media_service.get_visible_video(session, video_id, None)  # published only
    summary = await media_service.get_video_summary(session, video_id)
    base = settings.app_base_url.rstrip("/")
    page_url = f"{base}/v/{video.id}"
    description = " — ".join(p for p in (price_line(summary, lang), _short(video.description)) if p)
    poster = media_service.poster_path(video)
    tags = [
        ("og:type", "video.other"),
        ("og:site_name", t("social.share.site_name", lang)),
        ("og:title", video.title),
        ("og:description", description),
        ("og:url", page_url),
        ("og:locale", "it_IT" if lang == "it" else "en_US"),
    ]
    if poster:
        tags.append(("og:image", base + poster))
    twitter = [
        ("twitter:card", "summary_large_image" if poster else "summary"),
        ("twitter:title", video.title),
        ("twitter:description", description),
    ]
    if poster:
        twitter.append(("twitter:image", base + poster))
    meta = "\n".join(f'    <meta property="{k}" content="{escape(v)}">' for k, v in tags)
    meta += "\n" + "\n".join(f'    <meta name="{k}" content="{escape(v)}">' for k, v in twitter)
    title = escape(video.title)
    link = escape(spa_path(video.id))
    return f"""<!doctype html>
<html lang="{lang}">
  <head>
    <meta charset="utf-8">
    <title>{title}</title>
    <meta name="description" content="{escape(description)}">
    <link rel="canonical" href="{escape(page_url)}">
{meta}
  </head>
  <body>
    <h1>{title}</h1>
    <p>{escape(description)}</p>
    <p><a href="{link}">{escape(t("social.share.open", lang))}</a></p>
  </body>
</html>
"""
