"""Entitlements: the one table that answers "may this user play this video now?".

A row is a right to play, with where it came from (a purchase, a subscription, an admin grant)
and its state. Commerce writes rows as payments happen; the playback endpoint only reads them
through `app.entitlements.service.may_play`.
"""

from __future__ import annotations

import enum
import uuid
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin, TimestampMixin


class EntitlementKind(enum.StrEnum):
    ppv = "ppv"  # bought once, watch forever
    rental = "rental"  # `rental_hours` from the first play
    subscription = "subscription"  # every subscription-included video until current_period_end
    manual = "manual"  # granted by an admin (optionally until expires_at)


class EntitlementStatus(enum.StrEnum):
    active = "active"
    suspended = "suspended"  # a dispute is open on the payment behind it
    revoked = "revoked"  # refunded, dispute lost, subscription ended, or an admin decision


class SourceType(enum.StrEnum):
    purchase = "purchase"  # commerce purchases.id
    subscription = "subscription"  # commerce subscriptions.id
    admin = "admin"  # manual grant (source_id: a fresh id, the actor is in the audit log)


class Entitlement(IdMixin, TimestampMixin, Base):
    __tablename__ = "entitlements"
    __table_args__ = (
        # One right per source (and item): granting again for the same purchase/subscription is
        # a no-op. A course bundle's purchase is one source with one item per video.
        UniqueConstraint("source_type", "source_id", "source_item", name="uq_entitlements_source"),
        Index("ix_entitlements_user_video", "user_id", "video_id"),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # None for a subscription (it covers every subscription-included video).
    video_id: Mapped[uuid.UUID | None] = mapped_column(default=None)
    kind: Mapped[EntitlementKind] = mapped_column(
        Enum(EntitlementKind, name="entitlement_kind", native_enum=False, length=20)
    )
    status: Mapped[EntitlementStatus] = mapped_column(
        Enum(EntitlementStatus, name="entitlement_status", native_enum=False, length=20),
        default=EntitlementStatus.active,
    )
    source_type: Mapped[SourceType] = mapped_column(
        Enum(SourceType, name="entitlement_source_type", native_enum=False, length=20)
    )
    source_id: Mapped[str] = mapped_column(String(64))
    # "" for a source of one right; the video's id for each right of a course bundle's purchase.
    source_item: Mapped[str] = mapped_column(String(64), default="", server_default="")
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)
    # rental: None until the first play, then first_played_at + rental_hours;
    # subscription: the paid period's end; ppv: None (forever); manual: optional end.
    expires_at: Mapped[datetime | None] = mapped_column(default=None)
    rental_hours: Mapped[int | None] = mapped_column(default=None)
    first_played_at: Mapped[datetime | None] = mapped_column(default=None)
    status_changed_at: Mapped[datetime | None] = mapped_column(default=None)
    revoked_reason: Mapped[str | None] = mapped_column(Text, default=None)
