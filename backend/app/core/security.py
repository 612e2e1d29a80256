"""Password hashing (argon2id), access tokens (JWT HS256) and opaque random tokens."""

from __future__ import annotations

import hashlib
import secrets
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import jwt
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import NotAuthenticated

_hasher = PasswordHasher()
_ALGORITHM = "HS256"


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher.verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def password_needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


def new_opaque_token() -> str:
    return secrets.token_urlsafe(32)


def hash_token(token: str) -> str:
    """Opaque tokens are stored only as their SHA-256: a database leak yields nothing usable."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    role: str
    expires_at: datetime


def create_access_token(settings: Settings, user_id: uuid.UUID, role: str) -> tuple[str, int]:
    ttl = settings.access_token_ttl_seconds
    now = utcnow()
    payload = {
        "sub": str(user_id),
        "role": role,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
    }
    token = jwt.encode(payload, settings.secret_key.get_secret_value(), algorithm=_ALGORITHM)
    return token, ttl


def decode_access_token(settings: Settings, token: str) -> AccessClaims:
    try:
        payload = jwt.decode(
            token,
            settings.secret_key.get_secret_value(),
            algorithms=[_ALGORITHM],
            options={"require": ["sub", "exp", "typ"]},
        )
    except jwt.ExpiredSignatureError as exc:
        raise NotAuthenticated("Your session has expired.", code="token_expired") from exc
    except jwt.PyJWTError as exc:
        raise NotAuthenticated("The access token is invalid.", code="token_invalid") from exc
    if payload.get("typ") != "access":
        raise NotAuthenticated("The access token is invalid.", code="token_invalid")
    try:
        user_id = uuid.UUID(payload["sub"])
    except ValueError as exc:
        raise NotAuthenticated("The access token is invalid.", code="token_invalid") from exc
    return AccessClaims(
        user_id=user_id,
        role=str(payload.get("role", "")),
        expires_at=datetime.fromtimestamp(payload["exp"]).astimezone(),
    )
