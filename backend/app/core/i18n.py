"""The platform's texts (emails, states, reasons, error messages) in it and en.

The mechanism is :mod:`video_studio.i18n` (one copy, shared with the compute CLI); this module
only points it at ``app/locales``. Usage::

    from app.core.i18n import t
    t("email.verify.subject", user.language)

Failure reasons stored on job rows are codes with parameters (``video_too_long?duration=...``,
see :func:`video_studio.errors.encode_reason`); :func:`reason_text` shows one in a language
(catalogue group ``reasons``, the same codes as the apps' ``reasons.*``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from video_studio.errors import decode_reason, encode_reason
from video_studio.i18n import LANGUAGES, Catalogue, Language, normalize_language

__all__ = [
    "LANGUAGES",
    "Language",
    "Phrase",
    "catalogue",
    "decode_reason",
    "encode_reason",
    "normalize_language",
    "reason_phrase",
    "reason_text",
    "render_params",
    "t",
]


@lru_cache
def catalogue() -> Catalogue:
    return Catalogue.from_dir(Path(__file__).resolve().parents[1] / "locales")


def t(key: str, lang: str | None = None, /, **params: object) -> str:
    return catalogue().text(key, lang, **params)


@dataclass(frozen=True)
class Phrase:
    """A catalogue text rendered in the reader's language when the answer is written (e.g. an
    error message's parameter that is itself a text)."""

    key: str
    params: Mapping[str, object] = field(default_factory=dict)

    def render(self, lang: str | None) -> str:
        return t(self.key, lang, **render_params(self.params, lang))


def render_params(params: Mapping[str, object], lang: str | None) -> dict[str, object]:
    """Parameters with every `Phrase` among them rendered in `lang`."""
    return {k: v.render(lang) if isinstance(v, Phrase) else v for k, v in params.items()}


def reason_phrase(reason: str) -> Phrase | str:
    """A stored failure reason as a text to render in the reader's language: a known code with its
    parameters from the catalogue; anything else (an English text from before the codes, a rare
    technical failure) as it is."""
    code, params = decode_reason(reason.strip())
    key = f"reasons.{code.replace(' ', '_')}"
    return Phrase(key, params) if catalogue().has(key) else reason


def reason_text(reason: str, lang: str | None = None) -> str:
    """A stored failure reason in `lang` (see :func:`reason_phrase`)."""
    phrase = reason_phrase(reason)
    return phrase.render(lang) if isinstance(phrase, Phrase) else phrase
