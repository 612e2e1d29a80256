"""Message catalogues (it/en) for every string the server makes: cues, states, reasons, emails.

One mechanism, several catalogues: each owner keeps its texts next to its code in
``locales/<lang>.json`` (the studio's here, the platform's in ``backend/app/locales``) and builds
a :class:`Catalogue` from that folder. It lives in this dependency-free package because both the
compute CLI and the backend need it, and the backend already depends on this package.

Why JSON and not gettext: the web client's catalogues are JSON too (one format for translators,
no compile step), and Italian and English share one plural rule, which is all we need.

A message is a ``str.format`` template with named fields, or a plural form
``{"one": "...", "other": "..."}`` chosen by the ``count`` field. A key missing in a language
falls back to English; a key missing everywhere raises ``KeyError`` (a bug, never user input).
"""

from __future__ import annotations

import json
import string
from collections.abc import Mapping
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal, TypeAlias

Language: TypeAlias = Literal["en", "it"]
LANGUAGES: Final[tuple[Language, ...]] = ("en", "it")
DEFAULT_LANGUAGE: Final[Language] = "en"

Message: TypeAlias = str | dict[str, str]


def normalize_language(value: str | None, default: Language = DEFAULT_LANGUAGE) -> Language:
    """The supported language a tag or an Accept-Language header asks for first ('it-IT' -> 'it')."""
    if not value:
        return default
    for part in value.split(","):
        tag = part.split(";", 1)[0].strip().lower()
        primary = tag.split("-", 1)[0].split("_", 1)[0]
        if primary in LANGUAGES:
            return primary
    return default


def _plural_category(count: object) -> str:
    # Italian and English: "one" for exactly 1, "other" otherwise (0, 2, 1.5 ...).
    return "one" if count == 1 else "other"


class Catalogue:
    """Messages per language, looked up by dotted key."""

    def __init__(self, messages: Mapping[Language, Mapping[str, Message]]) -> None:
        missing = [lang for lang in LANGUAGES if lang not in messages]
        if missing:
            raise ValueError(f"catalogue lacks languages: {', '.join(missing)}")
        self._messages = {lang: dict(messages[lang]) for lang in LANGUAGES}

    @classmethod
    def from_dir(cls, folder: Path) -> Catalogue:
        loaded: dict[Language, Mapping[str, Message]] = {}
        for lang in LANGUAGES:
            with (folder / f"{lang}.json").open(encoding="utf-8") as handle:
                loaded[lang] = _flatten(json.load(handle))
        return cls(loaded)

    def keys(self, lang: Language = DEFAULT_LANGUAGE) -> frozenset[str]:
        return frozenset(self._messages[lang])

    def has(self, key: str) -> bool:
        return key in self._messages[DEFAULT_LANGUAGE]

    def text(self, key: str, lang: str | None = None, /, **params: object) -> str:
        language = normalize_language(lang)
        message = self._messages[language].get(key)
        if message is None:
            message = self._messages[DEFAULT_LANGUAGE][key]
        if isinstance(message, dict):
            message = message.get(_plural_category(params.get("count")), message["other"])
        return message.format(**params) if params else message

    def problems(self) -> list[str]:
        """Keys or placeholders that differ between languages (a test asserts there are none)."""
        found: list[str] = []
        reference = self._messages[DEFAULT_LANGUAGE]
        for lang in LANGUAGES:
            other = self._messages[lang]
            for key in sorted(set(reference) ^ set(other)):
                found.append(f"{key}: present in only one of en/{lang}")
            for key in sorted(set(reference) & set(other)):
                if _fields(reference[key]) != _fields(other[key]):
                    found.append(f"{key}: placeholders differ between en and {lang}")
        return found


def _fields(message: Message) -> frozenset[str]:
    templates = message.values() if isinstance(message, dict) else (message,)
    return frozenset(
        name for template in templates for _, name, _, _ in string.Formatter().parse(template) if name
    )


def _flatten(tree: Mapping[str, object], prefix: str = "") -> dict[str, Message]:
    """Nested JSON objects become dotted keys; an object with only one/other keys is a plural."""
    flat: dict[str, Message] = {}
    for name, value in tree.items():
        key = f"{prefix}{name}"
        if isinstance(value, str):
            flat[key] = value
        elif isinstance(value, dict) and value and set(value) <= {"one", "other"}:
            if "other" not in value:
                raise ValueError(f"plural {key} needs an 'other' form")
            flat[key] = {form: str(text) for form, text in value.items()}
        elif isinstance(value, dict):
            flat.update(_flatten(value, f"{key}."))
        else:
            raise ValueError(f"{key}: a message is a string, a plural object or a group")
    return flat


@lru_cache
def studio_catalogue() -> Catalogue:
    """The compute package's own texts (cues, phases, warnings, plot labels)."""
    return Catalogue.from_dir(Path(__file__).with_name("locales"))
