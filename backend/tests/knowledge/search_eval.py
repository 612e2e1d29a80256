"""The bilingual search set (search_set.json) and recall@k, shared by the test and `make bench`
(tests/bench/bench_knowledge_search.py)."""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.db.session import sync_session
from app.knowledge.models import ItemKind, KnowledgeItem, KnowledgeLink, KnowledgeVersion, ReviewState, Source
from app.knowledge.text import search_text

SET = Path(__file__).with_name("search_set.json")


def load_set() -> dict[str, Any]:
    return dict(json.loads(SET.read_text(encoding="utf-8")))


def seed(owner_id: uuid.UUID, video_id: uuid.UUID, data: dict[str, Any]) -> dict[str, uuid.UUID]:
    """Each item approved in its one language, at its own moment of the video; key -> item id."""
    ids: dict[str, uuid.UUID] = {}
    with sync_session() as session:
        for k, it in enumerate(data["items"]):
            item = KnowledgeItem(
                owner_id=owner_id, kind=ItemKind.article, key=f"set:{it['key']}:{uuid.uuid4()}"
            )
            session.add(item)
            session.flush()
            session.add(
                KnowledgeLink(item_id=item.id, video_id=video_id, start_s=float(k), end_s=float(k) + 1)
            )
            session.add(
                KnowledgeVersion(
                    item_id=item.id,
                    lang=it["lang"],
                    number=1,
                    title=it["title"],
                    body=it["body"],
                    source=Source.human,
                    review_state=ReviewState.approved,
                    search_text=search_text(it["title"], it["body"]),
                )
            )
            ids[it["key"]] = item.id
    return ids


@dataclass(frozen=True)
class Recall:
    glossary: float  # recall@k over the glossary-covered queries
    other: float
    glossary_n: int
    other_n: int
    misses: list[str]


def recall(
    ranked: dict[str, list[uuid.UUID]], ids: dict[str, uuid.UUID], data: dict[str, Any], k: int = 5
) -> Recall:
    """`ranked`: query text -> item ids, best first (other items in the database may be among them)."""
    found = {True: [0, 0], False: [0, 0]}
    misses = []
    for query in data["queries"]:
        hit = ids[query["expect"]] in ranked[query["q"]][:k]
        found[query["glossary"]][0] += hit
        found[query["glossary"]][1] += 1
        if not hit:
            misses.append(f"{query['lang']}:{query['q']}")
    g, o = found[True], found[False]
    return Recall(g[0] / g[1] if g[1] else 0.0, o[0] / o[1] if o[1] else 0.0, g[1], o[1], misses)
