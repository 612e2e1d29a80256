from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from app.auth import service
from app.auth.models import Role
from app.auth.schemas import (
    Accepted,
    AdminUserUpdate,
    LoginRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RefreshRequest,
    RegisterRequest,
    TokenPair,
    TokenRequest,
    UserOut,
    UserPage,
    UserUpdate,
)
from app.core import ratelimit
from app.core.pagination import DEFAULT_LIMIT, CursorParam, LimitParam
from app.deps import AdminUser, CurrentUser, SessionDep, SettingsDep, client_ip

router = APIRouter(tags=["auth"])


def _pair(tokens: service.IssuedTokens) -> TokenPair:
    return TokenPair(
        access_token=tokens.access_token,
        refresh_token=tokens.refresh_token,
        expires_in=tokens.expires_in,
    )


@router.post("/auth/register", status_code=status.HTTP_201_CREATED, response_model=UserOut)
async def register(
    body: RegisterRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> UserOut:
    await ratelimit.limit("register:ip", client_ip(request), settings.rate_limit_register_per_ip)
    user = await service.register(
        session, settings, email=body.email, password=body.password, display_name=body.display_name
    )
    return UserOut.model_validate(user)


@router.post("/auth/verify-email", response_model=UserOut)
async def verify_email(body: TokenRequest, session: SessionDep) -> UserOut:
    return UserOut.model_validate(await service.verify_email(session, body.token))


@router.post("/auth/resend-verification", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
async def resend_verification(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Accepted:
    await ratelimit.limit("verify:account", str(user.id), 5, window_seconds=3600)
    await service.resend_verification(session, settings, user)
    return Accepted()


@router.post("/auth/login", response_model=TokenPair)
async def login(
    body: LoginRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> TokenPair:
    await ratelimit.limit("login:ip", client_ip(request), settings.rate_limit_login_per_ip, fail_closed=True)
    await ratelimit.limit(
        "login:account",
        service.normalise_email(body.email),
        settings.rate_limit_login_per_account,
        fail_closed=True,
    )
    return _pair(await service.login(session, settings, email=body.email, password=body.password))


@router.post("/auth/refresh", response_model=TokenPair)
async def refresh(body: RefreshRequest, session: SessionDep, settings: SettingsDep) -> TokenPair:
    return _pair(await service.refresh(session, settings, body.refresh_token))


@router.post("/auth/logout", status_code=status.HTTP_204_NO_CONTENT)
async def logout(body: RefreshRequest, session: SessionDep) -> Response:
    await service.logout(session, body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post("/auth/password-reset/request", status_code=status.HTTP_202_ACCEPTED, response_model=Accepted)
async def password_reset_request(
    body: PasswordResetRequest, request: Request, session: SessionDep, settings: SettingsDep
) -> Accepted:
    await ratelimit.limit("reset:ip", client_ip(request), settings.rate_limit_login_per_ip)
    await ratelimit.limit("reset:account", service.normalise_email(body.email), 5)
    await service.request_password_reset(session, settings, body.email)
    return Accepted()


@router.post("/auth/password-reset/confirm", response_model=UserOut)
async def password_reset_confirm(
    body: PasswordResetConfirm, session: SessionDep, settings: SettingsDep
) -> UserOut:
    user = await service.confirm_password_reset(session, settings, body.token, body.new_password)
    return UserOut.model_validate(user)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.patch("/me", response_model=UserOut)
async def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> UserOut:
    return UserOut.model_validate(await service.update_profile(session, user, display_name=body.display_name))


admin_router = APIRouter(prefix="/admin", tags=["admin: users"])


@admin_router.get("/users", response_model=UserPage)
async def list_users(
    _: AdminUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
    q: str | None = None,
    role: Role | None = None,
) -> UserPage:
    items, next_cursor = await service.list_users(session, limit=limit, cursor=cursor, query=q, role=role)
    return UserPage(items=[UserOut.model_validate(u) for u in items], next_cursor=next_cursor)


@admin_router.patch("/users/{user_id}", response_model=UserOut)
async def update_user(
    user_id: uuid.UUID, body: AdminUserUpdate, admin: AdminUser, session: SessionDep
) -> UserOut:
    user = await service.admin_update_user(
        session,
        actor=admin,
        user_id=user_id,
        role=body.role,
        is_active=body.is_active,
        reason=body.reason,
    )
    return UserOut.model_validate(user)
