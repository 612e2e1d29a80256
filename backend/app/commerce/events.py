"""Applying stored Stripe events (worker side, synchronous).

`apply_stored_event(event_id)` is the body of the Celery task "default.commerce.apply_stripe_event".
It claims the event row (processed_at IS NULL → now) in the same transaction as the effect, so
a duplicate delivery, a replay or two workers racing on one event leave exactly one effect.

Concurrency: two workers may apply two events about one purchase (a partial and a full refund)
at the same moment. Every handler locks the row it changes (purchase, subscription, dispute:
SELECT ... FOR UPDATE, re-read under the lock) and keeps the lock until its transaction commits,
so the second handler starts from the first one's result. Rows that may not exist yet (a
dispute, a Stripe customer) are inserted with ON CONFLICT DO NOTHING and then locked.

Handlers never trust arrival order: each records the *state* an object is in (paid, amount
refunded so far, a dispute's status, a subscription's status and period end) and derives
purchase status and access from the accumulated state. Snapshots of subscriptions and disputes
carry the event's `created` time; an older snapshot than the one applied is skipped. An event
about a payment we cannot link yet (e.g. charge.refunded before checkout.session.completed) is
left "deferred" and re-applied when the purchase is linked (or by the periodic retry).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import structlog
from sqlalchemy import Select, func, select, update
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import service as auth_service
from app.commerce import ledger
from app.commerce.gateway import is_sandbox, retrieve_charge_fee
from app.commerce.models import (
    Dispute,
    LedgerEntry,
    LedgerEntryType,
    Purchase,
    PurchaseKind,
    PurchaseStatus,
    StripeCustomer,
    StripeEvent,
    Subscription,
    SubscriptionInterval,
    insert_ignoring_conflicts,
)
from app.commerce.money import format_amount
from app.core.clock import utcnow
from app.core.config import get_settings
from app.core.email import EmailTemplate, render_email, task_payload
from app.core.i18n import catalogue, t
from app.db.session import sync_session
from app.entitlements import service as entitlements
from app.entitlements.models import EntitlementKind, EntitlementStatus, SourceType
from app.notifications.service import notify
from app.social import course_items
from app.webhooks import service as webhooks
from app.worker.dispatch import enqueue

log = structlog.get_logger(__name__)
RowT = TypeVar("RowT")

APPLY_TASK = "default.commerce.apply_stripe_event"
MAX_DEFERRED_ATTEMPTS = 12

SUBSCRIPTION_GRANTING = {"active", "trialing", "past_due"}
# Our own statuses before Stripe knows the subscription: checkout open / checkout abandoned.
SUBSCRIPTION_PENDING = "pending"
SUBSCRIPTION_CHECKOUT_EXPIRED = "expired"
_SUBSCRIPTION_RANK = {
    "incomplete": 0,
    "trialing": 1,
    "active": 1,
    "past_due": 2,
    "paused": 3,
    "unpaid": 3,
    "incomplete_expired": 4,
    "canceled": 5,
}
DISPUTE_CLOSED = {"won", "lost", "warning_closed"}
DISPUTE_RESTORES = {"won", "warning_closed"}


@dataclass
class Effects:
    """What to do after the transaction commits."""

    emails: list[dict[str, object]] = field(default_factory=list)
    reapply: list[str] = field(default_factory=list)


@dataclass
class Ctx:
    event_id: str
    type: str
    created: int
    effects: Effects

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.created, UTC) if self.created else utcnow()


# --------------------------------------------------------------------------- the task body


def apply_stored_event(event_id: str) -> str:
    effects = Effects()
    try:
        with sync_session() as s:
            outcome = _apply_in(s, event_id, effects)
    except Exception as exc:
        _record_failure(event_id, exc)
        raise
    for message in effects.emails:
        enqueue("default.send_email", message)
    for other in dict.fromkeys(effects.reapply):
        if other != event_id:
            enqueue(APPLY_TASK, other)
    return outcome


def _apply_in(s: Session, event_id: str, effects: Effects) -> str:
    now = utcnow()
    claimed = s.execute(
        update(StripeEvent)
        .where(StripeEvent.event_id == event_id, StripeEvent.processed_at.is_(None))
        .values(processed_at=now, attempts=StripeEvent.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    if int(getattr(claimed, "rowcount", 0) or 0) != 1:
        return (
            "duplicate"
            if s.scalar(select(StripeEvent.id).where(StripeEvent.event_id == event_id))
            else "missing"
        )
    row = s.scalar(select(StripeEvent).where(StripeEvent.event_id == event_id))
    assert row is not None
    s.refresh(row)
    obj = (row.payload.get("data") or {}).get("object") or {}
    ctx = Ctx(event_id=row.event_id, type=row.type, created=row.event_created, effects=effects)
    handler = HANDLERS.get(row.type)
    outcome = handler(s, obj, ctx) if handler else "ignored"
    if outcome == "deferred":
        if row.attempts >= MAX_DEFERRED_ATTEMPTS:
            outcome = "unmatched"
        else:
            row.processed_at = None
    row.outcome = outcome
    row.last_error = None
    log.info("stripe_event_applied", event_id=row.event_id, type=row.type, outcome=outcome)
    return outcome


def _record_failure(event_id: str, exc: Exception) -> None:
    try:
        with sync_session() as s:
            s.execute(
                update(StripeEvent)
                .where(StripeEvent.event_id == event_id)
                .values(attempts=StripeEvent.attempts + 1, last_error=f"{type(exc).__name__}: {exc}"[:2000])
            )
    except Exception:  # the original error matters more
        log.exception("stripe_event_failure_not_recorded", event_id=event_id)
    log.warning("stripe_event_failed", event_id=event_id, error_type=type(exc).__name__)


def retry_unprocessed(older_than: timedelta | None = None) -> int:
    """The reaper: re-enqueue events stored but not processed (lost task, deferred, failed)."""
    settings = get_settings()
    cutoff = utcnow() - (older_than or timedelta(minutes=settings.commerce_event_retry_minutes))
    with sync_session() as s:
        ids = list(
            s.scalars(
                select(StripeEvent.event_id)
                .where(StripeEvent.processed_at.is_(None), StripeEvent.received_at < cutoff)
                .order_by(StripeEvent.event_created)
                .limit(500)
            )
        )
    for event_id in ids:
        enqueue(APPLY_TASK, event_id)
    return len(ids)


# --------------------------------------------------------------------------- helpers


def _id_of(value: Any) -> str | None:
    if isinstance(value, dict):
        return str(value["id"]) if value.get("id") else None
    return str(value) if value else None


def _uuid(value: Any) -> uuid.UUID | None:
    try:
        return uuid.UUID(str(value)) if value else None
    except ValueError:
        return None


def _ts(value: Any) -> datetime | None:
    return datetime.fromtimestamp(int(value), UTC) if isinstance(value, int | float) and value else None


def _deferred_for(s: Session, ref: str | None, ctx: Ctx) -> None:
    if not ref:
        return
    ids = s.scalars(
        select(StripeEvent.event_id).where(
            StripeEvent.related_ref == ref,
            StripeEvent.processed_at.is_(None),
            StripeEvent.event_id != ctx.event_id,
        )
    )
    ctx.effects.reapply.extend(ids)


def _locked(s: Session, stmt: Select[RowT]) -> RowT | None:
    """The row, locked until the transaction ends and re-read under the lock (the identity map
    may hold an older copy)."""
    return s.scalar(stmt.with_for_update().execution_options(populate_existing=True))


def _remember_customer(s: Session, user_id: uuid.UUID, customer_id: str | None) -> None:
    """Insert-or-ignore: two purchases of one buyer paid at once both try to remember them."""
    if not customer_id:
        return
    s.execute(insert_ignoring_conflicts(s, StripeCustomer).values(user_id=user_id, customer_id=customer_id))


# --------------------------------------------------------------------------- mails
# Every mail is written in its recipient's language (it/en) from app/locales, by render_email,
# which escapes whatever a user or an instructor typed (names, titles).

RECEIPT_PURCHASE = EmailTemplate("email.receipt", before=("greeting", "purchase", "order"))
RECEIPT_RENTAL = EmailTemplate("email.receipt", before=("greeting", "rental", "order"))
PAYMENT_FAILED = EmailTemplate("email.payment_failed", before=("greeting", "intro", "retry"))
REFUND_PARTIAL = EmailTemplate("email.refund", before=("greeting", "intro"))
REFUND_FULL = EmailTemplate("email.refund", before=("greeting", "intro", "access_ended"))
SUBSCRIPTION_RECEIPT = EmailTemplate("email.subscription_receipt", before=("greeting", "intro"))
SUBSCRIPTION_RECEIPT_UNTIL = EmailTemplate(
    "email.subscription_receipt", before=("greeting", "intro", "until")
)
SUBSCRIPTION_FAILED = EmailTemplate("email.subscription_failed", before=("greeting", "intro", "action"))
DISPUTE_ALERT = EmailTemplate("email.dispute_alert", before=("intro", "suspended", "respond"))


@dataclass(frozen=True)
class Recipient:
    email: str
    name: str
    language: str


def _email(ctx: Ctx, to: Recipient, template: EmailTemplate, **params: object) -> None:
    message = render_email(template, to.language, to=to.email, link=None, name=to.name, **params)
    ctx.effects.emails.append(task_payload(message))


def _recipient(s: Session, user_id: uuid.UUID) -> Recipient | None:
    user = auth_service.get_users(s, [user_id]).get(user_id)
    return Recipient(user.email, user.display_name, user.language) if user else None


def _title(p: Purchase, lang: str) -> str:
    return p.video_title or t("email.untitled_video", lang)


def _coded(group: str, code: object, lang: str, fallback: str) -> str:
    """The catalogue's text for a provider's code (a decline or dispute reason), else `fallback`."""
    key = f"{group}.{code}"
    return t(key, lang) if code and catalogue().has(key) else fallback


# --------------------------------------------------------------------------- purchases


def _purchase_by_ref(
    s: Session, *, metadata: dict[str, Any] | None = None, **refs: str | None
) -> Purchase | None:
    """The purchase an event is about, locked for the rest of the handler."""
    purchase_id = _uuid((metadata or {}).get("mamc_purchase_id"))
    if purchase_id is not None:
        found = _locked(s, select(Purchase).where(Purchase.id == purchase_id))
        if found is not None:
            return found
    for column, value in refs.items():
        if value:
            found = _locked(s, select(Purchase).where(getattr(Purchase, column) == value))
            if found is not None:
                return found
    return None


def _link_payment_intent(s: Session, p: Purchase, pi_id: str | None, ctx: Ctx) -> None:
    if pi_id and p.payment_intent_id is None:
        p.payment_intent_id = pi_id
        s.flush()
        _deferred_for(s, pi_id, ctx)


def _reversed_total(s: Session, p: Purchase) -> int:
    total = s.scalar(
        select(func.coalesce(func.sum(LedgerEntry.gross_cents), 0)).where(
            LedgerEntry.purchase_id == p.id,
            LedgerEntry.entry_type.in_([LedgerEntryType.refund, LedgerEntryType.dispute_loss]),
        )
    )
    return -int(total or 0)


def _sale_gross(s: Session, p: Purchase) -> int | None:
    return s.scalar(
        select(LedgerEntry.gross_cents).where(
            LedgerEntry.purchase_id == p.id, LedgerEntry.entry_type == LedgerEntryType.sale
        )
    )


def _post(
    s: Session, p: Purchase, kind: LedgerEntryType, ref: str, amounts: ledger.Amounts, at: datetime
) -> None:
    exists = s.scalar(
        select(LedgerEntry.id).where(
            LedgerEntry.purchase_id == p.id, LedgerEntry.entry_type == kind, LedgerEntry.ref == ref
        )
    )
    if exists is not None:
        return
    s.add(
        LedgerEntry(
            instructor_id=p.instructor_id,
            purchase_id=p.id,
            entry_type=kind,
            ref=ref,
            currency=p.currency,
            gross_cents=amounts.gross_cents,
            stripe_fee_cents=amounts.stripe_fee_cents,
            platform_fee_cents=amounts.platform_fee_cents,
            net_cents=amounts.net_cents,
            occurred_at=at,
        )
    )
    s.flush()


def _sync_reversals(s: Session, p: Purchase, kind: LedgerEntryType, at: datetime) -> bool:
    """Post what is reversed but not yet in the ledger; True when an entry was posted."""
    gross = _sale_gross(s, p)
    if gross is None:
        return False
    lost = s.scalar(
        select(func.coalesce(func.sum(Dispute.amount_cents), 0)).where(
            Dispute.purchase_id == p.id, Dispute.status == "lost"
        )
    )
    target = p.amount_refunded_cents + int(lost or 0)
    before = _reversed_total(s, p)
    entry = ledger.reversal(gross, p.platform_fee_bps, before, target)
    if entry is None:
        return False
    _post(s, p, kind, str(min(target, gross)), entry, at)
    return True


def _record_fee(s: Session, p: Purchase, fee: int | None, at: datetime) -> None:
    if fee is None or p.stripe_fee_cents is not None:
        return
    p.stripe_fee_cents = fee
    if _sale_gross(s, p) is not None:
        _post(s, p, LedgerEntryType.stripe_fee, "", ledger.stripe_fee(fee), at)


def _mark_paid(
    s: Session, p: Purchase, ctx: Ctx, *, pi_id: str | None, customer: str | None, amount: int | None
) -> None:
    _link_payment_intent(s, p, pi_id, ctx)
    if customer:
        p.customer_id = p.customer_id or customer
        _remember_customer(s, p.user_id, customer)
    if p.paid_at is None:
        if amount is not None and amount >= 0:
            p.amount_cents = amount  # what was actually paid (promotion codes lower it)
        p.paid_at = ctx.at
        _post(s, p, LedgerEntryType.sale, "", ledger.sale(p.amount_cents, p.platform_fee_bps), ctx.at)
        if p.stripe_fee_cents is not None:
            _post(s, p, LedgerEntryType.stripe_fee, "", ledger.stripe_fee(p.stripe_fee_cents), ctx.at)
        _sync_reversals(s, p, LedgerEntryType.refund, ctx.at)
        _announce_sale(s, p)
    if p.receipt_sent_at is None:
        p.receipt_sent_at = utcnow()
        to = _recipient(s, p.user_id)
        if to:
            rental = p.kind == PurchaseKind.rental and bool(p.rental_hours)
            _email(
                ctx,
                to,
                RECEIPT_RENTAL if rental else RECEIPT_PURCHASE,
                title=_title(p, to.language),
                amount=format_amount(p.amount_cents, p.currency, to.language),
                count=p.rental_hours,
                order=p.id,
            )


# --- issue 17: notifications and outbound webhooks, in the transaction that records the money ---


def _announce_sale(s: Session, p: Purchase) -> None:
    """A purchase was paid (once: under the purchase's lock, when paid_at is first set): the
    instructor is notified and their webhooks get `purchase.paid` (no buyer data in it)."""
    seller = _recipient(s, p.instructor_id)
    buyer = _recipient(s, p.user_id)
    if seller:
        notify(
            s,
            user_id=p.instructor_id,
            kind="sale",
            params={
                "buyer": buyer.name if buyer else "",
                "title": _title(p, seller.language),
                "amount": format_amount(p.amount_cents, p.currency, seller.language),
            },
            link="/studio/earnings",
        )
    webhooks.emit(
        s,
        event_type="purchase.paid",
        owner_id=p.instructor_id,
        data={
            "purchase_id": str(p.id),
            "video_id": str(p.video_id) if p.video_id else None,
            "course_id": str(p.course_id) if p.course_id else None,
            "kind": p.kind.value,
            "amount_cents": p.amount_cents,
            "currency": p.currency,
            "paid_at": p.paid_at.isoformat() if p.paid_at else None,
        },
    )


def _announce_refund(s: Session, p: Purchase) -> None:
    """More of a purchase was refunded: the buyer and the instructor are notified."""
    for user_id, link in ((p.user_id, "/library"), (p.instructor_id, "/studio/earnings")):
        to = _recipient(s, user_id)
        if to:
            amount = format_amount(min(p.amount_refunded_cents, p.amount_cents), p.currency, to.language)
            notify(
                s,
                user_id=user_id,
                kind="refund",
                params={"title": _title(p, to.language), "amount": amount},
                link=link,
            )


def recompute_purchase(s: Session, p: Purchase) -> None:
    """Purchase status and the buyer's access, derived from the facts recorded so far."""
    disputes = list(s.scalars(select(Dispute).where(Dispute.purchase_id == p.id)))
    lost = any(d.status == "lost" for d in disputes)
    open_dispute = any(d.status not in DISPUTE_CLOSED for d in disputes)
    fully_refunded = p.amount_refunded_cents >= p.amount_cents > 0 or (
        p.amount_cents == 0 and p.refunded_at is not None
    )
    access: EntitlementStatus | None = None
    reason: str | None = None
    if p.paid_at is None:
        if p.expired_at is not None:
            p.status = PurchaseStatus.expired
        else:
            p.status = PurchaseStatus.failed if p.failed_at else PurchaseStatus.pending
    elif lost:
        p.status, access, reason = PurchaseStatus.dispute_lost, EntitlementStatus.revoked, "dispute_lost"
    elif fully_refunded:
        p.status, access, reason = PurchaseStatus.refunded, EntitlementStatus.revoked, "refunded"
    elif open_dispute:
        p.status, access = PurchaseStatus.disputed, EntitlementStatus.suspended
    elif p.amount_refunded_cents > 0:
        p.status, access = PurchaseStatus.partially_refunded, EntitlementStatus.active
    else:
        p.status, access = PurchaseStatus.paid, EntitlementStatus.active
    if access is None:
        return
    if p.kind == PurchaseKind.course:
        _grant_course_videos(s, p, access)
    else:
        entitlements.grant(
            s,
            user_id=p.user_id,
            video_id=p.video_id,
            kind=EntitlementKind.rental if p.kind == PurchaseKind.rental else EntitlementKind.ppv,
            source_type=SourceType.purchase,
            source_id=p.id,
            rental_hours=p.rental_hours,
        )
    entitlements.set_source_state(s, SourceType.purchase, p.id, access, reason=reason)


def _grant_course_videos(s: Session, p: Purchase, access: EntitlementStatus) -> None:
    """A course bundle's rights: one "watch forever" right per video of the course, keyed by
    (purchase, video). The videos are the course's at the time this runs: at payment, and again
    whenever the instructor adds videos (social.courses.set_videos → extend_course_purchases),
    so buyers get later additions too. A video taken out of the course stays the buyer's (rows
    are never deleted). A revoked purchase (refunded, dispute lost) gains no new rights."""
    if access == EntitlementStatus.revoked or p.course_id is None:
        return
    for video_id in course_items.video_ids_of(s, p.course_id):
        entitlements.grant(
            s,
            user_id=p.user_id,
            video_id=video_id,
            kind=EntitlementKind.ppv,
            source_type=SourceType.purchase,
            source_id=p.id,
            source_item=str(video_id),
            status=access,
        )


def extend_course_purchases(s: Session, course_id: uuid.UUID) -> int:
    """The course's videos changed (call it in the transaction that changed them): every paid
    purchase of the course gets rights to the videos it lacks, in the purchase's current state.

    Every purchase of the course is locked first, pending ones too: a payment being applied
    right now either committed before (and is seen paid here) or waits for this transaction and
    then reads the new videos. Returns the number of paid purchases brought up to date."""
    rows = list(
        s.scalars(
            select(Purchase)
            .where(Purchase.course_id == course_id, Purchase.kind == PurchaseKind.course)
            .order_by(Purchase.id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    )
    paid = [p for p in rows if p.paid_at is not None]
    for p in paid:
        recompute_purchase(s, p)
    return len(paid)


# --------------------------------------------------------------------------- handlers


def on_checkout_completed(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    metadata = obj.get("metadata") or {}
    if obj.get("mode") == "subscription":
        sub = _subscription_row(s, obj.get("subscription"), metadata, checkout_session_id=obj.get("id"))
        if sub is None:
            return "unmatched"
        sub.customer_id = sub.customer_id or _id_of(obj.get("customer"))
        _remember_customer(s, sub.user_id, _id_of(obj.get("customer")))
        _link_subscription(s, sub, _id_of(obj.get("subscription")), ctx)
        if isinstance(obj.get("subscription"), dict):
            _apply_subscription_snapshot(s, sub, obj["subscription"], ctx)
        return "applied"
    p = _purchase_by_ref(s, metadata=metadata, checkout_session_id=obj.get("id"))
    if p is None:
        return "unmatched"
    pi_id = _id_of(obj.get("payment_intent"))
    if obj.get("payment_status") in ("paid", "no_payment_required"):
        _mark_paid(
            s, p, ctx, pi_id=pi_id, customer=_id_of(obj.get("customer")), amount=obj.get("amount_total")
        )
    else:
        _link_payment_intent(s, p, pi_id, ctx)
    recompute_purchase(s, p)
    return "applied"


def on_checkout_expired(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    """The buyer never paid within the session's lifetime (24 h, or an expire call). The purchase
    ends "expired" and is never reused: the next checkout opens a new purchase and session. A
    pending subscription row ends "expired" too (never shown as the user's subscription)."""
    metadata = obj.get("metadata") or {}
    if obj.get("mode") == "subscription":
        sub = _subscription_row(s, obj.get("subscription"), metadata, checkout_session_id=obj.get("id"))
        if sub is None:
            return "unmatched"
        if sub.status != SUBSCRIPTION_PENDING or sub.checkout_session_id != obj.get("id"):
            return "stale"
        sub.status = SUBSCRIPTION_CHECKOUT_EXPIRED
        sub.checkout_url = None
        return "applied"
    p = _purchase_by_ref(s, metadata=metadata, checkout_session_id=obj.get("id"))
    if p is None:
        return "unmatched"
    if p.paid_at is not None:
        return "stale"  # paid through this session after all: nothing expired
    if p.expired_at is None:
        p.expired_at = ctx.at
    recompute_purchase(s, p)
    return "applied"


def _charge_fee(charge: Any) -> tuple[str | None, int | None]:
    """(charge id, fee) from a charge that may be an id or an expanded object."""
    if isinstance(charge, dict):
        txn = charge.get("balance_transaction")
        fee = txn.get("fee") if isinstance(txn, dict) else None
        return _id_of(charge), int(fee) if isinstance(fee, int) else None
    return _id_of(charge), None


def on_payment_intent_succeeded(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    p = _purchase_by_ref(s, metadata=obj.get("metadata"), payment_intent_id=obj.get("id"))
    if p is None:
        return "ignored"  # not one of our checkouts (e.g. a subscription invoice's payment)
    charge_id, fee = _charge_fee(obj.get("latest_charge"))
    if charge_id and p.charge_id is None:
        p.charge_id = charge_id
    if fee is None and charge_id and not is_sandbox():
        fee = retrieve_charge_fee(charge_id)
    _mark_paid(
        s,
        p,
        ctx,
        pi_id=obj.get("id"),
        customer=_id_of(obj.get("customer")),
        amount=obj.get("amount_received"),
    )
    _record_fee(s, p, fee, ctx.at)
    recompute_purchase(s, p)
    return "applied"


def on_payment_intent_failed(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    p = _purchase_by_ref(s, metadata=obj.get("metadata"), payment_intent_id=obj.get("id"))
    if p is None:
        return "ignored"
    _link_payment_intent(s, p, obj.get("id"), ctx)
    if p.paid_at is not None:
        return "stale"  # a later attempt succeeded
    error = obj.get("last_payment_error") or {}
    p.failed_at = ctx.at
    p.failure_message = str(error.get("message") or "The payment was declined.")[:500]
    recompute_purchase(s, p)
    to = _recipient(s, p.user_id)
    if to:
        # Stripe's message is English: the mail names the decline by its code instead.
        reason = _coded("email.payment_failed.reasons", error.get("decline_code"), to.language, "")
        reason = reason or _coded(
            "email.payment_failed.reasons",
            error.get("code"),
            to.language,
            t("email.payment_failed.reasons.default", to.language),
        )
        _email(
            ctx,
            to,
            PAYMENT_FAILED,
            title=_title(p, to.language),
            amount=format_amount(p.amount_cents, p.currency, to.language),
            reason=reason,
        )
    return "applied"


def on_charge_refunded(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    pi_id = _id_of(obj.get("payment_intent"))
    p = _purchase_by_ref(s, metadata=obj.get("metadata"), payment_intent_id=pi_id, charge_id=obj.get("id"))
    if p is None:
        return "deferred"
    if p.charge_id is None:
        p.charge_id = obj.get("id")
    refunded = int(obj.get("amount_refunded") or 0)
    before = p.amount_refunded_cents
    if refunded > p.amount_refunded_cents:
        p.amount_refunded_cents = refunded
    if obj.get("refunded") and p.refunded_at is None:
        p.refunded_at = ctx.at
        if p.amount_refunded_cents < p.amount_cents:
            p.amount_refunded_cents = p.amount_cents
    # what an admin asked for is now (partly) confirmed; a full refund leaves nothing in flight
    confirmed = p.amount_refunded_cents - before
    p.refund_pending_cents = (
        0 if p.amount_refunded_cents >= p.amount_cents else max(0, p.refund_pending_cents - confirmed)
    )
    if p.paid_at is None:
        return "deferred"  # refund known before the payment: apply once the payment is recorded
    refunded_now = _sync_reversals(s, p, LedgerEntryType.refund, ctx.at)
    recompute_purchase(s, p)
    to = _recipient(s, p.user_id) if refunded_now else None
    if refunded_now:
        _announce_refund(s, p)
    if to:
        full = p.amount_refunded_cents >= p.amount_cents
        _email(
            ctx,
            to,
            REFUND_FULL if full else REFUND_PARTIAL,
            title=_title(p, to.language),
            amount=format_amount(min(p.amount_refunded_cents, p.amount_cents), p.currency, to.language),
            order=p.id,
        )
    return "applied"


def on_dispute(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    dispute_id = obj.get("id")
    if not dispute_id:
        return "ignored"
    status = str(obj.get("status") or "needs_response")
    rank = 1 if status in DISPUTE_CLOSED else 0
    s.execute(  # created.../updated... for a new dispute may arrive at once: one row, then lock it
        insert_ignoring_conflicts(s, Dispute, "stripe_dispute_id").values(
            stripe_dispute_id=dispute_id,
            amount_cents=int(obj.get("amount") or 0),
            currency=str(obj.get("currency") or "usd"),
            status=status,
            opened_at=_ts(obj.get("created")) or ctx.at,
            state_event_created=0,
            state_rank=0,
        )
    )
    d = _locked(s, select(Dispute).where(Dispute.stripe_dispute_id == dispute_id))
    assert d is not None
    d.charge_id = d.charge_id or _id_of(obj.get("charge"))
    d.payment_intent_id = d.payment_intent_id or _id_of(obj.get("payment_intent"))
    stale = (ctx.created, rank) < (d.state_event_created, d.state_rank)
    if not stale:
        d.status = status
        d.reason = obj.get("reason")
        d.amount_cents = int(obj.get("amount") or d.amount_cents)
        evidence = obj.get("evidence_details") or {}
        d.evidence_due_by = _ts(evidence.get("due_by")) or d.evidence_due_by
        d.closed_at = (d.closed_at or ctx.at) if status in DISPUTE_CLOSED else None
        d.state_event_created, d.state_rank = ctx.created, rank
    s.flush()
    p = _locked(s, select(Purchase).where(Purchase.id == d.purchase_id)) if d.purchase_id else None
    if p is None:
        p = _purchase_by_ref(s, payment_intent_id=d.payment_intent_id, charge_id=d.charge_id)
        if p is None:
            return "deferred"
        d.purchase_id = p.id
        s.flush()
    if d.status not in DISPUTE_CLOSED and d.admins_alerted_at is None:
        _alert_admins(s, d, p, ctx)
    if d.status == "lost":
        _sync_reversals(s, p, LedgerEntryType.dispute_loss, ctx.at)
    recompute_purchase(s, p)
    return "stale" if stale else "applied"


def _alert_admins(s: Session, d: Dispute, p: Purchase, ctx: Ctx) -> None:
    d.admins_alerted_at = utcnow()
    audit.record(
        s,
        actor_id=None,
        action="payment.dispute_opened",
        subject_type="purchase",
        subject_id=p.id,
        reason=d.reason,
        data={"dispute": d.stripe_dispute_id, "amount_cents": d.amount_cents, "currency": d.currency},
    )
    recipients = {a.email: Recipient(a.email, a.display_name, a.language) for a in auth_service.admins(s)}
    for address in get_settings().commerce_alert_emails:  # no account, so no language: English
        recipients.setdefault(address, Recipient(address, address, "en"))
    for to in recipients.values():
        lang = to.language
        due = (
            t("email.dispute_alert.due", lang, due=d.evidence_due_by)
            if d.evidence_due_by
            else t("email.dispute_alert.due_unknown", lang)
        )
        reason = d.reason or "none"
        _email(
            ctx,
            to,
            DISPUTE_ALERT,
            dispute=d.stripe_dispute_id,
            reason=_coded("email.dispute_alert.reasons", reason, lang, reason),
            amount=format_amount(d.amount_cents, d.currency, lang),
            order=p.id,
            title=_title(p, lang),
            due=due,
        )
    log.warning("payment_dispute_opened", dispute=d.stripe_dispute_id, purchase_id=str(p.id))


# --------------------------------------------------------------------------- subscriptions


def _subscription_row(
    s: Session, stripe_sub: Any, metadata: dict[str, Any], *, checkout_session_id: str | None = None
) -> Subscription | None:
    """The subscription an event is about, locked for the rest of the handler."""
    stripe_id = _id_of(stripe_sub)
    if stripe_id:
        found = _locked(s, select(Subscription).where(Subscription.stripe_subscription_id == stripe_id))
        if found is not None:
            return found
    own_id = _uuid(metadata.get("mamc_subscription_id"))
    if own_id is not None:
        found = _locked(s, select(Subscription).where(Subscription.id == own_id))
        if found is not None:
            return found
    if checkout_session_id:
        found = _locked(
            s, select(Subscription).where(Subscription.checkout_session_id == checkout_session_id)
        )
        if found is not None:
            return found
    return None


def _link_subscription(s: Session, sub: Subscription, stripe_id: str | None, ctx: Ctx) -> None:
    if stripe_id and sub.stripe_subscription_id is None:
        sub.stripe_subscription_id = stripe_id
        s.flush()
        _deferred_for(s, stripe_id, ctx)


def _period_end(obj: dict[str, Any]) -> datetime | None:
    end = obj.get("current_period_end")
    if not end:  # API versions from 2025-03-31 keep the period on the items
        items = ((obj.get("items") or {}).get("data")) or []
        ends = [i.get("current_period_end") for i in items if i.get("current_period_end")]
        end = max(ends) if ends else None
    return _ts(end)


def _sync_subscription_access(s: Session, sub: Subscription) -> None:
    if sub.status in SUBSCRIPTION_GRANTING:
        entitlements.grant(
            s,
            user_id=sub.user_id,
            video_id=None,
            kind=EntitlementKind.subscription,
            source_type=SourceType.subscription,
            source_id=sub.id,
            expires_at=sub.current_period_end,
        )
        entitlements.set_source_state(
            s,
            SourceType.subscription,
            sub.id,
            EntitlementStatus.active,
            expires_at=sub.current_period_end,
            update_expiry=True,
        )
    else:
        entitlements.set_source_state(
            s, SourceType.subscription, sub.id, EntitlementStatus.revoked, reason=f"subscription_{sub.status}"
        )


def _apply_subscription_snapshot(s: Session, sub: Subscription, obj: dict[str, Any], ctx: Ctx) -> bool:
    status = str(obj.get("status") or "incomplete")
    rank = _SUBSCRIPTION_RANK.get(status, 0)
    if (ctx.created, rank) < (sub.state_event_created, sub.state_rank):
        return False
    sub.status = status
    sub.current_period_end = _period_end(obj) or sub.current_period_end
    sub.cancel_at_period_end = bool(obj.get("cancel_at_period_end"))
    sub.canceled_at = _ts(obj.get("canceled_at")) or (ctx.at if status == "canceled" else None)
    items = ((obj.get("items") or {}).get("data")) or []
    price = (items[0].get("price") or {}) if items else {}
    interval = (price.get("recurring") or {}).get("interval")
    if interval in ("month", "year"):
        sub.interval = SubscriptionInterval(interval)
    if isinstance(price.get("unit_amount"), int):
        sub.amount_cents = price["unit_amount"]
    sub.state_event_created, sub.state_rank = ctx.created, rank
    _sync_subscription_access(s, sub)
    return True


def on_subscription(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    metadata = obj.get("metadata") or {}
    sub = _subscription_row(s, obj.get("id"), metadata)
    if sub is None:
        user_id = _uuid(metadata.get("mamc_user_id"))
        customer = _id_of(obj.get("customer"))
        if user_id is None and customer:
            user_id = s.scalar(select(StripeCustomer.user_id).where(StripeCustomer.customer_id == customer))
        stripe_id = _id_of(obj.get("id"))
        if user_id is None or stripe_id is None:
            return "unmatched"
        s.execute(  # created outside our checkout; its events may arrive at once: one row
            insert_ignoring_conflicts(s, Subscription, "stripe_subscription_id").values(
                user_id=user_id,
                interval=SubscriptionInterval.month,
                status=SUBSCRIPTION_PENDING,
                state_event_created=0,
                state_rank=0,
                currency=str(obj.get("currency") or get_settings().commerce_subscription_currency),
                stripe_subscription_id=stripe_id,
            )
        )
        sub = _locked(s, select(Subscription).where(Subscription.stripe_subscription_id == stripe_id))
        assert sub is not None
        _deferred_for(s, stripe_id, ctx)
    sub.customer_id = sub.customer_id or _id_of(obj.get("customer"))
    _link_subscription(s, sub, obj.get("id"), ctx)
    return "applied" if _apply_subscription_snapshot(s, sub, obj, ctx) else "stale"


def _invoice_subscription_id(obj: dict[str, Any]) -> str | None:
    found = _id_of(obj.get("subscription"))
    if found:
        return found
    details = ((obj.get("parent") or {}).get("subscription_details")) or {}
    return _id_of(details.get("subscription"))


def _invoice_period_end(obj: dict[str, Any]) -> datetime | None:
    lines = ((obj.get("lines") or {}).get("data")) or []
    ends = [int(e) for line in lines if (e := (line.get("period") or {}).get("end"))]
    return _ts(max(ends)) if ends else None


def on_invoice_paid(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    stripe_id = _invoice_subscription_id(obj)
    if not stripe_id:
        return "ignored"
    sub = _subscription_row(s, stripe_id, (obj.get("subscription_details") or {}).get("metadata") or {})
    if sub is None:
        return "deferred"
    end = _invoice_period_end(obj)
    if end and (sub.current_period_end is None or end > sub.current_period_end):
        sub.current_period_end = end
        if sub.status in SUBSCRIPTION_GRANTING:
            _sync_subscription_access(s, sub)
    to = _recipient(s, sub.user_id)
    amount = int(obj.get("amount_paid") or 0)
    if to and amount > 0:
        _email(
            ctx,
            to,
            SUBSCRIPTION_RECEIPT_UNTIL if end else SUBSCRIPTION_RECEIPT,
            amount=format_amount(amount, str(obj.get("currency") or sub.currency), to.language),
            interval=t(f"email.subscription_receipt.interval.{sub.interval.value}", to.language),
            invoice=obj.get("number") or obj.get("id"),
            until=end,
        )
    return "applied"


def on_invoice_failed(s: Session, obj: dict[str, Any], ctx: Ctx) -> str:
    stripe_id = _invoice_subscription_id(obj)
    if not stripe_id:
        return "ignored"
    sub = _subscription_row(s, stripe_id, {})
    if sub is None:
        return "deferred"
    to = _recipient(s, sub.user_id)
    if to:
        amount = int(obj.get("amount_due") or 0)
        _email(
            ctx,
            to,
            SUBSCRIPTION_FAILED,
            amount=format_amount(amount, str(obj.get("currency") or sub.currency), to.language),
        )
    return "applied"


HANDLERS: dict[str, Callable[[Session, dict[str, Any], Ctx], str]] = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.async_payment_succeeded": on_checkout_completed,
    "checkout.session.expired": on_checkout_expired,
    "payment_intent.succeeded": on_payment_intent_succeeded,
    "payment_intent.payment_failed": on_payment_intent_failed,
    "customer.subscription.created": on_subscription,
    "customer.subscription.updated": on_subscription,
    "customer.subscription.deleted": on_subscription,
    "invoice.paid": on_invoice_paid,
    "invoice.payment_failed": on_invoice_failed,
    "charge.refunded": on_charge_refunded,
    "charge.dispute.created": on_dispute,
    "charge.dispute.updated": on_dispute,
    "charge.dispute.closed": on_dispute,
}


def related_ref(event_type: str, obj: dict[str, Any]) -> str | None:
    """The payment intent / subscription an event is about (to re-apply deferred events)."""
    if event_type.startswith("payment_intent."):
        return _id_of(obj.get("id"))
    if event_type.startswith("charge."):
        return _id_of(obj.get("payment_intent")) or _id_of(obj.get("charge")) or _id_of(obj.get("id"))
    if event_type.startswith("customer.subscription."):
        return _id_of(obj.get("id"))
    if event_type.startswith("invoice."):
        return _invoice_subscription_id(obj)
    if event_type.startswith("checkout.session."):
        return _id_of(obj.get("payment_intent")) or _id_of(obj.get("subscription"))
    return None
