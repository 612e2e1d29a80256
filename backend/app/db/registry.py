"""Every domain's models module, so Alembic and tests see the whole schema."""

from __future__ import annotations

import importlib

from sqlalchemy import MetaData

MODEL_MODULES = [
    "app.auth.models",
    "app.audit.models",
    "app.media.models",
    "app.entitlements.models",
    "app.commerce.models",
    "app.studio.models",
    "app.coach.models",
]


def load_all_models() -> MetaData:
    for name in MODEL_MODULES:
        importlib.import_module(name)
    from app.db.base import Base

    return Base.metadata
