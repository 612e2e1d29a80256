"""Search text that forgives accents and small typos, the same on PostgreSQL and SQLite.

- Accents: searchable text and query terms are folded here, in Python (`fold`: case-folded,
  combining marks removed, so "Karaté Shōtōkan" is stored and searched as "karate shotokan").
  Folding on write keeps the index on the plain column: PostgreSQL's `unaccent()` is not
  IMMUTABLE, so indexing it would need a wrapper function, and SQLite has no such function.
- Typos: a query term of at least FUZZY_MIN_TERM_LENGTH letters (letters only: a term with digits
  is a code, a year or a grade, and must match as typed) also matches a word whose
  trigrams hold WORD_SIMILARITY_THRESHOLD of the term's ("squt" finds "squat", "mawasi" finds
  "mawashi"). PostgreSQL answers with pg_trgm's `<%` operator (word_similarity, same default
  threshold 0.6) on a GIN trigram index; SQLite calls `word_similarity` below, registered as a SQL
  function on every connection (`register_sqlite_functions`). The two agree on whole-word typos,
  the case that matters here (tests check both).
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any

FUZZY_MIN_TERM_LENGTH = 4
WORD_SIMILARITY_THRESHOLD = 0.6  # pg_trgm.word_similarity_threshold's default
MAX_TERMS = 8

_WORD = re.compile(r"\w+")


def fold(text: str) -> str:
    """Lower-case without accents: 'Karaté' -> 'karate', 'Ōi zuki' -> 'oi zuki'."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch))


def terms(query: str) -> list[str]:
    """The folded words of a query (at most MAX_TERMS)."""
    return _WORD.findall(fold(query))[:MAX_TERMS]


def forgives_typos(term: str) -> bool:
    return len(term) >= FUZZY_MIN_TERM_LENGTH and term.isalpha()


def _trigrams(word: str) -> set[str]:
    padded = f"  {word} "  # pg_trgm pads each word with two spaces before and one after
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


def word_similarity(term: str, text: str) -> float:
    """The largest share of the term's trigrams found in one word of the text (0..1)."""
    wanted = _trigrams(fold(term))
    best = 0.0
    for word in set(_WORD.findall(fold(text or ""))):
        best = max(best, len(wanted & _trigrams(word)) / len(wanted))
        if best == 1.0:
            break
    return best


def register_sqlite_functions(dbapi_connection: Any, _record: Any = None) -> None:
    dbapi_connection.create_function("word_similarity", 2, word_similarity, deterministic=True)
