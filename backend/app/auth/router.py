"""Accounts over HTTP: sign-up, email verification, login, refresh, logout, password reset, /me,
and the admins' user management.

Browsers keep the refresh token in an HttpOnly cookie (SameSite=Strict, Secure on https) scoped
to the refresh path, so page scripts never see it; apps may ask for it in the body instead.
"""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request, Response, status

from app.auth import service, throttle
from app.auth.models import Role
from app.auth.schemas import (
    Accepted,
    AdminUserUpdate,
    LoginRequest,
    OptionalRefreshRequest,
    PasswordResetConfirm,
    PasswordResetRequest,
    RegisterRequest,
    TokenPair,
    TokenRequest,
    UserOut,
    UserPage,
    UserUpdate,
)
from app.core.config import Settings
from app.core.errors import (
    Conflict,
    NotAuthenticated,
    PermissionDenied,
    RateLimited,
    ValidationFailed,
    error_responses,
)
from app.core.i18n import normalize_language
from app.core.pagination import DEFAULT_LIMIT
from app.deps import (
    AdminUser,
    ClientAddress,
    CurrentUser,
    CursorParam,
    LimitParam,
    OptionalUser,
    SessionDep,
    SettingsDep,
    access_claims,
)

router = APIRouter(tags=["auth"])

REFRESH_COOKIE = "mamc_refresh"
# Cross-site pages cannot add a custom header to a request without CORS letting them: a refresh or
# logout that relies on the cookie must carry it (on top of SameSite=Strict).
CSRF_HEADER = "X-Requested-With"


def _refresh_path(request: Request) -> str:
    return str(request.app.url_path_for("refresh"))


def _set_refresh_cookie(request: Request, response: Response, settings: Settings, raw: str) -> None:
    response.set_cookie(
        REFRESH_COOKIE,
        raw,
        max_age=settings.refresh_token_ttl_days * 86400,
        path=_refresh_path(request),
        secure=settings.app_base_url.startswith("https://"),
        httponly=True,
        samesite="strict",
    )


def _clear_refresh_cookie(request: Request, response: Response, settings: Settings) -> None:
    response.delete_cookie(
        REFRESH_COOKIE,
        path=_refresh_path(request),
        secure=settings.app_base_url.startswith("https://"),
        httponly=True,
        samesite="strict",
    )


def _cookie_token(request: Request) -> str | None:
    raw = request.cookies.get(REFRESH_COOKIE)
    if raw and not request.headers.get(CSRF_HEADER):
        raise PermissionDenied(
            f"Requests that use the session cookie need the {CSRF_HEADER} header.", code="csrf_header_missing"
        )
    return raw


@router.post(
    "/auth/register",
    status_code=status.HTTP_201_CREATED,
    response_model=UserOut,
    responses=error_responses(Conflict, RateLimited),
)
async def register(
    body: RegisterRequest,
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    address: ClientAddress,
) -> UserOut:
    """Mails a verification link in `language` (or the Accept-Language's, else English)."""
    await throttle.registration(settings, address)
    user = await service.register(
        session,
        settings,
        email=body.email,
        password=body.password,
        display_name=body.display_name,
        language=body.language or normalize_language(request.headers.get("accept-language")),
    )
    return UserOut.model_validate(user)


@router.post("/auth/verify-email", response_model=UserOut)
async def verify_email(body: TokenRequest, session: SessionDep) -> UserOut:
    return UserOut.model_validate(await service.verify_email(session, body.token))


@router.post(
    "/auth/resend-verification",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=error_responses(RateLimited),
)
async def resend_verification(user: CurrentUser, session: SessionDep, settings: SettingsDep) -> Accepted:
    await throttle.verification_mail(user.id)
    await service.resend_verification(session, settings, user)
    return Accepted()


@router.post(
    "/auth/login",
    response_model=TokenPair,
    responses=error_responses(NotAuthenticated, PermissionDenied, RateLimited),
)
async def login(
    body: LoginRequest,
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    address: ClientAddress,
) -> TokenPair:
    await throttle.login(settings, service.normalise_email(body.email), address)
    tokens = await service.login(session, settings, email=body.email, password=body.password)
    if body.refresh_token_in == "body":
        return TokenPair(
            access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
        )
    _set_refresh_cookie(request, response, settings, tokens.refresh_token)
    return TokenPair(access_token=tokens.access_token, expires_in=tokens.expires_in)


@router.post(
    "/auth/refresh",
    response_model=TokenPair,
    responses=error_responses(NotAuthenticated, PermissionDenied),
)
async def refresh(
    request: Request,
    response: Response,
    session: SessionDep,
    settings: SettingsDep,
    body: OptionalRefreshRequest | None = None,
) -> TokenPair:
    """A new access token, rotating the refresh token: from the body if given (answered in the
    body), else from the cookie (answered with a new cookie; needs the X-Requested-With header)."""
    if body is not None and body.refresh_token:
        tokens = await service.refresh(session, settings, body.refresh_token)
        return TokenPair(
            access_token=tokens.access_token, refresh_token=tokens.refresh_token, expires_in=tokens.expires_in
        )
    raw = _cookie_token(request)
    if not raw:
        raise NotAuthenticated("There is no session to refresh. Log in.", code="not_authenticated")
    tokens = await service.refresh(session, settings, raw)
    _set_refresh_cookie(request, response, settings, tokens.refresh_token)
    return TokenPair(access_token=tokens.access_token, expires_in=tokens.expires_in)


@router.post(
    "/auth/logout", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotAuthenticated)
)
async def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    user: OptionalUser,
    body: OptionalRefreshRequest | None = None,
) -> Response:
    """End this session: the one of the refresh token in the body, else the one the access token
    was issued for. The session cookie is cleared either way."""
    claims = access_claims(request) if user is not None else None
    await service.logout(
        session,
        raw_token=body.refresh_token if body is not None else None,
        session_id=claims.session_id if claims is not None else None,
    )
    response = Response(status_code=status.HTTP_204_NO_CONTENT)
    _clear_refresh_cookie(request, response, settings)
    return response


@router.post(
    "/auth/password-reset/request",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=Accepted,
    responses=error_responses(RateLimited),
)
async def password_reset_request(
    body: PasswordResetRequest, session: SessionDep, settings: SettingsDep, address: ClientAddress
) -> Accepted:
    await throttle.password_reset(settings, service.normalise_email(body.email), address)
    await service.request_password_reset(session, settings, body.email)
    return Accepted()


@router.post(
    "/auth/password-reset/confirm", response_model=UserOut, responses=error_responses(ValidationFailed)
)
async def password_reset_confirm(
    body: PasswordResetConfirm, session: SessionDep, settings: SettingsDep
) -> UserOut:
    """Sets the new password, spends every reset link of the account and signs out every session."""
    user = await service.confirm_password_reset(session, settings, body.token, body.new_password)
    return UserOut.model_validate(user)


@router.get("/me", response_model=UserOut)
async def me(user: CurrentUser) -> UserOut:
    return UserOut.model_validate(user)


@router.patch("/me", response_model=UserOut)
async def update_me(body: UserUpdate, user: CurrentUser, session: SessionDep) -> UserOut:
    updated = await service.update_profile(
        session, user, display_name=body.display_name, language=body.language
    )
    return UserOut.model_validate(updated)


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
