"""Rendering a KnowledgeDoc's codes in Italian or English (catalogue + glossary)."""

from __future__ import annotations

from video_studio.i18n import normalize_language, studio_catalogue
from video_studio.knowledge.doc import ChapterDoc, Message
from video_studio.knowledge.glossary import Glossary, default_glossary


def term_name(term_id: str, lang: str, glossary: Glossary | None = None) -> str:
    """'Mae geri (front kick)': the romaji with the approved name in `lang`."""
    term = (glossary or default_glossary()).term(term_id)
    romaji = term.name("ja")
    local = term.name(normalize_language(lang))
    romaji_cap = romaji[:1].upper() + romaji[1:]
    return romaji_cap if local.casefold() == romaji.casefold() else f"{romaji_cap} ({local})"


def label_name(kind: str, value: str, lang: str) -> str:
    if kind == "technique":
        return term_name(value, lang)
    return studio_catalogue().text(f"pose.technique.{value}", lang)


def render(message: Message, lang: str) -> str:
    params: dict[str, object] = dict(message["params"])
    if "term" in params:
        params["term"] = term_name(str(params["term"]), lang)
    if "category" in params:
        params["category"] = label_name("category", str(params["category"]), lang)
    if "language" in params:
        code = str(params["language"])
        key = f"language.{code}"
        params["language"] = studio_catalogue().text(key, lang) if studio_catalogue().has(key) else code
    return studio_catalogue().text(message["key"], lang, **params)


def chapter_title(chapter: ChapterDoc, lang: str) -> str:
    return render(chapter["title"], lang)
