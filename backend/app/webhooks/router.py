"""Webhooks HTTP API (/api/v1/webhooks): instructors and admins register endpoints, read the
delivery log and replay a delivery."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from app.core.errors import NotFound, ValidationFailed, error_responses
from app.core.pagination import DEFAULT_LIMIT
from app.deps import InstructorUser, LimitParam, SessionDep, SettingsDep
from app.webhooks import service
from app.webhooks.schemas import (
    DeliveryList,
    DeliveryOut,
    EndpointCreated,
    EndpointIn,
    EndpointList,
    EndpointOut,
)

router = APIRouter(prefix="/webhooks", tags=["webhooks"])


@router.get("/endpoints", response_model=EndpointList)
async def list_endpoints(user: InstructorUser, session: SessionDep) -> EndpointList:
    rows = await service.list_endpoints(session, user)
    return EndpointList(items=[EndpointOut.model_validate(e) for e in rows], events=list(service.EVENTS))


@router.post(
    "/endpoints",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointCreated,
    responses=error_responses(ValidationFailed),
)
async def create_endpoint(
    body: EndpointIn, user: InstructorUser, session: SessionDep, settings: SettingsDep
) -> EndpointCreated:
    """422 `unsafe_webhook_url` for a URL that is not http(s) or reaches a private address,
    `unknown_webhook_event`. The response holds the signing secret: it is not shown again."""
    endpoint = await service.create_endpoint(
        session, settings, user, url=body.url, events=body.events, description=body.description
    )
    return EndpointCreated(**EndpointOut.model_validate(endpoint).model_dump(), secret=endpoint.secret)


@router.delete(
    "/endpoints/{endpoint_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound)
)
async def delete_endpoint(endpoint_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> Response:
    await service.delete_endpoint(session, user, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get(
    "/endpoints/{endpoint_id}/deliveries", response_model=DeliveryList, responses=error_responses(NotFound)
)
async def list_deliveries(
    endpoint_id: uuid.UUID, user: InstructorUser, session: SessionDep, limit: LimitParam = DEFAULT_LIMIT
) -> DeliveryList:
    rows = await service.list_deliveries(session, user, endpoint_id, limit)
    return DeliveryList(items=[DeliveryOut.model_validate(d) for d in rows])


@router.post(
    "/deliveries/{delivery_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryOut,
    responses=error_responses(NotFound),
)
async def replay(delivery_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> DeliveryOut:
    return DeliveryOut.model_validate(await service.replay(session, user, delivery_id))
