"""Your data (/api/v1/me/...): the export of everything about you, and deleting your account
(confirmed with the password, after a grace period you can cancel)."""

from __future__ import annotations

from fastapi import APIRouter, Response, status

from app.core.errors import Conflict, PermissionDenied, error_responses
from app.deps import CurrentUser, SessionDep, SettingsDep
from app.privacy import service
from app.privacy.models import DataExport, ErasureRequest
from app.privacy.schemas import DataExportList, DataExportOut, ErasureIn, ErasureOut, ErasureState

router = APIRouter(prefix="/me", tags=["privacy"])


def _exports(rows: list[DataExport], settings: SettingsDep) -> DataExportList:
    return DataExportList(
        items=[
            DataExportOut(
                id=e.id,
                status=e.status.value,
                created_at=e.created_at,
                finished_at=e.finished_at,
                size_bytes=e.size_bytes,
                download_url=service.download_url(e, settings),
            )
            for e in rows
        ]
    )


@router.get("/export", response_model=DataExportList)
async def get_export(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> DataExportList:
    """Your latest exports (newest first). When none is being built or still downloadable, one
    is started: a worker builds the zip and mails you its link."""
    return _exports(await service.export_or_latest(session, user, settings), settings)


@router.post("/export", status_code=status.HTTP_202_ACCEPTED, response_model=DataExportList)
async def new_export(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> DataExportList:
    """Start a new export (or keep the one being built)."""
    await service.start_export(session, user)
    return _exports(await service.latest_exports(session, user), settings)


def _erasure(row: ErasureRequest) -> ErasureOut:
    return ErasureOut(requested_at=row.requested_at, erase_after=row.erase_after)


@router.delete(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ErasureOut,
    responses=error_responses(PermissionDenied),
)
async def delete_account(
    body: ErasureIn, user: CurrentUser, session: SessionDep, settings: SettingsDep
) -> ErasureOut:
    """Schedule the erasure of your account after PRIVACY_ERASURE_GRACE_DAYS (403
    `wrong_password`). Purchases stay in the books, anonymised."""
    return _erasure(await service.request_erasure(session, settings, user, body.password))


@router.get("/erasure", response_model=ErasureState)
async def get_erasure(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> ErasureState:
    row = await service.pending_erasure(session, user.id)
    return ErasureState(
        pending=_erasure(row) if row else None, grace_days=settings.privacy_erasure_grace_days
    )


@router.delete("/erasure", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(Conflict))
async def cancel_erasure(user: CurrentUser, session: SessionDep) -> Response:
    """Cancel the scheduled deletion (409 `no_erasure_pending`)."""
    await service.cancel_erasure(session, user)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
