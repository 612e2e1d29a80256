"""Password hashing (argon2id), access tokens (JWT HS256), opaque random tokens, and the keys
derived from SECRET_KEY for every other signature the platform makes."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import secrets
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

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


# Argon2 is deliberately slow (tens of milliseconds of CPU): async callers use these, which run it
# in a worker thread so the event loop keeps serving other requests meanwhile.
async def hash_password_async(password: str) -> str:
    return await asyncio.to_thread(hash_password, password)


async def verify_password_async(password_hash: str, password: str) -> bool:
    return await asyncio.to_thread(verify_password, password_hash, password)


def derive_key(settings: Settings, purpose: str) -> bytes:
    """A key for one purpose (the sandbox's webhook secret, ...), derived from SECRET_KEY with
    HMAC-SHA256: it changes with SECRET_KEY, and knowing one purpose's key reveals no other."""
    return hmac.new(
        settings.secret_key.get_secret_value().encode(), f"mamc/{purpose}".encode(), hashlib.sha256
    ).digest()


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
    session_id: uuid.UUID | None = None  # the refresh-token family the token was issued for


def create_access_token(
    settings: Settings, user_id: uuid.UUID, role: str, session_id: uuid.UUID | None = None
) -> tuple[str, int]:
    ttl = settings.access_token_ttl_seconds
    now = utcnow()
    payload = {
        "sub": str(user_id),
        "role": role,
        "typ": "access",
        "iat": int(now.timestamp()),
        "exp": int((now + timedelta(seconds=ttl)).timestamp()),
    }
    if session_id is not None:
        payload["sid"] = str(session_id)
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
        user_id = uuid.UUID(str(payload["sub"]))
        # A validly signed `exp` can still be absurd (year 10^12): invalid, not a server error.
        expires_at = datetime.fromtimestamp(int(payload["exp"]), UTC)
        session_id = uuid.UUID(str(payload["sid"])) if "sid" in payload else None
    except (ValueError, TypeError, OverflowError, OSError) as exc:
        raise NotAuthenticated("The access token is invalid.", code="token_invalid") from exc
    return AccessClaims(
        user_id=user_id, role=str(payload.get("role", "")), expires_at=expires_at, session_id=session_id
    )
