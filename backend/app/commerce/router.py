"""Commerce HTTP: checkout, billing portal, the Stripe webhook, buyers' purchases and library,
instructors' earnings, admin payments/refunds/disputes/access, and the embedded sandbox pages."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Header, Query, Request, Response, status
from fastapi.responses import HTMLResponse, RedirectResponse

from app.commerce import sandbox, service, webhooks
from app.commerce.models import Purchase, PurchaseKind, PurchaseStatus
from app.commerce.schemas import (
    AdminPaymentOut,
    AdminPaymentPage,
    CheckoutOut,
    CheckoutRequest,
    DisputeOut,
    DisputePage,
    EntitlementOut,
    EntitlementPage,
    GrantRequest,
    LedgerEntryOut,
    LedgerPage,
    PayoutLineOut,
    PayoutReport,
    PlansOut,
    PortalOut,
    PurchaseOut,
    PurchasePage,
    RefundRequest,
    RevokeRequest,
    SandboxCheckoutOut,
    SandboxPayOut,
    SubscriptionOut,
    VideoEarningsOut,
    WebhookAck,
)
from app.core import ratelimit
from app.core.errors import (
    Conflict,
    NotFound,
    RateLimited,
    ServiceUnavailable,
    ValidationFailed,
    error_responses,
)
from app.core.pagination import DEFAULT_LIMIT
from app.deps import (
    AdminUser,
    CurrentUser,
    CursorParam,
    InstructorUser,
    LimitParam,
    SessionDep,
    SettingsDep,
    VerifiedUser,
)
from app.entitlements import service as entitlements

router = APIRouter(tags=["commerce"])
admin_router = APIRouter(prefix="/admin", tags=["admin: payments"])
# Mounted only in development without STRIPE_SECRET_KEY (app/main.py, gateway.sandbox_enabled).
sandbox_router = APIRouter(prefix="/sandbox", tags=["sandbox payments (development only)"])

MonthParam = Annotated[
    str | None, Query(pattern=r"^\d{4}-\d{2}$", description="YYYY-MM (default: this month)")
]


# --------------------------------------------------------------------------- buyers


@router.post(
    "/checkout",
    response_model=CheckoutOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(NotFound, Conflict, ValidationFailed, RateLimited, ServiceUnavailable),
)
async def checkout(body: CheckoutRequest, user: VerifiedUser, session: SessionDep) -> CheckoutOut:
    await ratelimit.limit("checkout:user", str(user.id), 30, window_seconds=60)
    result = await service.create_checkout(
        session,
        user=user,
        kind=body.kind,
        video_id=body.video_id,
        course_id=body.course_id,
        interval=body.interval,
        return_url=body.return_url,
    )
    return CheckoutOut(
        checkout_session_id=result.checkout_session_id,
        url=result.url,
        purchase_id=result.purchase_id,
        subscription_id=result.subscription_id,
        reused=result.reused,
    )


@router.post(
    "/billing/portal", response_model=PortalOut, responses=error_responses(NotFound, ServiceUnavailable)
)
async def billing_portal(user: CurrentUser, session: SessionDep) -> PortalOut:
    return PortalOut(url=await service.create_portal_session(session, user=user))


@router.get("/me/purchases", response_model=PurchasePage)
async def my_purchases(
    user: CurrentUser, session: SessionDep, limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None
) -> PurchasePage:
    items, next_cursor = await service.list_my_purchases(session, user=user, limit=limit, cursor=cursor)
    return PurchasePage(items=[PurchaseOut.model_validate(p) for p in items], next_cursor=next_cursor)


@router.get("/me/purchases/{purchase_id}", response_model=PurchaseOut)
async def my_purchase(purchase_id: uuid.UUID, user: CurrentUser, session: SessionDep) -> PurchaseOut:
    return PurchaseOut.model_validate(
        await service.get_my_purchase(session, user=user, purchase_id=purchase_id)
    )


@router.get("/plans", response_model=PlansOut)
async def plans(settings: SettingsDep) -> PlansOut:
    return PlansOut.model_validate(service.plans(settings))


@router.get("/me/subscription", response_model=SubscriptionOut | None)
async def my_subscription(user: CurrentUser, session: SessionDep) -> SubscriptionOut | None:
    sub = await service.current_subscription(session, user.id)
    return SubscriptionOut.model_validate(sub) if sub else None


@router.get("/me/library", response_model=EntitlementPage)
async def my_library(
    user: CurrentUser, session: SessionDep, limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None
) -> EntitlementPage:
    items, next_cursor = await entitlements.list_for_user(session, user.id, limit=limit, cursor=cursor)
    return EntitlementPage(items=[EntitlementOut.model_validate(e) for e in items], next_cursor=next_cursor)


# --------------------------------------------------------------------------- Stripe


@router.post("/webhooks/stripe", response_model=WebhookAck, include_in_schema=False)
async def stripe_webhook(
    request: Request,
    session: SessionDep,
    stripe_signature: Annotated[str | None, Header(alias="Stripe-Signature")] = None,
) -> WebhookAck:
    payload = await request.body()
    result = await webhooks.ingest(session, payload, stripe_signature)
    return WebhookAck(event_id=result.event_id, duplicate=result.duplicate)


# --------------------------------------------------------------------------- instructors


@router.get("/earnings/ledger", response_model=LedgerPage)
async def my_ledger(
    user: InstructorUser,
    session: SessionDep,
    month: MonthParam = None,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> LedgerPage:
    items, next_cursor = await service.list_ledger(
        session, instructor_id=user.id, limit=limit, cursor=cursor, month=month
    )
    return LedgerPage(items=[LedgerEntryOut.model_validate(e) for e in items], next_cursor=next_cursor)


@router.get("/earnings/videos", response_model=list[VideoEarningsOut])
async def my_earnings_by_video(
    user: InstructorUser, session: SessionDep, month: MonthParam = None
) -> list[VideoEarningsOut]:
    rows = await service.earnings_by_video(
        session, instructor_id=user.id, month=month or service.current_month()
    )
    return [VideoEarningsOut.model_validate(r) for r in rows]


@router.get("/earnings/payouts", response_model=PayoutReport)
async def my_payouts(user: InstructorUser, session: SessionDep, month: MonthParam = None) -> PayoutReport:
    month = month or service.current_month()
    lines = await service.payout_report(session, month=month, instructor_id=user.id)
    return PayoutReport(month=month, lines=[PayoutLineOut.model_validate(line) for line in lines])


@router.get("/earnings/payouts.csv", response_class=Response)
async def my_payouts_csv(user: InstructorUser, session: SessionDep, month: MonthParam = None) -> Response:
    month = month or service.current_month()
    lines = await service.payout_report(session, month=month, instructor_id=user.id)
    return _csv(month, service.payout_csv(month, lines))


def _csv(month: str, body: str) -> Response:
    return Response(
        body,
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="payouts-{month}.csv"'},
    )


# --------------------------------------------------------------------------- admin


@admin_router.get("/payments", response_model=AdminPaymentPage)
async def admin_payments(
    _: AdminUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    status_: Annotated[PurchaseStatus | None, Query(alias="status")] = None,
    kind: PurchaseKind | None = None,
    user_id: uuid.UUID | None = None,
    video_id: uuid.UUID | None = None,
    course_id: uuid.UUID | None = None,
    instructor_id: uuid.UUID | None = None,
    created_from: datetime | None = None,
    created_to: datetime | None = None,
) -> AdminPaymentPage:
    items, next_cursor = await service.list_payments(
        session,
        limit=limit,
        cursor=cursor,
        status=status_,
        kind=kind,
        user_id=user_id,
        video_id=video_id,
        course_id=course_id,
        instructor_id=instructor_id,
        created_from=created_from,
        created_to=created_to,
    )
    buyers = await service.buyers_of(session, items)
    return AdminPaymentPage(items=[_payment_out(p, buyers) for p in items], next_cursor=next_cursor)


def _payment_out(p: Purchase, buyers: dict[uuid.UUID, service.Buyer]) -> AdminPaymentOut:
    buyer = buyers.get(p.user_id)
    out = AdminPaymentOut.model_validate(p)
    return out.model_copy(update={"buyer_name": buyer.name, "buyer_email": buyer.email}) if buyer else out


@admin_router.get("/payments/{purchase_id}", response_model=AdminPaymentOut)
async def admin_payment(purchase_id: uuid.UUID, _: AdminUser, session: SessionDep) -> AdminPaymentOut:
    p = await service.get_purchase(session, purchase_id)
    return _payment_out(p, await service.buyers_of(session, [p]))


@admin_router.post("/payments/{purchase_id}/refund", response_model=AdminPaymentOut)
async def admin_refund(
    purchase_id: uuid.UUID, body: RefundRequest, admin: AdminUser, session: SessionDep
) -> AdminPaymentOut:
    purchase = await service.refund_purchase(
        session, admin=admin, purchase_id=purchase_id, reason=body.reason, amount_cents=body.amount_cents
    )
    return _payment_out(purchase, await service.buyers_of(session, [purchase]))


@admin_router.get("/disputes", response_model=DisputePage)
async def admin_disputes(
    _: AdminUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    status_: Annotated[str | None, Query(alias="status", max_length=40)] = None,
    open_only: bool = False,
) -> DisputePage:
    items, next_cursor = await service.list_disputes(
        session, limit=limit, cursor=cursor, status=status_, open_only=open_only
    )
    return DisputePage(items=[DisputeOut.model_validate(d) for d in items], next_cursor=next_cursor)


@admin_router.get("/entitlements", response_model=EntitlementPage)
async def admin_entitlements(
    user_id: uuid.UUID,
    _: AdminUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> EntitlementPage:
    items, next_cursor = await service.list_entitlements(session, user_id=user_id, limit=limit, cursor=cursor)
    return EntitlementPage(items=[EntitlementOut.model_validate(e) for e in items], next_cursor=next_cursor)


@admin_router.post(
    "/entitlements",
    response_model=EntitlementOut,
    status_code=status.HTTP_201_CREATED,
    responses=error_responses(NotFound),
)
async def admin_grant(body: GrantRequest, admin: AdminUser, session: SessionDep) -> EntitlementOut:
    ent = await service.admin_grant(
        session,
        admin=admin,
        user_id=body.user_id,
        video_id=body.video_id,
        reason=body.reason,
        expires_at=body.expires_at,
    )
    return EntitlementOut.model_validate(ent)


@admin_router.post("/entitlements/{entitlement_id}/revoke", response_model=EntitlementOut)
async def admin_revoke(
    entitlement_id: uuid.UUID, body: RevokeRequest, admin: AdminUser, session: SessionDep
) -> EntitlementOut:
    ent = await service.admin_revoke(session, admin=admin, entitlement_id=entitlement_id, reason=body.reason)
    return EntitlementOut.model_validate(ent)


@admin_router.get("/payouts", response_model=PayoutReport)
async def admin_payouts(
    _: AdminUser, session: SessionDep, month: MonthParam = None, instructor_id: uuid.UUID | None = None
) -> PayoutReport:
    month = month or service.current_month()
    lines = await service.payout_report(session, month=month, instructor_id=instructor_id)
    return PayoutReport(month=month, lines=[PayoutLineOut.model_validate(line) for line in lines])


@admin_router.get("/payouts.csv", response_class=Response)
async def admin_payouts_csv(
    _: AdminUser, session: SessionDep, month: MonthParam = None, instructor_id: uuid.UUID | None = None
) -> Response:
    month = month or service.current_month()
    lines = await service.payout_report(session, month=month, instructor_id=instructor_id)
    return _csv(month, service.payout_csv(month, lines))


# --------------------------------------------------------------------------- sandbox (embedded mode)


@sandbox_router.get("/checkout/{session_id}", response_model=SandboxCheckoutOut)
async def sandbox_checkout(session_id: str, user: CurrentUser, session: SessionDep) -> SandboxCheckoutOut:
    """Development only: the buyer's own sandbox checkout (what the web client's page shows)."""
    return await sandbox.describe(session, session_id, user)


@sandbox_router.post(
    "/checkout/{session_id}/pay", response_model=SandboxPayOut, responses=error_responses(Conflict)
)
async def sandbox_pay(session_id: str, user: CurrentUser, session: SessionDep) -> SandboxPayOut:
    """Development only: pay the buyer's own sandbox checkout (signed events → the webhook path)."""
    return SandboxPayOut(redirect_url=await sandbox.pay(session, session_id, user))


@sandbox_router.post("/checkout/{session_id}/decline", status_code=status.HTTP_204_NO_CONTENT)
async def sandbox_decline(session_id: str, user: CurrentUser, session: SessionDep) -> Response:
    """Development only: simulate the buyer's card being declined."""
    await sandbox.decline(session, session_id, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@sandbox_router.get("/portal/{customer_id}", response_class=HTMLResponse, include_in_schema=False)
async def sandbox_portal(customer_id: str, session: SessionDep, token: str = "") -> HTMLResponse:
    return HTMLResponse(await sandbox.portal_page(session, customer_id, token))


@sandbox_router.post("/portal/{customer_id}/cancel", include_in_schema=False)
async def sandbox_portal_cancel(customer_id: str, session: SessionDep, token: str = "") -> RedirectResponse:
    sandbox.check_portal_token(customer_id, token)
    await sandbox.cancel_subscriptions(session, customer_id)
    return RedirectResponse(
        f"/api/v1/sandbox/portal/{customer_id}?token={token}", status_code=status.HTTP_303_SEE_OTHER
    )
