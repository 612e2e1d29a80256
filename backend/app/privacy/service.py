"""Your data: the export (a zip built by a worker on the job engine, stored in object storage,
its signed expiring link mailed and listed on the account page) and erasure (DELETE /me with the
password, effective after PRIVACY_ERASURE_GRACE_DAYS unless cancelled; beat erases what is due
through every domain's eraser, app/privacy/registry.py)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from datetime import datetime, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.email import EmailTemplate, render_email, task_payload
from app.core.errors import Conflict, PermissionDenied
from app.core.security import verify_password_async
from app.core.storage import get_object_store
from app.jobs import engine as jobs
from app.jobs.models import JobStatus
from app.privacy import registry
from app.privacy.models import DataExport, ErasureRequest
from app.worker.dispatch import enqueue_after_commit

log = structlog.get_logger(__name__)

EXPORT_TASK = "default.privacy.build_export"
EXPORT_JOBS = jobs.JobTable(DataExport, domain="privacy", task=EXPORT_TASK)
ACTIVE = (JobStatus.pending, JobStatus.running)
STALE_SECONDS = 120


def export_key(export: DataExport) -> str:
    return f"privacy/exports/{export.user_id}/{export.id}.zip"


# --- export (API side) ---------------------------------------------------------------------------------


async def latest_exports(session: AsyncSession, user: User, limit: int = 5) -> list[DataExport]:
    query = (
        select(DataExport)
        .where(DataExport.user_id == user.id)
        .order_by(DataExport.created_at.desc(), DataExport.id.desc())
        .limit(limit)
    )
    return list((await session.scalars(query)).all())


async def start_export(session: AsyncSession, user: User) -> DataExport:
    """A new export, unless one is already being built (that one is returned)."""
    running = (
        await session.scalars(
            select(DataExport).where(DataExport.user_id == user.id, DataExport.status.in_(ACTIVE)).limit(1)
        )
    ).first()
    if running is not None:
        return running
    export = DataExport(user_id=user.id, status=JobStatus.pending, queued_at=utcnow())
    session.add(export)
    await session.flush()
    enqueue_after_commit(session, EXPORT_TASK, str(export.id))
    await session.commit()
    return export


async def export_or_latest(session: AsyncSession, user: User, settings: Settings) -> list[DataExport]:
    """GET /me/export: the latest exports; one is started when there is none still downloadable
    and none being built."""
    exports = await latest_exports(session, user)
    fresh = utcnow() - timedelta(days=settings.privacy_export_keep_days)
    usable = [
        e for e in exports if e.status in ACTIVE or (e.status == JobStatus.ready and e.created_at > fresh)
    ]
    if not usable:
        await start_export(session, user)
        exports = await latest_exports(session, user)
    return exports


def download_url(export: DataExport, settings: Settings) -> str | None:
    if export.status != JobStatus.ready or not export.object_key:
        return None
    return get_object_store().presign_get(export.object_key, settings.privacy_export_link_ttl_seconds)


# --- export (worker side) ------------------------------------------------------------------------------

EXPORT_READY = EmailTemplate(
    "privacy.export_ready", before=("greeting", "intro"), action="action", after=("validity",)
)

README = """Martial Arts Media Center: your data, exported {when}.
One JSON file per part of the platform (profile, purchases and payouts, attempts with their
pose reports, coach conversations, notifications, ...). Times are UTC, money in minor units.
"""


def build_zip(data: dict[str, dict[str, Any]], when: datetime) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("README.txt", README.format(when=when.isoformat()))
        for name, part in data.items():
            archive.writestr(f"{name}.json", json.dumps(part, indent=2, ensure_ascii=False, default=str))
    return buffer.getvalue()


def build_export(session: Session, export_id: uuid.UUID, task_id: str) -> str:
    """Claim the export, gather every domain's data, store the zip, mail the link."""
    settings = get_settings()
    lease = jobs.claim(
        session, EXPORT_JOBS, export_id, stale_before=utcnow() - timedelta(seconds=STALE_SECONDS),
        values={"task_id": task_id},
    )  # fmt: skip
    session.commit()
    if lease is None:
        return "skipped"
    export = session.get(DataExport, export_id)
    assert export is not None
    now = utcnow()
    payload = build_zip(registry.export_all(session, export.user_id), now)
    key = export_key(export)
    get_object_store().put_bytes(key, payload, "application/zip")
    landed = jobs.settle(
        session, EXPORT_JOBS, export_id, lease, JobStatus.ready,
        object_key=key, size_bytes=len(payload), progress=100, stage="done", finished_at=now,
    )  # fmt: skip
    user = session.get(User, export.user_id)
    if landed and user is not None:
        days = max(1, settings.privacy_export_link_ttl_seconds // 86400)
        message = render_email(
            EXPORT_READY,
            user.language,
            to=user.email,
            link=get_object_store().presign_get(key, settings.privacy_export_link_ttl_seconds),
            name=user.display_name,
            count=days,
        )
        enqueue_after_commit(session, "default.send_email", task_payload(message))
    session.commit()
    return "ready" if landed else "lost"


def reap_exports(session: Session, now: datetime | None = None) -> int:
    """Requeue exports whose worker died; delete zips older than PRIVACY_EXPORT_KEEP_DAYS."""
    settings = get_settings()
    now = now or utcnow()
    requeued = jobs.reap(
        [EXPORT_JOBS],
        stale_before=now - timedelta(seconds=STALE_SECONDS),
        lost_before=now - timedelta(seconds=STALE_SECONDS * 5),
    )
    jobs.requeue(requeued)
    old = list(
        session.scalars(
            select(DataExport).where(
                DataExport.created_at < now - timedelta(days=settings.privacy_export_keep_days)
            )
        )
    )
    for export in old:
        if export.object_key:
            get_object_store().delete(export.object_key)
        session.delete(export)
    session.commit()
    return len(old)


# --- erasure -------------------------------------------------------------------------------------------

ERASURE_SCHEDULED = EmailTemplate(
    "privacy.erasure_scheduled", before=("greeting", "intro", "cancel"), action="action"
)


async def pending_erasure(session: AsyncSession, user_id: uuid.UUID) -> ErasureRequest | None:
    query = select(ErasureRequest).where(
        ErasureRequest.user_id == user_id,
        ErasureRequest.cancelled_at.is_(None),
        ErasureRequest.erased_at.is_(None),
    )
    return (await session.scalars(query.limit(1))).first()


async def request_erasure(
    session: AsyncSession, settings: Settings, user: User, password: str
) -> ErasureRequest:
    """Confirmed by the account's password; takes effect after the grace period."""
    if not await verify_password_async(user.password_hash, password):
        raise PermissionDenied("The password is not right.", code="wrong_password")
    existing = await pending_erasure(session, user.id)
    if existing is not None:
        return existing
    now = utcnow()
    request = ErasureRequest(
        user_id=user.id,
        requested_at=now,
        erase_after=now + timedelta(days=settings.privacy_erasure_grace_days),
    )
    session.add(request)
    message = render_email(
        ERASURE_SCHEDULED,
        user.language,
        to=user.email,
        link=settings.app_base_url.rstrip("/") + "/account",
        name=user.display_name,
        date=request.erase_after.date().isoformat(),
    )
    enqueue_after_commit(session, "default.send_email", task_payload(message))
    await session.commit()
    return request


async def cancel_erasure(session: AsyncSession, user: User) -> None:
    request = await pending_erasure(session, user.id)
    if request is None:
        raise Conflict("No deletion of your account is scheduled.", code="no_erasure_pending")
    request.cancelled_at = utcnow()
    await session.commit()


def erase_due(session: Session, now: datetime | None = None) -> int:
    """Erase every account whose grace period is over (each in its own transaction)."""
    now = now or utcnow()
    due = list(
        session.scalars(
            select(ErasureRequest.id).where(
                ErasureRequest.erase_after <= now,
                ErasureRequest.cancelled_at.is_(None),
                ErasureRequest.erased_at.is_(None),
            )
        )
    )
    erased = 0
    for request_id in due:
        request = session.get(ErasureRequest, request_id, with_for_update={"skip_locked": True})
        if request is None or request.cancelled_at is not None or request.erased_at is not None:
            session.rollback()
            continue
        registry.erase_all(session, request.user_id)
        request.erased_at = now
        session.commit()
        log.info("account_erased", request_id=str(request_id))
        erased += 1
    return erased


# --- this domain's own part of a user's data --------------------------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    from app.db.export import rows

    requests = session.scalars(select(ErasureRequest).where(ErasureRequest.user_id == user_id))
    exports = session.scalars(select(DataExport).where(DataExport.user_id == user_id))
    return {"exports": rows(exports, omit=("lease_id", "task_id")), "erasure_requests": rows(requests)}


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """The export zips go (the erasure request itself stays: the record that it was done)."""
    for key in session.scalars(select(DataExport.object_key).where(DataExport.user_id == user_id)):
        if key:
            get_object_store().delete(key)
    session.execute(delete(DataExport).where(DataExport.user_id == user_id))
