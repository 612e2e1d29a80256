"""The platform's texts (emails, states, reasons) in it and en.

The mechanism is :mod:`video_studio.i18n` (one copy, shared with the compute CLI); this module
only points it at ``app/locales``. Usage::

    from app.core.i18n import t
    t("email.verify.subject", user.language)
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from video_studio.i18n import LANGUAGES, Catalogue, Language, normalize_language

__all__ = ["LANGUAGES", "Language", "catalogue", "normalize_language", "t"]


@lru_cache
def catalogue() -> Catalogue:
    return Catalogue.from_dir(Path(__file__).resolve().parents[1] / "locales")


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    return catalogue().text(key, lang, **params)
