"""API shapes every upload kind shares (pydantic; routers and services return them)."""

from __future__ import annotations

from pydantic import BaseModel


class UploadedPartOut(BaseModel):
    part_number: int
    etag: str
    size: int
