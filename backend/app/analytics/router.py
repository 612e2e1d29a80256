"""Analytics HTTP: beacon ingest, watch progress (/me), dashboards, exports, live viewers."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine
from datetime import date, timedelta
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from fastapi.routing import APIRoute

from app.analytics import dashboards, reports, schemas, service
from app.auth.models import Role
from app.core import ratelimit
from app.core.clock import utcnow
from app.core.errors import PermissionDenied, RateLimited, ValidationFailed, error_responses
from app.core.i18n import normalize_language, t
from app.deps import (
    AdminUser,
    ClientAddress,
    CurrentUser,
    InstructorUser,
    OptionalUser,
    SessionDep,
    SettingsDep,
)

router = APIRouter(tags=["analytics"])

MAX_RANGE_DAYS = 366
DEFAULT_RANGE_DAYS = 30


class _TextPlainAsJson(APIRoute):
    """navigator.sendBeacon posts text/plain (no CORS preflight); its body is the same JSON."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def route(request: Request) -> Response:
            if request.headers.get("content-type", "").startswith("text/plain"):
                scope = dict(request.scope)
                scope["headers"] = [(k, v) for k, v in request.scope["headers"] if k != b"content-type"]
                scope["headers"].append((b"content-type", b"application/json"))
                request = Request(scope, request.receive)
            return await handler(request)

        return route


beacon_router = APIRouter(tags=["analytics"], route_class=_TextPlainAsJson)


@beacon_router.post(
    "/analytics/beacons",
    response_model=schemas.BeaconResult,
    responses=error_responses(PermissionDenied, RateLimited),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/BeaconBatch"}},
                "text/plain": {"schema": {"$ref": "#/components/schemas/BeaconBatch"}},
            },
        }
    },
)
async def beacons(
    batch: schemas.BeaconBatch,
    session: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    address: ClientAddress,
) -> schemas.BeaconResult:
    """A batch of player events. JSON, or the same JSON as text/plain (navigator.sendBeacon sends
    no preflight then). With the playback's media token the beacons count for its viewer."""
    await ratelimit.limit("analytics:beacons", address, settings.analytics_beacon_batches_per_minute, 60)
    return await service.ingest(session, settings, user, batch)


@router.put("/me/progress/{video_id}", response_model=schemas.ProgressOut)
async def put_progress(
    video_id: uuid.UUID, body: schemas.ProgressIn, session: SessionDep, user: CurrentUser
) -> schemas.ProgressOut:
    return await service.save_progress(session, user, video_id, body)


@router.get("/me/progress/{video_id}", response_model=schemas.ProgressOut)
async def get_progress(video_id: uuid.UUID, session: SessionDep, user: CurrentUser) -> schemas.ProgressOut:
    """Where to resume (`resume`: past 5 s and before 95 %), from any device."""
    return await service.get_progress(session, user, video_id)


@router.get("/me/continue-watching", response_model=schemas.ContinueWatching)
async def continue_watching(session: SessionDep, user: CurrentUser) -> schemas.ContinueWatching:
    return await service.continue_watching(session, user)


def _range(start: date | None, end: date | None) -> tuple[date, date]:
    end = end or utcnow().date()
    start = start or end - timedelta(days=DEFAULT_RANGE_DAYS - 1)
    if start > end or (end - start).days >= MAX_RANGE_DAYS:
        raise ValidationFailed(
            f"Choose a start on or before the end, at most {MAX_RANGE_DAYS} days apart.",
            code="bad_date_range",
        )
    return start, end


StartParam = Annotated[date | None, Query()]
EndParam = Annotated[date | None, Query()]


@router.get(
    "/analytics/instructor",
    response_model=schemas.InstructorDashboard,
    responses=error_responses(ValidationFailed),
)
async def instructor_dashboard(
    session: SessionDep, user: InstructorUser, start: StartParam = None, end: EndParam = None
) -> schemas.InstructorDashboard:
    """The caller's own videos, from the rollups (refreshed hourly by beat)."""
    return await dashboards.instructor(session, user, *_range(start, end))


@router.get("/analytics/instructor/videos/{video_id}/retention", response_model=schemas.RetentionOut)
async def video_retention(
    video_id: uuid.UUID, session: SessionDep, user: InstructorUser
) -> schemas.RetentionOut:
    return await dashboards.retention(session, user, video_id)


@router.get(
    "/analytics/admin", response_model=schemas.AdminDashboard, responses=error_responses(ValidationFailed)
)
async def admin_dashboard(
    session: SessionDep, user: AdminUser, start: StartParam = None, end: EndParam = None
) -> schemas.AdminDashboard:
    return await dashboards.admin(session, *_range(start, end))


@router.get("/analytics/live", response_model=schemas.LiveViewers)
async def live(session: SessionDep, user: InstructorUser) -> schemas.LiveViewers:
    """Current viewers (a beacon in the last 30 s): an instructor's own videos, every video for admins."""
    return await service.live_viewers(session, None if user.role == Role.admin else user.id)


@router.get(
    "/analytics/{scope}/export",
    responses={
        200: {"content": {"text/csv": {}, "application/pdf": {}}},
        **error_responses(ValidationFailed),
    },
    response_class=Response,
)
async def export(
    request: Request,
    scope: Literal["instructor", "admin"],
    session: SessionDep,
    user: InstructorUser,
    format: Annotated[Literal["csv", "pdf"], Query()] = "csv",
    start: StartParam = None,
    end: EndParam = None,
) -> Response:
    """The dashboard's daily table as CSV, or a PDF report with its totals and charts."""
    lang = normalize_language(request.headers.get("accept-language"))
    first, last = _range(start, end)
    if scope == "admin":
        if user.role != Role.admin:
            raise PermissionDenied("You do not have permission to do this.", code="forbidden")
        a = await dashboards.admin(session, first, last)
        series, totals = [a.views, a.signups, a.active_users, *a.revenue], a.revenue_totals
    else:
        d = await dashboards.instructor(session, user, first, last)
        series, totals = [d.views, d.watch_hours, *d.revenue], d.revenue_totals
    report = reports.daily_report(t(f"analytics.report.title_{scope}", lang), lang, series, totals)
    name = f"analytics-{scope}-{first.isoformat()}-{last.isoformat()}"
    if format == "csv":
        return Response(
            reports.to_csv(report),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": f'attachment; filename="{name}.csv"'},
        )
    pdf = await asyncio.to_thread(reports.to_pdf, report)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}.pdf"'},
    )
