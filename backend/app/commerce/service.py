"""Commerce rules on the API side: checkout, billing portal, refunds, admin access decisions,
payments/disputes lists and instructor earnings. Takes a session and plain arguments.

Stripe is the source of truth for money (we only record what its events say); our
`entitlements` table is the source of truth for access. Events are applied by workers
(app/commerce/events.py); this module never changes money state on its own.
"""

from __future__ import annotations

import asyncio
import csv
import io
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Literal, TypeVar
from urllib.parse import urlsplit

import structlog
from sqlalchemy import Select, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth import service as auth_service
from app.auth.models import User
from app.commerce import gateway, sandbox
from app.commerce.events import SUBSCRIPTION_CHECKOUT_EXPIRED, SUBSCRIPTION_GRANTING, SUBSCRIPTION_PENDING
from app.commerce.models import (
    Dispute,
    LedgerEntry,
    LedgerEntryType,
    Purchase,
    PurchaseKind,
    PurchaseStatus,
    StripeCustomer,
    Subscription,
    SubscriptionInterval,
    insert_ignoring_conflicts,
)
from app.commerce.pricing import normalise_currency, validate_price
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.pagination import apply_cursor, page_of
from app.entitlements import service as entitlements
from app.entitlements.models import Entitlement, EntitlementKind, SourceType
from app.media import service as media_service
from app.social import course_items

log = structlog.get_logger(__name__)

CheckoutKind = Literal["ppv", "rental", "subscription", "course"]
CHECKOUT_REUSE_WINDOW = timedelta(hours=23)  # Stripe Checkout Sessions live 24 h
PendingRow = TypeVar("PendingRow", Purchase, Subscription)


@dataclass(frozen=True)
class CheckoutResult:
    checkout_session_id: str
    url: str
    purchase_id: uuid.UUID | None
    subscription_id: uuid.UUID | None
    reused: bool


def _url(settings: Settings, path: str) -> str:
    return settings.app_base_url.rstrip("/") + path


def _success_url(settings: Settings) -> str:
    path = settings.commerce_checkout_success_path
    sep = "&" if "?" in path else "?"
    return _url(settings, f"{path}{sep}session_id={{CHECKOUT_SESSION_ID}}")


def _redirects(settings: Settings, return_url: str | None) -> tuple[str, str]:
    """(success_url, cancel_url) for a Checkout Session: the web client's pages, or an app's
    return URL when its scheme://host/path is allow-listed (commerce_app_return_urls)."""
    if return_url is None:
        return _success_url(settings), _url(settings, settings.commerce_checkout_cancel_path)
    parts = urlsplit(return_url)
    base = f"{parts.scheme}://{parts.netloc}{parts.path}"
    if parts.fragment or "@" in parts.netloc or base not in settings.commerce_app_return_urls:
        raise ValidationFailed("This return address is not allowed.", code="return_url_not_allowed")
    sep = "&" if parts.query else "?"
    return (
        f"{return_url}{sep}checkout=success&session_id={{CHECKOUT_SESSION_ID}}",
        f"{return_url}{sep}checkout=cancelled",
    )


def _sandbox_session_id(row_id: uuid.UUID) -> str:
    """One session per row, as Stripe answers one per idempotency key."""
    return f"cs_test_sandbox_{row_id.hex}"


async def _customer_id(session: AsyncSession, user_id: uuid.UUID) -> str | None:
    return await session.scalar(select(StripeCustomer.customer_id).where(StripeCustomer.user_id == user_id))


async def _open_session(
    session: AsyncSession, settings: Settings, params: dict[str, Any], row_id: uuid.UUID, idempotency_key: str
) -> tuple[str, str]:
    """(session id, URL) of the row's Checkout Session. Asking again for the same row (a tab
    that lost the race to open it) gets the same session back."""
    if gateway.is_sandbox(settings):
        sid = _sandbox_session_id(row_id)
        return sid, sandbox.checkout_page_url(
            settings, sid, success_url=params["success_url"], cancel_url=params["cancel_url"]
        )
    created = await asyncio.to_thread(
        gateway.create_checkout_session, params, idempotency_key=idempotency_key
    )
    return str(created["id"]), str(created["url"])


async def _customer_params(session: AsyncSession, user: User, mode: str) -> dict[str, Any]:
    customer = await _customer_id(session, user.id)
    if customer:
        return {"customer": customer}
    params: dict[str, Any] = {"customer_email": user.email}
    if mode == "payment":
        params["customer_creation"] = "always"  # so the buyer gets a Customer (receipts, portal)
    return params


async def create_checkout(
    session: AsyncSession,
    *,
    user: User,
    kind: CheckoutKind,
    video_id: uuid.UUID | None = None,
    interval: SubscriptionInterval | None = None,
    settings: Settings | None = None,
    return_url: str | None = None,
    course_id: uuid.UUID | None = None,
) -> CheckoutResult:
    """Open (or reuse) a Stripe Checkout Session for a PPV/rental of one video, a course bundle
    or a subscription.
    A reused session keeps the return address it was opened with (Stripe cannot change it)."""
    settings = settings or get_settings()
    redirects = _redirects(settings, return_url)
    if kind == "subscription":
        return await _subscription_checkout(
            session, settings, user, interval or SubscriptionInterval.month, redirects
        )
    if kind == "course":
        if course_id is None:
            raise ValidationFailed("Choose a course to buy.", code="course_required")
        return await _course_checkout(session, settings, user, course_id, redirects)
    if video_id is None:
        raise ValidationFailed("Choose a video to buy.", code="video_required")
    return await _video_checkout(session, settings, user, kind, video_id, redirects)


async def _video_checkout(
    session: AsyncSession,
    settings: Settings,
    user: User,
    kind: CheckoutKind,
    video_id: uuid.UUID,
    redirects: tuple[str, str],
) -> CheckoutResult:
    video = await media_service.get_video_summary(session, video_id)
    if video.status != "published":
        raise NotFound("No such video.", code="video_not_found")
    if video.owner_id == user.id:
        raise Conflict("This is your own video.", code="own_video")
    price = video.price_cents if kind == "ppv" else video.rental_price_cents
    if price is None:
        raise ValidationFailed(f"This video is not offered as {kind}.", code="not_for_sale")
    currency = normalise_currency(video.currency)
    validate_price(currency, price, settings)
    decision = await entitlements.may_play(
        session,
        user=user,
        video=entitlements.PlayableVideo.of(video),
        start_playback=False,
    )
    if decision.allowed and decision.reason in ("ppv", "manual", "admin", "free", "owner"):
        raise Conflict("You can already watch this video.", code="already_owned")
    if decision.allowed and decision.reason == "rental" and kind == "rental":
        raise Conflict("You are already renting this video.", code="already_rented")
    rental_hours = (
        (video.rental_hours or settings.commerce_default_rental_hours) if kind == "rental" else None
    )
    purchase = await _pending_purchase(
        session,
        user_id=user.id,
        kind=PurchaseKind(kind),
        price=price,
        currency=currency,
        rental_hours=rental_hours,
        settings=settings,
        instructor_id=video.owner_id,
        title=video.title,
        video_id=video.id,
    )
    label = "Rental" if kind == "rental" else "Purchase"
    description = f"{label}" + (
        f" ({purchase.rental_hours} hours from first play)" if purchase.rental_hours else " (watch forever)"
    )
    return await _purchase_session(
        session, settings, user, purchase, redirects, description, {"mamc_video_id": str(video.id)}
    )


async def _course_checkout(
    session: AsyncSession,
    settings: Settings,
    user: User,
    course_id: uuid.UUID,
    redirects: tuple[str, str],
) -> CheckoutResult:
    """A course bundle: one payment at the course's price, granting every video of the course
    (see events.recompute_purchase). Videos the buyer already has do not lower the price."""

    offer = await course_items.bundle_offer(session, course_id)
    if offer.owner_id == user.id:
        raise Conflict("This is your own course.", code="own_course")
    currency = normalise_currency(offer.currency)
    validate_price(currency, offer.price_cents, settings)
    if await owns_course(session, user_id=user.id, course_id=course_id):
        raise Conflict("You already bought this course.", code="course_owned")
    purchase = await _pending_purchase(
        session,
        user_id=user.id,
        kind=PurchaseKind.course,
        price=offer.price_cents,
        currency=currency,
        rental_hours=None,
        settings=settings,
        instructor_id=offer.owner_id,
        title=offer.title,
        course_id=offer.course_id,
    )
    return await _purchase_session(
        session,
        settings,
        user,
        purchase,
        redirects,
        f"Course: {offer.video_count} videos (watch forever, and the videos added later)",
        {"mamc_course_id": str(offer.course_id)},
    )


async def _purchase_session(
    session: AsyncSession,
    settings: Settings,
    user: User,
    purchase: Purchase,
    redirects: tuple[str, str],
    description: str,
    item_metadata: dict[str, str],
) -> CheckoutResult:
    """The Checkout Session of a pending purchase (a video or a course): reused if open."""
    if purchase.checkout_session_id and purchase.checkout_url:
        return CheckoutResult(purchase.checkout_session_id, purchase.checkout_url, purchase.id, None, True)
    metadata = {
        "mamc_kind": "purchase",
        "mamc_purchase_id": str(purchase.id),
        "mamc_user_id": str(user.id),
        **item_metadata,
    }
    params: dict[str, Any] = {
        "mode": "payment",
        "line_items": [
            {
                "quantity": 1,
                "price_data": {
                    "currency": purchase.currency,
                    "unit_amount": purchase.amount_cents,
                    "product_data": {
                        "name": purchase.video_title,
                        "description": description,
                        "metadata": item_metadata,
                    },
                },
            }
        ],
        "success_url": redirects[0],
        "cancel_url": redirects[1],
        "client_reference_id": str(purchase.id),
        "metadata": metadata,
        "payment_intent_data": {"metadata": metadata},
        "allow_promotion_codes": True,
        **(await _customer_params(session, user, "payment")),
    }
    sid, url = await _open_session(session, settings, params, purchase.id, f"mamc-checkout-{purchase.id}")
    purchase.checkout_session_id, purchase.checkout_url = sid, url
    await session.commit()
    log.info(
        "checkout_opened",
        purchase_id=str(purchase.id),
        kind=purchase.kind.value,
        sandbox=gateway.is_sandbox(settings),
    )
    return CheckoutResult(sid, url, purchase.id, None, False)


async def owns_course(session: AsyncSession, *, user_id: uuid.UUID, course_id: uuid.UUID) -> bool:
    """The user has a paid purchase of the course whose rights still stand (paid, partly
    refunded, or under an open dispute)."""
    found = await session.scalar(
        select(Purchase.id)
        .where(
            Purchase.user_id == user_id,
            Purchase.course_id == course_id,
            Purchase.kind == PurchaseKind.course,
            Purchase.status.in_(
                [PurchaseStatus.paid, PurchaseStatus.partially_refunded, PurchaseStatus.disputed]
            ),
        )
        .limit(1)
    )
    return found is not None


async def _close_superseded_session(settings: Settings, session_id: str | None) -> None:
    """Expire a superseded checkout's Stripe session, so it cannot be paid besides the new one
    (best effort: it may have completed or expired meanwhile; its events then tell the truth)."""
    if not session_id or gateway.is_sandbox(settings):
        return
    try:
        await asyncio.to_thread(gateway.expire_checkout_session, session_id)
    except gateway.PaymentProviderError:
        log.warning("checkout_superseded_session_not_expired", checkout_session_id=session_id)


def _still_open(created_at: datetime) -> bool:
    return created_at > utcnow() - CHECKOUT_REUSE_WINDOW


async def _pending_purchase(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    kind: PurchaseKind,
    price: int,
    currency: str,
    rental_hours: int | None,
    settings: Settings,
    instructor_id: uuid.UUID,
    title: str,
    video_id: uuid.UUID | None = None,
    course_id: uuid.UUID | None = None,
) -> Purchase:
    """The buyer's one pending purchase of this video (or course) and kind (a unique index
    allows no other).

    A pending purchase on the same terms opened less than CHECKOUT_REUSE_WINDOW ago is reused; an
    older one, or one at another price, is superseded (it ends "expired"). Of two requests racing
    to insert, the one that loses gets the winner's row, and with it the winner's session (the
    session is requested with the purchase's own idempotency key)."""
    what = Purchase.course_id == course_id if course_id is not None else Purchase.video_id == video_id
    pending = select(Purchase).where(
        Purchase.user_id == user_id,
        what,
        Purchase.kind == kind,
        Purchase.status == PurchaseStatus.pending,
    )
    current = await session.scalar(pending)
    if current is not None:
        if current.amount_cents == price and current.currency == currency and _still_open(current.created_at):
            return current
        current.expired_at = utcnow()
        current.status = PurchaseStatus.expired
        await session.commit()
        await _close_superseded_session(settings, current.checkout_session_id)
    return await _insert_or_join(
        session,
        pending,
        Purchase,
        user_id=user_id,
        video_id=video_id,
        course_id=course_id,
        instructor_id=instructor_id,
        video_title=title[:200],
        kind=kind,
        status=PurchaseStatus.pending,
        amount_cents=price,
        currency=currency,
        rental_hours=rental_hours,
        platform_fee_bps=settings.commerce_platform_fee_bps,
    )


async def _insert_or_join(
    session: AsyncSession, pending: Select[PendingRow], model: type[PendingRow], **values: Any
) -> PendingRow:
    """Insert the pending row unless a concurrent request just did (ON CONFLICT DO NOTHING
    against the partial unique index), and return whichever row is the pending one now."""
    inserted = await session.scalar(
        insert_ignoring_conflicts(session, model).values(**values).returning(model.id)
    )
    await session.commit()  # the row exists before Stripe can call back
    winner = await session.scalar(pending.execution_options(populate_existing=True))
    if winner is None:  # paid or expired in the instant between: let the buyer try again
        raise Conflict("Your checkout changed meanwhile; please try again.", code="checkout_changed")
    if inserted is None:
        log.info("checkout_race_lost", table=model.__tablename__, row_id=str(winner.id))
    return winner


@dataclass(frozen=True)
class Plans:
    currency: str
    monthly_cents: int
    yearly_cents: int


def plans(settings: Settings) -> Plans:
    """The subscription's public prices (in the site's currency: see Settings)."""
    return Plans(
        currency=normalise_currency(settings.commerce_subscription_currency),
        monthly_cents=settings.commerce_subscription_monthly_cents,
        yearly_cents=settings.commerce_subscription_yearly_cents,
    )


def _plan(settings: Settings, interval: SubscriptionInterval) -> tuple[str, int]:
    if interval == SubscriptionInterval.year:
        return settings.stripe_price_yearly, settings.commerce_subscription_yearly_cents
    return settings.stripe_price_monthly, settings.commerce_subscription_monthly_cents


async def _subscription_checkout(
    session: AsyncSession,
    settings: Settings,
    user: User,
    interval: SubscriptionInterval,
    redirects: tuple[str, str],
) -> CheckoutResult:
    current = await current_subscription(session, user.id)
    if current is not None and current.status in SUBSCRIPTION_GRANTING:
        raise Conflict("You already have an active subscription.", code="already_subscribed")
    price_id, amount = _plan(settings, interval)
    sub = await _pending_subscription(
        session,
        user_id=user.id,
        interval=interval,
        amount=amount,
        currency=normalise_currency(settings.commerce_subscription_currency),
        settings=settings,
    )
    if sub.checkout_session_id and sub.checkout_url:
        return CheckoutResult(sub.checkout_session_id, sub.checkout_url, None, sub.id, True)
    metadata = {
        "mamc_kind": "subscription",
        "mamc_subscription_id": str(sub.id),
        "mamc_user_id": str(user.id),
    }
    line_item: dict[str, Any] = (
        {"price": price_id, "quantity": 1}
        if price_id
        else {
            "quantity": 1,
            "price_data": {
                "currency": sub.currency,
                "unit_amount": sub.amount_cents,
                "recurring": {"interval": sub.interval.value},
                "product_data": {"name": f"Martial Arts Media Center — {sub.interval.value}ly subscription"},
            },
        }
    )
    params: dict[str, Any] = {
        "mode": "subscription",
        "line_items": [line_item],
        "success_url": redirects[0],
        "cancel_url": redirects[1],
        "client_reference_id": str(sub.id),
        "metadata": metadata,
        "subscription_data": {"metadata": metadata},
        "allow_promotion_codes": True,
        **(await _customer_params(session, user, "subscription")),
    }
    sid, url = await _open_session(session, settings, params, sub.id, f"mamc-subscribe-{sub.id}")
    sub.checkout_session_id, sub.checkout_url = sid, url
    await session.commit()
    return CheckoutResult(sid, url, None, sub.id, False)


async def _pending_subscription(
    session: AsyncSession,
    *,
    user_id: uuid.UUID,
    interval: SubscriptionInterval,
    amount: int,
    currency: str,
    settings: Settings,
) -> Subscription:
    """The user's one pending subscription checkout (a unique index allows no other): reused
    when it is for the same plan and still open, superseded ("expired") otherwise; the loser of
    a race to insert gets the winner's row and session, as for purchases."""
    pending = select(Subscription).where(
        Subscription.user_id == user_id, Subscription.status == SUBSCRIPTION_PENDING
    )
    current = await session.scalar(pending)
    if current is not None:
        if (
            current.interval == interval
            and current.amount_cents == amount
            and current.currency == currency
            and _still_open(current.created_at)
        ):
            return current
        current.status = SUBSCRIPTION_CHECKOUT_EXPIRED
        current.checkout_url = None
        await session.commit()
        await _close_superseded_session(settings, current.checkout_session_id)
    return await _insert_or_join(
        session,
        pending,
        Subscription,
        user_id=user_id,
        interval=interval,
        status=SUBSCRIPTION_PENDING,
        amount_cents=amount,
        currency=currency,
    )


async def current_subscription(session: AsyncSession, user_id: uuid.UUID) -> Subscription | None:
    """The user's most relevant subscription: a granting one, else the newest non-pending."""
    rows = (
        await session.scalars(
            select(Subscription)
            .where(
                Subscription.user_id == user_id,
                Subscription.status.not_in([SUBSCRIPTION_PENDING, SUBSCRIPTION_CHECKOUT_EXPIRED]),
            )
            .order_by(Subscription.id.desc())
        )
    ).all()
    for row in rows:
        if row.status in SUBSCRIPTION_GRANTING:
            return row
    return rows[0] if rows else None


async def create_portal_session(
    session: AsyncSession, *, user: User, settings: Settings | None = None
) -> str:
    """A Stripe Customer Portal URL where the user manages cards, invoices and cancellation."""
    settings = settings or get_settings()
    customer = await _customer_id(session, user.id)
    if customer is None:
        raise NotFound("You have no billing account yet.", code="no_billing_account")
    if gateway.is_sandbox(settings):
        from app.commerce import sandbox

        return _url(settings, f"/api/v1/sandbox/portal/{customer}?token={sandbox.portal_token(customer)}")
    minute = utcnow().strftime("%Y%m%d%H%M")
    created = await asyncio.to_thread(
        gateway.create_portal_session,
        customer,
        _url(settings, "/account/billing"),
        idempotency_key=f"mamc-portal-{user.id}-{minute}",
    )
    return str(created["url"])


# --------------------------------------------------------------------------- admin


async def get_purchase(session: AsyncSession, purchase_id: uuid.UUID) -> Purchase:
    found = await session.get(Purchase, purchase_id)
    if found is None:
        raise NotFound("No such payment.", code="payment_not_found")
    return found


async def refund_purchase(
    session: AsyncSession,
    *,
    admin: User,
    purchase_id: uuid.UUID,
    reason: str,
    amount_cents: int | None = None,
    settings: Settings | None = None,
) -> Purchase:
    """Refund `amount_cents` of a purchase (None: all that is left) through Stripe. One refund is
    in flight at a time: asking again before Stripe confirms repeats that refund (same
    idempotency key, audited once) and a different amount is refused. Access and the ledger
    change when Stripe's charge.refunded event is applied."""
    settings = settings or get_settings()
    p = await get_purchase(session, purchase_id)
    await session.refresh(p, with_for_update=True)  # two admins clicking at once: one decides
    if p.paid_at is None or p.payment_intent_id is None:
        raise Conflict("This payment was not completed; there is nothing to refund.", code="not_paid")
    if p.status in (PurchaseStatus.refunded, PurchaseStatus.dispute_lost):
        await session.commit()
        return p
    if p.status == PurchaseStatus.disputed:
        raise Conflict("A dispute is open on this payment; answer it in Stripe instead.", code="disputed")
    left = p.amount_cents - p.amount_refunded_cents
    if p.refund_pending_cents > 0:
        if amount_cents not in (None, p.refund_pending_cents):
            raise Conflict(
                "A refund of this payment is still being processed; wait for it to complete.",
                code="refund_in_progress",
            )
        amount = p.refund_pending_cents
    else:
        amount = left if amount_cents is None else amount_cents
        if not 0 < amount <= left:
            raise ValidationFailed(
                "The refund must be more than zero and at most what is left of the payment.",
                code="invalid_refund_amount",
                details={"max_cents": left},
            )
        p.refund_pending_cents = amount
        p.refund_requested_at = utcnow()
        audit.record(
            session,
            actor_id=admin.id,
            action="payment.refund",
            subject_type="purchase",
            subject_id=p.id,
            reason=reason,
            data={"amount_cents": amount, "currency": p.currency, "partial": amount < left},
        )
    target = p.amount_refunded_cents + amount  # what Stripe will have refunded in total
    await session.commit()
    metadata = {"mamc_purchase_id": str(p.id), "mamc_admin_id": str(admin.id)}
    if gateway.is_sandbox(settings):
        from app.commerce import sandbox

        refund_id = await sandbox.refund(session, p, amount)
    else:
        try:
            refund = await asyncio.to_thread(
                gateway.create_refund,
                p.payment_intent_id,
                amount=amount,
                idempotency_key=f"mamc-refund-{p.id}-{target}",
                metadata=metadata,
            )
        except gateway.PaymentProviderError as exc:
            if exc.code == "payment_provider_rejected":  # refused for good: nothing is in flight
                await _clear_pending_refund(session, purchase_id, amount)
            raise  # unavailable: the refund stays pending and asking again repeats it
        refund_id = str(refund["id"])
    p = await get_purchase(session, purchase_id)
    await session.refresh(p)
    if p.refund_id != refund_id:
        p.refund_id = refund_id
        await session.commit()
    return p


async def _clear_pending_refund(session: AsyncSession, purchase_id: uuid.UUID, amount: int) -> None:
    p = await get_purchase(session, purchase_id)
    await session.refresh(p, with_for_update=True)
    if p.refund_pending_cents == amount:
        p.refund_pending_cents = 0
    await session.commit()


@dataclass(frozen=True)
class Buyer:
    name: str
    email: str


async def buyers_of(session: AsyncSession, purchases: Sequence[Purchase]) -> dict[uuid.UUID, Buyer]:
    """Who bought, for the admin's payment list (an erased account has no entry)."""
    ids = {p.user_id for p in purchases}
    if not ids:
        return {}
    rows = await session.execute(select(User.id, User.display_name, User.email).where(User.id.in_(ids)))
    return {uid: Buyer(name, email) for uid, name, email in rows.all()}


async def admin_grant(
    session: AsyncSession,
    *,
    admin: User,
    user_id: uuid.UUID,
    video_id: uuid.UUID,
    reason: str,
    expires_at: datetime | None = None,
) -> Entitlement:
    await auth_service.get_user(session, user_id)
    await media_service.get_video_summary(session, video_id)
    if expires_at is not None and expires_at <= utcnow():
        raise ValidationFailed("The end of the grant must be in the future.", code="invalid_expiry")
    ent = await session.run_sync(
        entitlements.grant,
        user_id=user_id,
        video_id=video_id,
        kind=EntitlementKind.manual,
        source_type=SourceType.admin,
        expires_at=expires_at,
    )
    audit.record(
        session,
        actor_id=admin.id,
        action="entitlement.grant",
        subject_type="entitlement",
        subject_id=ent.id,
        reason=reason,
        data={
            "user_id": str(user_id),
            "video_id": str(video_id),
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    await session.commit()
    return ent


async def admin_revoke(
    session: AsyncSession, *, admin: User, entitlement_id: uuid.UUID, reason: str
) -> Entitlement:
    ent = await session.run_sync(entitlements.revoke, entitlement_id, reason=f"admin: {reason}")
    audit.record(
        session,
        actor_id=admin.id,
        action="entitlement.revoke",
        subject_type="entitlement",
        subject_id=ent.id,
        reason=reason,
        data={"user_id": str(ent.user_id), "video_id": str(ent.video_id) if ent.video_id else None},
    )
    await session.commit()
    return ent


async def list_entitlements(
    session: AsyncSession, *, user_id: uuid.UUID, limit: int, cursor: str | None
) -> tuple[list[Entitlement], str | None]:
    return await entitlements.list_for_user(
        session, user_id, limit=limit, cursor=cursor, include_inactive=True
    )


async def list_payments(
    session: AsyncSession,
    *,
    limit: int,
    cursor: str | None,
    status: PurchaseStatus | None = None,
    kind: PurchaseKind | None = None,
    user_id: uuid.UUID | None = None,
    video_id: uuid.UUID | None = None,
    instructor_id: uuid.UUID | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
    course_id: uuid.UUID | None = None,
) -> tuple[list[Purchase], str | None]:
    stmt: Select[Any] = select(Purchase)
    if status:
        stmt = stmt.where(Purchase.status == status)
    if kind:
        stmt = stmt.where(Purchase.kind == kind)
    if user_id:
        stmt = stmt.where(Purchase.user_id == user_id)
    if video_id:
        stmt = stmt.where(Purchase.video_id == video_id)
    if course_id:
        stmt = stmt.where(Purchase.course_id == course_id)
    if instructor_id:
        stmt = stmt.where(Purchase.instructor_id == instructor_id)
    if created_from:
        stmt = stmt.where(Purchase.created_at >= created_from)
    if created_to:
        stmt = stmt.where(Purchase.created_at < created_to)
    rows = (await session.scalars(apply_cursor(stmt, Purchase.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def list_disputes(
    session: AsyncSession, *, limit: int, cursor: str | None, status: str | None, open_only: bool
) -> tuple[list[Dispute], str | None]:
    stmt: Select[Any] = select(Dispute)
    if status:
        stmt = stmt.where(Dispute.status == status)
    if open_only:
        stmt = stmt.where(Dispute.status.not_in(["won", "lost", "warning_closed"]))
    rows = (await session.scalars(apply_cursor(stmt, Dispute.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


# --------------------------------------------------------------------------- buyers


async def list_my_purchases(
    session: AsyncSession, *, user: User, limit: int, cursor: str | None
) -> tuple[list[Purchase], str | None]:
    stmt = select(Purchase).where(Purchase.user_id == user.id)
    rows = (await session.scalars(apply_cursor(stmt, Purchase.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def get_my_purchase(session: AsyncSession, *, user: User, purchase_id: uuid.UUID) -> Purchase:
    """A buyer's own purchase; someone else's is indistinguishable from a missing one (404)."""
    found = await session.get(Purchase, purchase_id)
    if found is None or found.user_id != user.id:
        raise NotFound("No such purchase.", code="purchase_not_found")
    return found


# --------------------------------------------------------------------------- earnings


def month_bounds(month: str) -> tuple[datetime, datetime]:
    """[first instant, first instant of the next month) of a YYYY-MM month, in UTC."""
    try:
        first = datetime.strptime(month, "%Y-%m").replace(tzinfo=UTC)
        nxt = (
            first.replace(year=first.year + 1, month=1)
            if first.month == 12
            else first.replace(month=first.month + 1)
        )
    except ValueError as exc:  # not a month, or the last one the calendar holds (9999-12)
        raise ValidationFailed("month must be a month such as 2026-11.", code="invalid_month") from exc
    return first, nxt


def current_month() -> str:
    """This month in UTC (the ledger's timestamps are UTC)."""
    return utcnow().strftime("%Y-%m")


async def list_ledger(
    session: AsyncSession,
    *,
    instructor_id: uuid.UUID,
    limit: int,
    cursor: str | None,
    month: str | None = None,
) -> tuple[list[LedgerEntry], str | None]:
    stmt: Select[Any] = select(LedgerEntry).where(LedgerEntry.instructor_id == instructor_id)
    if month:
        start, end = month_bounds(month)
        stmt = stmt.where(LedgerEntry.occurred_at >= start, LedgerEntry.occurred_at < end)
    rows = (await session.scalars(apply_cursor(stmt, LedgerEntry.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


@dataclass(frozen=True)
class VideoEarnings:
    """One video's (or, for course bundles, one course's: a bundle is one sale, not split per
    video) month."""

    video_id: uuid.UUID | None
    course_id: uuid.UUID | None
    video_title: str
    currency: str
    sales: int
    refunds: int
    gross_cents: int
    fees_cents: int
    net_cents: int


def _count_of(entry_type: LedgerEntryType) -> Any:
    return func.sum(case((LedgerEntry.entry_type == entry_type, 1), else_=0))


async def earnings_by_video(
    session: AsyncSession, *, instructor_id: uuid.UUID, month: str
) -> list[VideoEarnings]:
    """One instructor's month per video and currency (the ledger joined to its purchases), best first."""
    start, end = month_bounds(month)
    stmt = (
        select(
            Purchase.video_id,
            Purchase.course_id,
            func.max(Purchase.video_title),
            LedgerEntry.currency,
            _count_of(LedgerEntryType.sale),
            _count_of(LedgerEntryType.refund),
            func.sum(LedgerEntry.gross_cents),
            func.sum(LedgerEntry.stripe_fee_cents + LedgerEntry.platform_fee_cents),
            func.sum(LedgerEntry.net_cents),
        )
        .join(Purchase, Purchase.id == LedgerEntry.purchase_id)
        .where(
            LedgerEntry.instructor_id == instructor_id,
            LedgerEntry.occurred_at >= start,
            LedgerEntry.occurred_at < end,
        )
        .group_by(Purchase.video_id, Purchase.course_id, LedgerEntry.currency)
        .order_by(func.sum(LedgerEntry.net_cents).desc())
    )
    return [
        VideoEarnings(
            vid,
            cid,
            title or "",
            cur,
            int(sales or 0),
            int(refunds or 0),
            int(g or 0),
            int(f or 0),
            int(n or 0),
        )
        for vid, cid, title, cur, sales, refunds, g, f, n in (await session.execute(stmt)).all()
    ]


@dataclass(frozen=True)
class PayoutLine:
    instructor_id: uuid.UUID
    instructor_name: str
    instructor_email: str
    currency: str
    sales: int
    gross_cents: int
    stripe_fee_cents: int
    platform_fee_cents: int
    net_cents: int


async def payout_report(
    session: AsyncSession, *, month: str, instructor_id: uuid.UUID | None = None
) -> list[PayoutLine]:
    """What each instructor earned in a month, per currency (sales minus refunds/losses/fees)."""
    start, end = month_bounds(month)
    stmt = (
        select(
            LedgerEntry.instructor_id,
            LedgerEntry.currency,
            func.sum(case((LedgerEntry.entry_type == LedgerEntryType.sale, 1), else_=0)),
            func.sum(LedgerEntry.gross_cents),
            func.sum(LedgerEntry.stripe_fee_cents),
            func.sum(LedgerEntry.platform_fee_cents),
            func.sum(LedgerEntry.net_cents),
        )
        .where(LedgerEntry.occurred_at >= start, LedgerEntry.occurred_at < end)
        .group_by(LedgerEntry.instructor_id, LedgerEntry.currency)
        .order_by(LedgerEntry.instructor_id, LedgerEntry.currency)
    )
    if instructor_id:
        stmt = stmt.where(LedgerEntry.instructor_id == instructor_id)
    rows = (await session.execute(stmt)).all()
    users = await session.run_sync(auth_service.get_users, [r[0] for r in rows])
    lines = []
    for iid, currency, sales, gross, sfee, pfee, net in rows:
        user = users.get(iid)
        lines.append(
            PayoutLine(
                instructor_id=iid,
                instructor_name=user.display_name if user else "",
                instructor_email=user.email if user else "",
                currency=currency,
                sales=int(sales or 0),
                gross_cents=int(gross or 0),
                stripe_fee_cents=int(sfee or 0),
                platform_fee_cents=int(pfee or 0),
                net_cents=int(net or 0),
            )
        )
    return lines


def payout_csv(month: str, lines: Sequence[PayoutLine]) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(
        [
            "month",
            "instructor_id",
            "instructor_name",
            "instructor_email",
            "currency",
            "sales",
            "gross_cents",
            "stripe_fee_cents",
            "platform_fee_cents",
            "net_cents",
        ]
    )
    for line in lines:
        writer.writerow(
            [
                month,
                line.instructor_id,
                _csv_safe(line.instructor_name),
                _csv_safe(line.instructor_email),
                line.currency.upper(),
                line.sales,
                line.gross_cents,
                line.stripe_fee_cents,
                line.platform_fee_cents,
                line.net_cents,
            ]
        )
    return out.getvalue()


def _csv_safe(value: str) -> str:
    """Defuse spreadsheet formulas in user-controlled cells."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """Purchases and subscriptions as a buyer; ledger rows as an instructor."""
    from app.db.export import rows

    def all_of(model: Any, column: Any) -> list[Any]:
        return list(session.scalars(select(model).where(column == user_id).order_by(model.id)))

    return {
        "purchases": rows(all_of(Purchase, Purchase.user_id), omit=("checkout_url",)),
        "subscriptions": rows(all_of(Subscription, Subscription.user_id)),
        "ledger_entries": rows(all_of(LedgerEntry, LedgerEntry.instructor_id)),
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Money rows are kept (the law requires the books) but point only at the anonymised user
    id: the Stripe customer link goes, and nothing in them names the person."""
    from sqlalchemy import delete, update

    session.execute(delete(StripeCustomer).where(StripeCustomer.user_id == user_id))
    session.execute(
        update(Purchase).where(Purchase.user_id == user_id).values(customer_id=None, checkout_url=None)
    )
    session.execute(update(Subscription).where(Subscription.user_id == user_id).values(customer_id=None))
