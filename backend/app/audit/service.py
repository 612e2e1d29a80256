"""The audit log: every admin decision (moderation, roles, refunds, manual grants) lands here."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.audit.models import AuditEntry
from app.auth.models import User
from app.commerce.models import Purchase
from app.core.pagination import apply_cursor, page_of
from app.media.models import Video


def _entry(
    actor_id: uuid.UUID | None,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | str,
    reason: str | None,
    data: dict[str, Any] | None,
) -> AuditEntry:
    return AuditEntry(
        actor_id=actor_id,
        action=action,
        subject_type=subject_type,
        subject_id=str(subject_id),
        reason=reason,
        data=data or {},
    )


def record(
    session: AsyncSession | Session,
    *,
    actor_id: uuid.UUID | None,
    action: str,
    subject_type: str,
    subject_id: uuid.UUID | str,
    reason: str | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add an entry to the caller's transaction (works with async and sync sessions)."""
    entry = _entry(actor_id, action, subject_type, subject_id, reason, data)
    session.add(entry)
    return entry


async def list_entries(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    subject_type: str | None = None,
    subject_id: str | None = None,
    action: str | None = None,
) -> tuple[Sequence[AuditEntry], str | None]:
    stmt = select(AuditEntry)
    if subject_type:
        stmt = stmt.where(AuditEntry.subject_type == subject_type)
    if subject_id:
        stmt = stmt.where(AuditEntry.subject_id == subject_id)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    rows = (await session.scalars(apply_cursor(stmt, AuditEntry.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """The audited actions the user took (admins, instructors)."""
    from app.db.export import rows

    return {"actions": rows(session.scalars(select(AuditEntry).where(AuditEntry.actor_id == user_id)))}


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """The trail stays (what happened, to what); who did it is no longer said."""
    from sqlalchemy import update

    session.execute(update(AuditEntry).where(AuditEntry.actor_id == user_id).values(actor_id=None))


# What an admin reads instead of an id, per subject type (leaf models only: no import cycle).
_SUBJECT_NAMES: dict[str, tuple[Any, Any]] = {
    "user": (User.id, User.display_name),
    "video": (Video.id, Video.title),
    "purchase": (Purchase.id, Purchase.video_title),
}


async def names_for(
    session: AsyncSession, entries: Sequence[AuditEntry]
) -> tuple[dict[uuid.UUID, str], dict[tuple[str, str], str]]:
    """(actor id -> display name, (subject type, subject id) -> name) for a page of entries.
    Anything gone (an erased account, a deleted video) simply has no name."""
    actor_ids = {e.actor_id for e in entries if e.actor_id}
    actors: dict[uuid.UUID, str] = {}
    if actor_ids:
        rows = await session.execute(select(User.id, User.display_name).where(User.id.in_(actor_ids)))
        actors = {uid: name for uid, name in rows.all()}
    subjects: dict[tuple[str, str], str] = {}
    for subject_type, (id_col, name_col) in _SUBJECT_NAMES.items():
        ids = set()
        for e in entries:
            if e.subject_type == subject_type:
                try:
                    ids.add(uuid.UUID(e.subject_id))
                except ValueError:
                    continue
        if ids:
            rows = await session.execute(select(id_col, name_col).where(id_col.in_(ids)))
            subjects.update({(subject_type, str(i)): str(n) for i, n in rows.all()})
    return actors, subjects


async def action_names(session: AsyncSession) -> list[str]:
    """Every action recorded so far: the filter's suggestions are the real names."""
    return sorted(await session.scalars(select(AuditEntry.action).distinct()))
