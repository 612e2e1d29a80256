from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from app.commerce.models import PurchaseKind, PurchaseStatus, SubscriptionInterval
from app.entitlements.models import EntitlementKind, EntitlementStatus, SourceType


class CheckoutRequest(BaseModel):
    kind: Literal["ppv", "rental", "subscription", "course"]
    video_id: uuid.UUID | None = None  # ppv and rental
    course_id: uuid.UUID | None = None  # course (a bundle of the course's videos)
    interval: SubscriptionInterval | None = None  # subscription only (default month)
    # where the payment page sends the buyer back (the mobile app's deep link); allow-listed
    return_url: str | None = Field(default=None, max_length=500)


class CheckoutOut(BaseModel):
    checkout_session_id: str
    url: str
    purchase_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    reused: bool


class SandboxCheckoutOut(BaseModel):
    """Development only: what the sandbox checkout page shows the buyer."""

    checkout_session_id: str
    kind: Literal["ppv", "rental", "subscription", "course"]
    title: str
    amount_cents: int
    currency: str
    rental_hours: int | None
    interval: SubscriptionInterval | None
    status: Literal["open", "paid", "failed", "expired"]
    cancel_url: str


class SandboxPayOut(BaseModel):
    redirect_url: str  # where Stripe Checkout would send the buyer next


class PortalOut(BaseModel):
    url: str


class WebhookAck(BaseModel):
    received: bool = True
    event_id: str
    duplicate: bool


class PlansOut(BaseModel):
    """The platform subscription's prices, public: visitors see every way to buy before logging in."""

    model_config = ConfigDict(from_attributes=True)

    currency: str  # ISO, lowercase like every commerce currency
    monthly_cents: int
    yearly_cents: int


class PurchaseOut(BaseModel):
    """What a buyer sees of their own purchase."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    video_id: uuid.UUID | None  # None for a course bundle
    course_id: uuid.UUID | None = None  # a course bundle's course
    video_title: str  # the title of what was bought: the video's, or the course's
    kind: PurchaseKind
    status: PurchaseStatus
    amount_cents: int
    currency: str
    rental_hours: int | None
    amount_refunded_cents: int
    paid_at: datetime | None
    refunded_at: datetime | None
    created_at: datetime


class PurchasePage(BaseModel):
    items: list[PurchaseOut]
    next_cursor: str | None


class AdminPaymentOut(PurchaseOut):
    user_id: uuid.UUID
    instructor_id: uuid.UUID
    platform_fee_bps: int
    stripe_fee_cents: int | None
    checkout_session_id: str | None
    payment_intent_id: str | None
    charge_id: str | None
    customer_id: str | None
    failure_message: str | None = Field(validation_alias="current_failure_message")
    refund_requested_at: datetime | None
    refund_id: str | None
    refund_pending_cents: int = 0  # asked of Stripe, not confirmed yet
    buyer_name: str | None = None  # None: the account was erased
    buyer_email: str | None = None


class AdminPaymentPage(BaseModel):
    items: list[AdminPaymentOut]
    next_cursor: str | None


class RefundRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)
    amount_cents: int | None = Field(default=None, gt=0, description="minor units; omitted: all that is left")


class DisputeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    stripe_dispute_id: str
    purchase_id: uuid.UUID | None
    payment_intent_id: str | None
    charge_id: str | None
    amount_cents: int
    currency: str
    reason: str | None
    status: str
    evidence_due_by: datetime | None
    opened_at: datetime | None
    closed_at: datetime | None


class DisputePage(BaseModel):
    items: list[DisputeOut]
    next_cursor: str | None


class SubscriptionOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    interval: SubscriptionInterval
    status: str
    amount_cents: int | None
    currency: str
    current_period_end: datetime | None
    cancel_at_period_end: bool
    canceled_at: datetime | None


class EntitlementOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    user_id: uuid.UUID
    video_id: uuid.UUID | None
    kind: EntitlementKind
    status: EntitlementStatus
    source_type: SourceType
    granted_at: datetime
    expires_at: datetime | None
    rental_hours: int | None
    first_played_at: datetime | None
    revoked_reason: str | None


class EntitlementPage(BaseModel):
    items: list[EntitlementOut]
    next_cursor: str | None


class GrantRequest(BaseModel):
    user_id: uuid.UUID
    video_id: uuid.UUID
    reason: str = Field(min_length=3, max_length=1000)
    expires_at: datetime | None = None


class RevokeRequest(BaseModel):
    reason: str = Field(min_length=3, max_length=1000)


class LedgerEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    purchase_id: uuid.UUID
    entry_type: str
    currency: str
    gross_cents: int
    stripe_fee_cents: int
    platform_fee_cents: int
    net_cents: int
    occurred_at: datetime


class VideoEarningsOut(BaseModel):
    """One video's month, or one course bundle's (a bundle's sale is not split per video)."""

    model_config = ConfigDict(from_attributes=True)

    video_id: uuid.UUID | None  # None for a course bundle
    course_id: uuid.UUID | None = None
    video_title: str
    currency: str
    sales: int
    refunds: int
    gross_cents: int
    fees_cents: int  # Stripe's and the platform's
    net_cents: int


class LedgerPage(BaseModel):
    items: list[LedgerEntryOut]
    next_cursor: str | None


class PayoutLineOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    instructor_id: uuid.UUID
    instructor_name: str
    instructor_email: str
    currency: str
    sales: int
    gross_cents: int
    stripe_fee_cents: int
    platform_fee_cents: int
    net_cents: int


class PayoutReport(BaseModel):
    month: str
    lines: list[PayoutLineOut]
