from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, Field


class DataExportOut(BaseModel):
    id: uuid.UUID
    status: str = Field(description="pending, running, ready or failed")
    created_at: datetime
    finished_at: datetime | None
    size_bytes: int | None
    download_url: str | None = Field(description="Signed and expiring (ready exports only)")


class DataExportList(BaseModel):
    items: list[DataExportOut]


class ErasureIn(BaseModel):
    password: str = Field(min_length=1, max_length=200, description="The account's password, to confirm")


class ErasureOut(BaseModel):
    requested_at: datetime
    erase_after: datetime = Field(description="The account is erased then, unless cancelled before")


class ErasureState(BaseModel):
    pending: ErasureOut | None
    grace_days: int
