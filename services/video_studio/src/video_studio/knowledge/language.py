"""Which language a text is in: Italian or English (lingua), or romaji glossary terms.

lingua is restricted to the languages we handle, which makes it both faster and more accurate on
short texts. Japanese written in romaji is not something lingua can tell apart from
Italian, so a text made mostly of glossary romaji ("Mae geri", "Heian shodan") is reported as
`ja-Latn`: the glossary, not a language model, handles it.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from video_studio.knowledge.glossary import ROMAJI, Glossary, default_glossary, tokens

if TYPE_CHECKING:
    from lingua import LanguageDetector

TEXT_LANGUAGES: Final = ("it", "en")
ROMAJI_SHARE: Final = 0.6  # of the tokens, for a text to count as romaji
MIN_LETTERS: Final = 3

_lock = threading.Lock()
_detector: LanguageDetector | None = None


def _lingua() -> LanguageDetector:
    global _detector
    with _lock:
        if _detector is None:
            from lingua import Language, LanguageDetectorBuilder

            _detector = LanguageDetectorBuilder.from_languages(Language.ITALIAN, Language.ENGLISH).build()
        return _detector


@dataclass(frozen=True)
class LanguageGuess:
    language: str | None  # "it", "en", "ja-Latn" or None (too little text to tell)
    confidence: float


def detect_language(text: str, glossary: Glossary | None = None) -> LanguageGuess:
    toks = tokens(text)
    if sum(len(t) for t in toks) < MIN_LETTERS:
        return LanguageGuess(None, 0.0)
    gloss = glossary or default_glossary()
    share = gloss.romaji_share(text)
    if share >= ROMAJI_SHARE:
        return LanguageGuess(ROMAJI, round(share, 3))
    from lingua import Language

    values = _lingua().compute_language_confidence_values(text)
    codes = {Language.ITALIAN: "it", Language.ENGLISH: "en"}
    best = max(values, key=lambda v: v.value, default=None)
    if best is None or best.language not in codes:
        return LanguageGuess(None, 0.0)
    return LanguageGuess(codes[best.language], round(float(best.value), 3))
