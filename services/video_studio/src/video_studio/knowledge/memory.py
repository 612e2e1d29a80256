"""Translation memory: approved translations, fuzzy-matched before anything is machine translated.

The memory starts from the glossary's approved equivalents (it / en / ja-romaji) and the backend
adds every human-approved translation (`add`). `translate` asks the memory first and the
`Translator` (an LLM, when a key is set) only when no entry is close enough; offline (no
translator) the caller gets the memory's suggestions and no machine text.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Final, Literal, TypeAlias

from rapidfuzz import fuzz, process

from video_studio.knowledge.glossary import Glossary, normalise
from video_studio.providers.base import Translator

Origin: TypeAlias = Literal["glossary", "human"]
MIN_SCORE: Final = 0.85  # rapidfuzz ratio / 100 for a memory hit to be used as the translation
SUGGESTION_SCORE: Final = 0.6  # below MIN_SCORE but shown to the reviewer as a suggestion
_SPACES = re.compile(r"\s+")


def memory_key(text: str) -> str:
    """What two segments must share to be the same: case, accents, punctuation and spacing aside."""
    return _SPACES.sub(" ", re.sub(r"[^\w\s]", " ", normalise(text))).strip()


@dataclass(frozen=True)
class MemoryEntry:
    source_lang: str
    source_text: str
    target_lang: str
    target_text: str
    origin: Origin = "human"
    ref: str | None = None  # the backend's id for the approved translation


@dataclass(frozen=True)
class MemoryHit:
    text: str
    score: float  # 0..1, 1.0 for the same segment
    origin: Origin
    source_text: str
    ref: str | None


@dataclass(frozen=True)
class Translation:
    text: str | None  # None offline when the memory had nothing close enough
    origin: Literal["tm", "machine"] | None
    score: float | None  # the memory hit's score when origin is "tm"
    suggestions: tuple[MemoryHit, ...] = field(default=())


class TranslationMemory:
    def __init__(self, entries: Iterable[MemoryEntry] = (), *, glossary: Glossary | None = None) -> None:
        # (source, target) -> key -> entries (a human entry first)
        self._index: dict[tuple[str, str], dict[str, list[MemoryEntry]]] = {}
        self._glossary = glossary
        if glossary is not None:
            for term in glossary.terms:
                for source in ("ja", "en", "it"):
                    for target in ("ja", "en", "it"):
                        if source == target:
                            continue
                        for form in term.names[source]:  # type: ignore[index]
                            self.add(
                                MemoryEntry(source, form, target, term.name(target), "glossary", term.id)
                            )
        for entry in entries:
            self.add(entry)

    def add(self, entry: MemoryEntry) -> None:
        key = memory_key(entry.source_text)
        if not key:
            return
        bucket = self._index.setdefault((entry.source_lang, entry.target_lang), {}).setdefault(key, [])
        bucket.append(entry)
        bucket.sort(key=lambda e: e.origin != "human")  # human-approved wins over the glossary

    def __len__(self) -> int:
        return sum(len(b) for keys in self._index.values() for b in keys.values())

    def lookup(
        self, text: str, *, source: str, target: str, limit: int = 3, min_score: float = SUGGESTION_SCORE
    ) -> list[MemoryHit]:
        """The closest entries, best first (ties: human before glossary)."""
        keys = self._index.get((source, target))
        key = memory_key(text)
        if not keys or not key:
            return []
        found = process.extract(key, list(keys), scorer=fuzz.ratio, limit=limit, score_cutoff=min_score * 100)
        hits = []
        for matched, score, _ in found:
            entry = keys[str(matched)][0]
            hits.append(
                MemoryHit(
                    entry.target_text,
                    round(float(score) / 100, 4),
                    entry.origin,
                    entry.source_text,
                    entry.ref,
                )
            )
        hits.sort(key=lambda h: (-h.score, h.origin != "human"))
        return hits[:limit]

    def glossary_hints(self, text: str, *, source: str, target: str) -> dict[str, str]:
        """Approved target names of the glossary terms in `text` (for a translator to keep)."""
        if self._glossary is None:
            return {}
        hints = {}
        for match in self._glossary.find(text.split(), fuzzy=False):
            if match.term is not None:
                hints[match.matched] = match.term.name(target)
        return hints


def translate(
    text: str,
    *,
    source: str,
    target: str,
    memory: TranslationMemory,
    translator: Translator | None = None,
    min_score: float = MIN_SCORE,
) -> Translation:
    """Memory first; the translator only when nothing in the memory is close enough."""
    hits = tuple(memory.lookup(text, source=source, target=target))
    if hits and hits[0].score >= min_score:
        return Translation(hits[0].text, "tm", hits[0].score, hits)
    if translator is None:
        return Translation(None, None, None, hits)
    hints: Mapping[str, str] = memory.glossary_hints(text, source=source, target=target)
    return Translation(
        translator.translate(text, source=source, target=target, glossary=hints), "machine", None, hits
    )
