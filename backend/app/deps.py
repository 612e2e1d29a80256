"""Shared FastAPI dependencies: settings, DB session, current user, role and verification
guards, the client's address, the pagination query parameters."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from typing import Annotated

import structlog
from fastapi import Depends, Query, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.auth.models import Role, User
from app.core.config import Settings, get_settings
from app.core.errors import NotAuthenticated, PermissionDenied, raises
from app.core.pagination import CURSOR_MAX_LENGTH, MAX_LIMIT
from app.core.security import AccessClaims, decode_access_token
from app.db.session import get_async_session

SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_async_session)]
LimitParam = Annotated[int, Query(ge=1, le=MAX_LIMIT)]
CursorParam = Annotated[str | None, Query(max_length=CURSOR_MAX_LENGTH)]

_bearer = HTTPBearer(auto_error=False)


@raises(NotAuthenticated, PermissionDenied)
async def _current_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User:
    if credentials is None or credentials.scheme.lower() != "bearer":
        raise NotAuthenticated("Log in to continue.", code="not_authenticated")
    claims = decode_access_token(settings, credentials.credentials)
    user = await auth_service.get_active_user(session, claims.user_id)
    request.state.user_id = str(user.id)
    request.state.access_claims = claims
    structlog.contextvars.bind_contextvars(user_id=str(user.id))
    return user


@raises(NotAuthenticated, PermissionDenied)
async def _optional_user(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> User | None:
    if credentials is None:
        return None
    return await _current_user(request, session, settings, credentials)


CurrentUser = Annotated[User, Depends(_current_user)]
OptionalUser = Annotated[User | None, Depends(_optional_user)]


def require_roles(*roles: Role) -> object:
    @raises(PermissionDenied)
    async def guard(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied("You do not have permission to do this.", code="forbidden")
        return user

    return Depends(guard)


AdminUser = Annotated[User, require_roles(Role.admin)]
InstructorUser = Annotated[User, require_roles(Role.instructor, Role.admin)]


def access_claims(request: Request) -> AccessClaims | None:
    """The verified claims of the request's access token (after CurrentUser ran), if any."""
    claims = getattr(request.state, "access_claims", None)
    return claims if isinstance(claims, AccessClaims) else None


@raises(PermissionDenied)
async def _verified_user(user: CurrentUser) -> User:
    if user.email_verified_at is None:
        raise PermissionDenied(
            "Confirm your email address first: open the link we mailed you, or ask for a new one.",
            code="email_not_verified",
        )
    return user


# Actions that cost others something (buying, uploading, reporting, commenting) need a confirmed
# mailbox: 403 `email_not_verified` otherwise.
VerifiedUser = Annotated[User, Depends(_verified_user)]


Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@lru_cache(maxsize=8)
def trusted_proxies(spec: str) -> tuple[Network, ...] | None:
    """FORWARDED_ALLOW_IPS (uvicorn's syntax): comma-separated addresses or networks; "*" = all
    (None). Entries that are not addresses (e.g. a unix socket path) are ignored."""
    if spec.strip() == "*":
        return None
    networks = []
    for entry in spec.split(","):
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            continue
    return tuple(networks)


def _is_trusted(address: str, trusted: tuple[Network, ...] | None) -> bool:
    if trusted is None:
        return True
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in trusted)


def resolve_client_address(peer: str, forwarded_for: str | None, trusted: tuple[Network, ...] | None) -> str:
    """The client's address: the peer, unless the peer is a trusted proxy; then the nearest
    X-Forwarded-For entry (walking from the right) that is not itself a trusted proxy. Anything a
    client writes into X-Forwarded-For is ignored unless a trusted proxy put it there."""
    if not _is_trusted(peer, trusted) or not forwarded_for:
        return peer
    hops = [hop.strip() for hop in forwarded_for.split(",") if hop.strip()]
    for hop in reversed(hops):
        if not _is_trusted(hop, trusted):
            return hop
    return hops[0] if hops else peer


def client_ip(request: Request) -> str:
    """The address rate limits and logs use; X-Forwarded-For only from FORWARDED_ALLOW_IPS."""
    peer = request.client.host if request.client else "unknown"
    trusted = trusted_proxies(get_settings().forwarded_allow_ips)
    return resolve_client_address(peer, request.headers.get("x-forwarded-for"), trusted)


ClientAddress = Annotated[str, Depends(client_ip)]
