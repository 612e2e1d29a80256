from __future__ import annotations

import unicodedata
import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, EmailStr, Field

from app.auth.models import Role

Language = Literal["en", "it"]


def _printable(value: str) -> str:
    if any(unicodedata.category(ch) in ("Cc", "Cf") for ch in value) or not value.strip():
        raise ValueError("use visible characters only (no line breaks or control characters)")
    return value


DisplayName = Annotated[str, Field(min_length=1, max_length=120), AfterValidator(_printable)]


class RegisterRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    display_name: DisplayName
    language: Language | None = Field(
        default=None, description="Language of our mails (it/en); default: from Accept-Language"
    )


class LoginRequest(BaseModel):
    email: EmailStr
    password: str = Field(min_length=1, max_length=256)
    refresh_token_in: Literal["cookie", "body"] = Field(
        default="cookie",
        description=(
            "Where the refresh token goes: an HttpOnly cookie (browsers; the response body then "
            "has no refresh_token) or the response body (apps that keep it in secure storage)."
        ),
    )


class OptionalRefreshRequest(BaseModel):
    """The refresh token in the body (apps), or nothing: the HttpOnly cookie (browsers)."""

    refresh_token: str | None = Field(default=None, min_length=10, max_length=200)


class TokenRequest(BaseModel):
    token: str = Field(min_length=10, max_length=200)


class PasswordResetRequest(BaseModel):
    email: EmailStr


class PasswordResetConfirm(BaseModel):
    token: str = Field(min_length=10, max_length=200)
    new_password: str = Field(min_length=1, max_length=256)


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str | None = Field(
        default=None, description="Only when the refresh token travels in the body (never with the cookie)"
    )
    token_type: str = "bearer"
    expires_in: int


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    role: Role
    is_active: bool
    email_verified: bool
    language: Language
    created_at: datetime


class UserUpdate(BaseModel):
    display_name: DisplayName | None = None
    language: Language | None = None


class AdminUserUpdate(BaseModel):
    role: Role | None = None
    is_active: bool | None = None
    reason: str | None = Field(default=None, max_length=500)


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None


class Accepted(BaseModel):
    status: str = "accepted"
