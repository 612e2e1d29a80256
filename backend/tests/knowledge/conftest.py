"""Knowledge fixtures: the media fixtures (instructor, admin, processed video rows) and items
written straight into the database, as the extraction writes them."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from app.auth.models import User
from app.db.session import sync_session
from app.knowledge.models import ItemKind, KnowledgeItem, KnowledgeLink, KnowledgeVersion, ReviewState, Source
from app.knowledge.text import search_text
from tests.media.conftest import admin, instructor, make_clip, make_video  # noqa: F401 - fixtures

API = "/api/v1/knowledge"


@pytest.fixture
def make_item() -> Callable[..., uuid.UUID]:
    """An item with one version per language given ({lang: (title, body)}), linked to a moment."""

    def factory(
        owner: User,
        versions: dict[str, tuple[str, str]],
        *,
        video_id: uuid.UUID | None = None,
        start_s: float | None = 1.0,
        end_s: float | None = 3.0,
        kind: ItemKind = ItemKind.technique,
        state: ReviewState = ReviewState.approved,
        confidence: float | None = None,
        evidence: dict[str, Any] | None = None,
    ) -> uuid.UUID:
        with sync_session() as session:
            item = KnowledgeItem(
                owner_id=owner.id,
                kind=kind,
                key=f"test:{uuid.uuid4()}",
                confidence=confidence,
                evidence=evidence,
            )
            session.add(item)
            session.flush()
            session.add(KnowledgeLink(item_id=item.id, video_id=video_id, start_s=start_s, end_s=end_s))
            for lang, (title, body) in versions.items():
                session.add(
                    KnowledgeVersion(
                        item_id=item.id,
                        lang=lang,
                        number=1,
                        title=title,
                        body=body,
                        source=Source.human,
                        review_state=state,
                        search_text=search_text(title, body),
                    )
                )
            return item.id

    return factory
