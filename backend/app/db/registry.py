"""Every domain's models module, so Alembic and tests see the whole schema."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import Any

from sqlalchemy import Index, MetaData

MODEL_MODULES = [
    "app.auth.models",
    "app.audit.models",
    "app.media.models",
    "app.entitlements.models",
    "app.commerce.models",
    "app.studio.models",
    "app.knowledge.models",
    "app.coach.models",
    "app.learning.models",
    "app.analytics.models",
    "app.social.models",
    "app.notifications.models",
    "app.privacy.models",
    "app.webhooks.models",
    "app.voice.models",
]


def load_all_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from app.db.base import Base

    return Base.metadata


def only_this_dialect(dialect: str) -> Callable[..., bool]:
    """Alembic's `include_object`: leave out of a comparison the indexes the models create only on
    another database (`Index(...).ddl_if(dialect="postgresql")`, e.g. trigram indexes on SQLite)."""

    def include(obj: Any, _name: str | None, type_: str, reflected: bool, _compare_to: Any) -> bool:
        if type_ == "index" and not reflected and isinstance(obj, Index):
            wanted = getattr(obj, "_ddl_if", None)  # SQLAlchemy keeps ddl_if() here
            return wanted is None or wanted.dialect in (None, dialect)
        return True

    return include
