"""Rows as JSON for a user's data export (issue 17): every column, values made JSON-safe."""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from sqlalchemy import inspect


def _safe(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, enum.Enum):
        return value.value
    return value


def row_dict(row: Any, *, omit: Iterable[str] = ()) -> dict[str, Any]:
    skip = set(omit)
    return {
        attr.key: _safe(getattr(row, attr.key))
        for attr in inspect(row).mapper.column_attrs
        if attr.key not in skip
    }


def rows(items: Iterable[Any], *, omit: Iterable[str] = ()) -> list[dict[str, Any]]:
    skip = tuple(omit)
    return [row_dict(r, omit=skip) for r in items]
