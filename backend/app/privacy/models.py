"""Your data: export jobs (a zip in object storage) and erasure requests (with a grace period)."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin
from app.jobs.models import JobColumns


class DataExport(IdMixin, JobColumns, Base):
    """One export of a user's data; the row is its own job (app/jobs)."""

    __tablename__ = "data_exports"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    object_key: Mapped[str | None] = mapped_column(String(512), default=None)
    size_bytes: Mapped[int | None] = mapped_column(default=None)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class ErasureRequest(IdMixin, Base):
    """DELETE /me: the account is erased at `erase_after` unless cancelled before."""

    __tablename__ = "erasure_requests"

    # No foreign key: the row outlives the user it erased (proof that the erasure ran).
    user_id: Mapped[uuid.UUID] = mapped_column(index=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    erase_after: Mapped[datetime]
    cancelled_at: Mapped[datetime | None] = mapped_column(default=None)
    erased_at: Mapped[datetime | None] = mapped_column(default=None)
