from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class EndpointIn(BaseModel):
    url: str = Field(min_length=8, max_length=2000, examples=["https://example.com/hooks/mamc"])
    events: list[str] = Field(min_length=1, max_length=10, examples=[["video.published", "purchase.paid"]])
    description: str = Field(default="", max_length=200)


class EndpointOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    url: str
    events: list[str]
    description: str
    active: bool
    created_at: datetime


class EndpointCreated(EndpointOut):
    secret: str = Field(description="whsec_...: shown only now; verify signatures with it")


class EndpointList(BaseModel):
    items: list[EndpointOut]
    events: list[str] = Field(description="Every event an endpoint can subscribe to")


class DeliveryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    event_type: str
    msg_id: str
    payload: dict[str, Any]
    status: str = Field(description="pending, delivered or failed")
    attempts: int
    last_status_code: int | None
    last_error: str | None
    next_attempt_at: datetime | None
    delivered_at: datetime | None
    created_at: datetime


class DeliveryList(BaseModel):
    items: list[DeliveryOut]
