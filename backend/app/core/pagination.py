"""Cursor pagination: `limit` (default 20, max 100) + an opaque `cursor`.

Rows are ordered by their UUIDv7 id, which sorts by creation time, so the cursor is just the
last id seen, encoded so clients treat it as opaque. The query parameters that carry them are
declared for the routes in app/deps.py (`LimitParam`, `CursorParam`).
"""

from __future__ import annotations

import base64
import uuid
from collections.abc import Sequence
from typing import Any, TypeVar

from sqlalchemy import Select
from sqlalchemy.orm import InstrumentedAttribute

from app.core.errors import ValidationFailed

T = TypeVar("T")

DEFAULT_LIMIT = 20
MAX_LIMIT = 100

CURSOR_MAX_LENGTH = 200


def encode_cursor(last_id: uuid.UUID) -> str:
    return base64.urlsafe_b64encode(last_id.bytes).rstrip(b"=").decode()


def decode_cursor(cursor: str) -> uuid.UUID:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        return uuid.UUID(bytes=raw)
    except (ValueError, TypeError) as exc:
        raise ValidationFailed("The cursor is not valid.", code="invalid_cursor") from exc


def apply_cursor(
    stmt: Select[Any],
    id_column: InstrumentedAttribute[uuid.UUID],
    *,
    limit: int,
    cursor: str | None,
    newest_first: bool = True,
) -> Select[Any]:
    if cursor:
        last = decode_cursor(cursor)
        stmt = stmt.where(id_column < last if newest_first else id_column > last)
    order = id_column.desc() if newest_first else id_column.asc()
    return stmt.order_by(order).limit(limit + 1)


def page_of(rows: Sequence[T], limit: int, id_of: Any = None) -> tuple[list[T], str | None]:
    """Trim the look-ahead row; return (items, next_cursor)."""
    items = list(rows[:limit])
    if len(rows) <= limit or not items:
        return items, None
    last = items[-1]
    last_id = id_of(last) if id_of else last.id  # type: ignore[attr-defined]
    return items, encode_cursor(last_id)
