"""Commerce tables: stored Stripe events, customers, purchases, subscriptions, disputes and the
instructors' earnings ledger. Only app/commerce services query them."""

from __future__ import annotations

import enum
import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Enum, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from app.core.clock import utcnow
from app.db.base import Base, IdMixin, TimestampMixin
from app.db.base import insert_ignoring_conflicts as insert_ignoring_conflicts  # commerce names it from here


class StripeEvent(IdMixin, Base):
    """Every verified webhook delivery, stored by event id before anything else happens.

    `processed_at` is set in the same transaction as the event's effect, so an event takes
    effect exactly once however often Stripe (or a replay) delivers it.
    """

    __tablename__ = "stripe_events"

    event_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(100), index=True)
    livemode: Mapped[bool] = mapped_column(default=False)
    object_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # The payment intent an event is about: lets an event that arrived before its purchase was
    # known ("deferred") be re-applied as soon as the purchase is linked.
    related_ref: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    event_created: Mapped[int] = mapped_column(BigInteger, default=0)  # Stripe's `created` (unix s)
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    processed_at: Mapped[datetime | None] = mapped_column(default=None, index=True)
    outcome: Mapped[str | None] = mapped_column(String(40), default=None)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text, default=None)


class StripeCustomer(IdMixin, Base):
    __tablename__ = "stripe_customers"

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), unique=True)
    customer_id: Mapped[str] = mapped_column(String(255), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class PurchaseKind(enum.StrEnum):
    ppv = "ppv"
    rental = "rental"
    course = "course"  # a course bundle: one payment, a right to every video of the course


class PurchaseStatus(enum.StrEnum):
    pending = "pending"  # checkout opened, not paid
    paid = "paid"
    failed = "failed"  # the payment attempt failed (the buyer may retry)
    expired = "expired"  # the checkout session expired unpaid (a new checkout opens a new session)
    partially_refunded = "partially_refunded"
    refunded = "refunded"
    disputed = "disputed"  # a dispute is open: access suspended
    dispute_lost = "dispute_lost"


class Purchase(IdMixin, TimestampMixin, Base):
    """One PPV or rental sale of one video, or one sale of a course bundle (state derived from
    Stripe facts, see service). A bundle is one sale in the ledger (the instructor's earnings
    are per course, not split per video) and grants one right per video of its course."""

    __tablename__ = "purchases"
    __table_args__ = (
        Index("ix_purchases_user_video", "user_id", "video_id"),
        # One open checkout per buyer, video and kind: two tabs clicking "Buy" share it.
        Index(
            "uq_purchases_one_pending",
            "user_id",
            "video_id",
            "kind",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
        # The same for a course bundle (video_id is NULL there, and NULLs never conflict).
        Index(
            "uq_purchases_one_pending_course",
            "user_id",
            "course_id",
            unique=True,
            postgresql_where=text("status = 'pending' AND course_id IS NOT NULL"),
            sqlite_where=text("status = 'pending' AND course_id IS NOT NULL"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    # The video bought (ppv, rental); None for a course bundle, which names its course instead.
    video_id: Mapped[uuid.UUID | None] = mapped_column(index=True, default=None)
    # Course bundles only: the course (app/social) whose videos the purchase grants. No foreign
    # key: the books outlive a deleted course, as they outlive a deleted video.
    course_id: Mapped[uuid.UUID | None] = mapped_column(index=True, default=None)
    instructor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"), index=True)
    # The title of what was bought at the time (the video's, or the course's for a bundle).
    video_title: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[PurchaseKind] = mapped_column(
        Enum(PurchaseKind, name="purchase_kind", native_enum=False, length=20)
    )
    status: Mapped[PurchaseStatus] = mapped_column(
        Enum(PurchaseStatus, name="purchase_status", native_enum=False, length=30),
        default=PurchaseStatus.pending,
        index=True,
    )
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    rental_hours: Mapped[int | None] = mapped_column(default=None)
    platform_fee_bps: Mapped[int]
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    checkout_url: Mapped[str | None] = mapped_column(Text, default=None)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    charge_id: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    customer_id: Mapped[str | None] = mapped_column(String(255), default=None)
    stripe_fee_cents: Mapped[int | None] = mapped_column(default=None)
    amount_refunded_cents: Mapped[int] = mapped_column(default=0)
    paid_at: Mapped[datetime | None] = mapped_column(default=None)
    failed_at: Mapped[datetime | None] = mapped_column(default=None)
    failure_message: Mapped[str | None] = mapped_column(Text, default=None)
    expired_at: Mapped[datetime | None] = mapped_column(default=None)  # checkout.session.expired
    refunded_at: Mapped[datetime | None] = mapped_column(default=None)
    refund_requested_at: Mapped[datetime | None] = mapped_column(default=None)
    refund_id: Mapped[str | None] = mapped_column(String(255), default=None)
    # asked of Stripe, not yet confirmed by charge.refunded (one refund in flight at a time)
    refund_pending_cents: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    receipt_sent_at: Mapped[datetime | None] = mapped_column(default=None)

    @property
    def current_failure_message(self) -> str | None:
        """The decline of the attempt that matters now: none once paid (an earlier attempt's
        "card declined" stays recorded, but is no longer this purchase's state)."""
        return self.failure_message if self.paid_at is None else None


class SubscriptionInterval(enum.StrEnum):
    month = "month"
    year = "year"


class Subscription(IdMixin, TimestampMixin, Base):
    """The platform subscription of one user; `status` mirrors Stripe's, plus our own "pending"
    (checkout open) and "expired" (checkout abandoned or superseded)."""

    __tablename__ = "subscriptions"
    __table_args__ = (
        # One open subscription checkout per user: two tabs clicking "Subscribe" share it.
        Index(
            "uq_subscriptions_one_pending",
            "user_id",
            unique=True,
            postgresql_where=text("status = 'pending'"),
            sqlite_where=text("status = 'pending'"),
        ),
    )

    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    interval: Mapped[SubscriptionInterval] = mapped_column(
        Enum(SubscriptionInterval, name="subscription_interval", native_enum=False, length=10)
    )
    status: Mapped[str] = mapped_column(String(30), default="pending", index=True)
    amount_cents: Mapped[int | None] = mapped_column(default=None)
    currency: Mapped[str] = mapped_column(String(3))
    checkout_session_id: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    checkout_url: Mapped[str | None] = mapped_column(Text, default=None)
    stripe_subscription_id: Mapped[str | None] = mapped_column(String(255), unique=True, default=None)
    customer_id: Mapped[str | None] = mapped_column(String(255), default=None)
    current_period_end: Mapped[datetime | None] = mapped_column(default=None)
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False)
    canceled_at: Mapped[datetime | None] = mapped_column(default=None)
    # The snapshot applied last: (Stripe event `created`, status rank). Older snapshots are skipped.
    state_event_created: Mapped[int] = mapped_column(BigInteger, default=0)
    state_rank: Mapped[int] = mapped_column(default=0)


class Dispute(IdMixin, TimestampMixin, Base):
    __tablename__ = "disputes"

    stripe_dispute_id: Mapped[str] = mapped_column(String(255), unique=True)
    purchase_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("purchases.id", ondelete="SET NULL"), default=None, index=True
    )
    charge_id: Mapped[str | None] = mapped_column(String(255), default=None)
    payment_intent_id: Mapped[str | None] = mapped_column(String(255), default=None, index=True)
    amount_cents: Mapped[int]
    currency: Mapped[str] = mapped_column(String(3))
    reason: Mapped[str | None] = mapped_column(String(60), default=None)
    status: Mapped[str] = mapped_column(String(40), index=True)
    evidence_due_by: Mapped[datetime | None] = mapped_column(default=None)
    opened_at: Mapped[datetime | None] = mapped_column(default=None)
    closed_at: Mapped[datetime | None] = mapped_column(default=None)
    admins_alerted_at: Mapped[datetime | None] = mapped_column(default=None)
    state_event_created: Mapped[int] = mapped_column(BigInteger, default=0)
    state_rank: Mapped[int] = mapped_column(default=0)


class LedgerEntryType(enum.StrEnum):
    sale = "sale"
    stripe_fee = "stripe_fee"  # posted when Stripe's fee becomes known
    refund = "refund"
    dispute_loss = "dispute_loss"


class LedgerEntry(IdMixin, Base):
    """Instructor earnings, append-only. Each row: gross = stripe_fee + platform_fee + net."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        UniqueConstraint("purchase_id", "entry_type", "ref", name="uq_ledger_entries_purchase_type_ref"),
        Index("ix_ledger_entries_instructor_occurred", "instructor_id", "occurred_at"),
    )

    instructor_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id"))
    purchase_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("purchases.id", ondelete="CASCADE"))
    entry_type: Mapped[LedgerEntryType] = mapped_column(
        Enum(LedgerEntryType, name="ledger_entry_type", native_enum=False, length=20)
    )
    ref: Mapped[str] = mapped_column(String(100), default="")
    currency: Mapped[str] = mapped_column(String(3))
    gross_cents: Mapped[int]
    stripe_fee_cents: Mapped[int] = mapped_column(default=0)
    platform_fee_cents: Mapped[int] = mapped_column(default=0)
    net_cents: Mapped[int]
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
