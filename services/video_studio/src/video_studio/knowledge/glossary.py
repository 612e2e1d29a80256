"""The martial-arts glossary (it / en / ja-romaji) and finding its terms in text.

The data (`data/glossary.json`) lists each term once: its id, the pose technique type it belongs
to (or none, for plain terms such as *rei* or *dojo*), and per language the approved equivalent
first, then accepted variants. Generic category words ("kick", "calcio", "parata"...) are listed
per category.

Matching works on normalised tokens (lower case, accents and punctuation dropped) and compares
runs of tokens with their spaces removed, so "mae geri", "mae-geri" and "maegeri" are one term.
Speech recognisers mangle romaji ("ayaku zuki" for gyaku zuki), so romaji forms of 7 letters or
more also match fuzzily runs of 6 letters or more (rapidfuzz ratio ≥ 85); the score then
carries the similarity.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Final, Literal, TypeAlias

from rapidfuzz import fuzz, process

from video_studio.techniques import TECHNIQUES, Technique

TermLanguage: TypeAlias = Literal["ja", "en", "it"]
TERM_LANGUAGES: Final[tuple[TermLanguage, ...]] = ("ja", "en", "it")
ROMAJI: Final = "ja-Latn"  # the language code we give text written in romaji

FUZZY_MIN_LETTERS: Final = 7  # romaji forms this long or longer may match fuzzily...
FUZZY_MIN_RUN: Final = 6  # ...a run of at least this many letters
FUZZY_MIN_SCORE: Final = 85.0
MAX_RUN_TOKENS: Final = 5
GENERIC_WEIGHT: Final = 0.5  # a category word ("kick") is weaker evidence than a named technique

_TOKEN = re.compile(r"[a-z0-9]+")


def normalise(text: str) -> str:
    """Lower case, accents and marks removed (NFKD), so 'Posizione Arretrata' ~ 'posizione arretrata'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def tokens(text: str) -> list[str]:
    return _TOKEN.findall(normalise(text))


@dataclass(frozen=True)
class Term:
    id: str
    category: Technique | None
    names: dict[TermLanguage, tuple[str, ...]]  # approved equivalent first

    def name(self, language: str) -> str:
        """The approved name in `language` ('it', 'en'; anything else: the romaji)."""
        lang: TermLanguage = language if language in ("en", "it") else "ja"  # type: ignore[assignment]
        return self.names[lang][0]


@dataclass(frozen=True)
class TermMatch:
    """A glossary term found in a token run. `first`/`last` index the tokens of the text it was
    found in (inclusive); `score` is 1.0 for an exact form, the fuzzy similarity otherwise;
    `term` is None for a generic category word."""

    term: Term | None
    category: Technique | None
    language: TermLanguage
    form: str  # the glossary form it matched
    matched: str  # the text as it was written
    first: int
    last: int
    score: float

    @property
    def key(self) -> str:
        return self.term.id if self.term else f"category:{self.category}"


@dataclass(frozen=True)
class _Form:
    term: Term | None
    category: Technique | None
    language: TermLanguage
    form: str
    weight: float


class Glossary:
    def __init__(
        self, terms: Sequence[Term], category_words: dict[Technique, dict[str, tuple[str, ...]]]
    ) -> None:
        self.terms = tuple(terms)
        self.by_id = {t.id: t for t in self.terms}
        self.category_words = category_words
        self._exact: dict[str, _Form] = {}
        for term in self.terms:
            for lang in TERM_LANGUAGES:
                for form in term.names[lang]:
                    self._exact.setdefault("".join(tokens(form)), _Form(term, term.category, lang, form, 1.0))
        for category, per_lang in category_words.items():
            for lang_name, words in per_lang.items():
                word_lang: TermLanguage = "it" if lang_name == "it" else "en"
                for word in words:
                    key = "".join(tokens(word))
                    self._exact.setdefault(key, _Form(None, category, word_lang, word, GENERIC_WEIGHT))
        self._fuzzy_keys = [
            key
            for key, f in self._exact.items()
            if f.term is not None and f.language == "ja" and len(key) >= FUZZY_MIN_LETTERS
        ]
        self._romaji_tokens = frozenset(
            tok for t in self.terms for form in t.names["ja"] for tok in tokens(form)
        )

    def term(self, term_id: str) -> Term:
        return self.by_id[term_id]

    def is_romaji_token(self, token: str) -> bool:
        return token in self._romaji_tokens

    def find(self, words: Sequence[str], *, fuzzy: bool = True) -> list[TermMatch]:
        """Terms in a text given as a word sequence (a transcript's words, or `text.split()`).

        Each word may normalise to several tokens ("mae-geri"); `first`/`last` index `words`.
        Overlapping candidates resolve to the best (exact before fuzzy, then longer, then earlier)."""
        toks: list[str] = []
        owner: list[int] = []
        for k, word in enumerate(words):
            for tok in tokens(word):
                toks.append(tok)
                owner.append(k)
        candidates: list[tuple[float, int, int, int, _Form]] = []
        for i in range(len(toks)):
            for n in range(1, min(MAX_RUN_TOKENS, len(toks) - i) + 1):
                joined = "".join(toks[i : i + n])
                form = self._exact.get(joined)
                if form is not None:
                    candidates.append((1.0, n, i, i + n - 1, form))
                elif fuzzy and len(joined) >= FUZZY_MIN_RUN and self._fuzzy_keys:
                    best = process.extractOne(
                        joined, self._fuzzy_keys, scorer=fuzz.ratio, score_cutoff=FUZZY_MIN_SCORE
                    )
                    if best is not None:
                        key = str(best[0])
                        if abs(len(key) - len(joined)) <= max(2, len(key) // 4):
                            candidates.append((float(best[1]) / 100.0, n, i, i + n - 1, self._exact[key]))
        candidates.sort(key=lambda c: (-c[0] * c[4].weight, -c[1], c[2]))
        taken = [False] * len(toks)
        found: list[TermMatch] = []
        for score, _, a, b, form in candidates:
            if any(taken[a : b + 1]):
                continue
            # A match must start and end on word boundaries of the original text.
            if (a > 0 and owner[a - 1] == owner[a]) or (b + 1 < len(toks) and owner[b + 1] == owner[b]):
                continue
            for k in range(a, b + 1):
                taken[k] = True
            first, last = owner[a], owner[b]
            found.append(
                TermMatch(
                    term=form.term,
                    category=form.category,
                    language=form.language,
                    form=form.form,
                    matched=" ".join(words[first : last + 1]),
                    first=first,
                    last=last,
                    score=round(score * form.weight, 4),
                )
            )
        found.sort(key=lambda m: m.first)
        return found

    def romaji_share(self, text: str) -> float:
        """Share of the text's tokens that are romaji glossary tokens (1.0: only glossary romaji)."""
        toks = tokens(text)
        return sum(self.is_romaji_token(t) for t in toks) / len(toks) if toks else 0.0

    def prompt(self, limit: int = 60) -> str:
        """Technique names to bias a speech recogniser with (Whisper's prompt holds ~220 tokens)."""
        names = [t.names["ja"][0] for t in self.terms if t.category is not None]
        return ", ".join(names[:limit]) + "."

    def pairs(self, source: str, target: str) -> Iterable[tuple[str, str, str]]:
        """(term id, source form, approved target) for every source form: the glossary's side of
        the translation memory."""
        src: TermLanguage = source if source in TERM_LANGUAGES else "ja"  # type: ignore[assignment]
        for term in self.terms:
            approved = term.name(target)
            for form in term.names[src]:
                yield term.id, form, approved


def _load(path: Path) -> Glossary:
    data = json.loads(path.read_text(encoding="utf-8"))
    terms = []
    for item in data["terms"]:
        category = item["category"]
        if category is not None and category not in TECHNIQUES:
            raise ValueError(f"glossary term {item['id']}: unknown category {category!r}")
        terms.append(Term(item["id"], category, {lang: tuple(item[lang]) for lang in TERM_LANGUAGES}))
    words: dict[Technique, dict[str, tuple[str, ...]]] = {}
    for category, per_lang in data["category_words"].items():
        if category not in TECHNIQUES:
            raise ValueError(f"glossary category words: unknown category {category!r}")
        words[category] = {lang: tuple(ws) for lang, ws in per_lang.items()}
    return Glossary(terms, words)


GLOSSARY_PATH: Final = Path(__file__).with_name("data") / "glossary.json"


@lru_cache
def default_glossary() -> Glossary:
    return _load(GLOSSARY_PATH)
