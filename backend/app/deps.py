"""Shared FastAPI dependencies: settings, DB session, current user, role guards, client IP."""

from __future__ import annotations

from typing import Annotated

import structlog
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy.ext.asyncio import AsyncSession

from app.auth import service as auth_service
from app.auth.models import Role, User
from app.core.config import Settings, get_settings
from app.core.errors import NotAuthenticated, PermissionDenied
from app.core.security import decode_access_token
from app.db.session import get_async_session

SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_async_session)]

_bearer = HTTPBearer(auto_error=False)


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
    structlog.contextvars.bind_contextvars(user_id=str(user.id))
    return user


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
    async def guard(user: CurrentUser) -> User:
        if user.role not in roles:
            raise PermissionDenied("You do not have permission to do this.", code="forbidden")
        return user

    return Depends(guard)


AdminUser = Annotated[User, require_roles(Role.admin)]
InstructorUser = Annotated[User, require_roles(Role.instructor, Role.admin)]


def client_ip(request: Request) -> str:
    """The peer address. Behind nginx, uvicorn/gunicorn's proxy-headers handling sets it."""
    return request.client.host if request.client else "unknown"
