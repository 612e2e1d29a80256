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
    actor_name: str | None = None  # None: the system, or an erased account
    subject_name: str | None = None  # a user's name, a video's or purchase's title


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
    actors, subjects = await service.names_for(session, items)
    out = [
        AuditEntryOut.model_validate(e).model_copy(
            update={
                "actor_name": actors.get(e.actor_id) if e.actor_id else None,
                "subject_name": subjects.get((e.subject_type, e.subject_id)),
            }
        )
        for e in items
    ]
    return AuditPage(items=out, next_cursor=next_cursor)


@router.get("/audit/actions", response_model=list[str])
async def list_audit_actions(_: AdminUser, session: SessionDep) -> list[str]:
    return await service.action_names(session)
