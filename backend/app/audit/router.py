from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fastapi import APIRouter
from pydantic import BaseModel, ConfigDict

from app.audit import service
from app.core.pagination import DEFAULT_LIMIT
from app.deps import AdminUser, CursorParam, LimitParam, SessionDep

router = APIRouter(prefix="/admin", tags=["admin: audit"])


class AuditEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    actor_id: uuid.UUID | None
    action: str
    subject_type: str
    subject_id: str
    reason: str | None
    data: dict[str, Any]
    created_at: datetime


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None


@router.get("/audit", response_model=AuditPage)
async def list_audit(
    _: AdminUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    action: str | None = None,
) -> AuditPage:
    items, next_cursor = await service.list_entries(
        session,
        limit=limit,
        cursor=cursor,
        subject_type=subject_type,
        subject_id=subject_id,
        action=action,
    )
    return AuditPage(items=[AuditEntryOut.model_validate(e) for e in items], next_cursor=next_cursor)
