"""The registry of every domain holding personal data: each exposes, in its service module,
`export_user_data(session, user_id) -> dict` and `erase_user_data(session, user_id) -> None`
(sync SQLAlchemy Session: the export and erasure run in workers).
A new domain adds one line here.

Erasure deletes what is personal (attempts, conversations, notifications, tokens, reports...),
keeps what the books and the catalogue need (money rows, instructors' videos and knowledge)
pointing at the user's id, and finally anonymises the user row itself ("profile", last), so what
is kept names no one.
"""

from __future__ import annotations

import importlib
import uuid
from typing import Any

from sqlalchemy.orm import Session

# (name in the export, service module). "profile" is erased last.
DATA_DOMAINS: list[tuple[str, str]] = [
    ("profile", "app.auth.service"),
    ("commerce", "app.commerce.service"),
    ("audit", "app.audit.service"),
    ("entitlements", "app.entitlements.service"),
    ("media", "app.media.service"),
    ("studio", "app.studio.service"),
    ("knowledge", "app.knowledge.service"),
    ("coach", "app.coach.service"),
    ("learning", "app.learning.service"),
    ("social", "app.social.service"),
    ("analytics", "app.analytics.service"),
    ("voice", "app.voice.service"),
    ("notifications", "app.notifications.service"),
    ("webhooks", "app.webhooks.service"),
    ("privacy", "app.privacy.service"),
]


def _module(path: str) -> Any:
    return importlib.import_module(path)


def export_all(session: Session, user_id: uuid.UUID) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for name, path in DATA_DOMAINS:
        out[name] = _module(path).export_user_data(session, user_id)
    return out


def erase_all(session: Session, user_id: uuid.UUID) -> None:
    """Every domain's eraser in one transaction (the caller commits)."""
    ordered = [d for d in DATA_DOMAINS if d[0] != "profile"] + [d for d in DATA_DOMAINS if d[0] == "profile"]
    for _, path in ordered:
        _module(path).erase_user_data(session, user_id)
        session.flush()
