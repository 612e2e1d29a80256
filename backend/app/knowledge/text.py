"""Text helpers shared by the worker and the API: the item languages, what search matches, and the
Postgres text-search configuration of each language."""

from __future__ import annotations

from typing import Final

from video_studio.knowledge.glossary import normalise

ITEM_LANGUAGES: Final = ("it", "en")
SEARCH_LANGUAGES: Final = ("it", "en", "ja")  # ja: romaji (the glossary's third column)
TS_CONFIGS: Final = {"it": "italian", "en": "english"}  # anything else: simple


def ts_config(lang: str) -> str:
    return TS_CONFIGS.get(lang, "simple")


def search_text(title: str, body: str = "") -> str:
    """Lower case, accents removed (the same as Postgres `unaccent` on our alphabets)."""
    return " ".join(normalise(f"{title}\n{body}").split())
