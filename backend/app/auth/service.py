"""Accounts: registration, verification, login with rotating refresh tokens, resets, roles.

Takes plain arguments and a session; knows nothing of HTTP. Emails are enqueued after commit.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth.models import EmailToken, EmailTokenPurpose, RefreshToken, Role, User
from app.core.clock import as_utc, utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from app.core.ids import uuid7
from app.core.pagination import apply_cursor, page_of
from app.core.security import (
    create_access_token,
    hash_password,
    hash_token,
    new_opaque_token,
    password_needs_rehash,
    verify_password,
)
from app.worker.dispatch import enqueue

_COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password123",
        "1234567890",
        "qwertyuiop",
        "12345678910",
        "letmein123",
        "iloveyou12",
        "administrator",
        "welcome123",
        "passw0rd12",
        "karate12345",
    }
)
# Verifying against a real hash when the account does not exist keeps login timing uniform.
_DUMMY_HASH = hash_password("timing-equaliser-not-a-real-password")


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int


def normalise_email(email: str) -> str:
    return email.strip().lower()


def check_password_strength(settings: Settings, password: str, email: str) -> None:
    problems = []
    if len(password) < settings.password_min_length:
        problems.append(f"at least {settings.password_min_length} characters")
    if not re.search(r"[A-Za-z]", password) or not re.search(r"[^A-Za-z]", password):
        problems.append("both letters and digits or symbols")
    local_part = email.split("@", 1)[0].lower()
    if password.lower() in _COMMON_PASSWORDS or (len(local_part) >= 4 and local_part in password.lower()):
        problems.append("something not easy to guess (no common passwords, not your email)")
    if problems:
        raise ValidationFailed("The password needs " + "; ".join(problems) + ".", code="weak_password")


def _email_token(user_id: uuid.UUID, purpose: EmailTokenPurpose, ttl: timedelta) -> tuple[EmailToken, str]:
    raw = new_opaque_token()
    now = utcnow()
    row = EmailToken(
        user_id=user_id,
        purpose=purpose,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + ttl,
    )
    return row, raw


def _enqueue_email(to: str, subject: str, text: str, html: str) -> None:
    enqueue("default.send_email", {"to": to, "subject": subject, "text": text, "html": html})


def _send_verification(settings: Settings, user: User, raw_token: str) -> None:
    link = f"{settings.app_base_url}/verify-email?token={raw_token}"
    _enqueue_email(
        user.email,
        "Confirm your email — Martial Arts Media Center",
        f"Hello {user.display_name},\n\nConfirm your email address by opening this link:\n{link}\n\n"
        f"The link is valid for {settings.email_token_ttl_hours} hours.",
        f'<p>Hello {user.display_name},</p><p><a href="{link}">Confirm your email address</a></p>'
        f"<p>The link is valid for {settings.email_token_ttl_hours} hours.</p>",
    )


async def register(
    session: AsyncSession, settings: Settings, *, email: str, password: str, display_name: str
) -> User:
    email = normalise_email(email)
    check_password_strength(settings, password, email)
    if await session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email already exists.", code="email_taken")
    user = User(email=email, display_name=display_name.strip(), password_hash=hash_password(password))
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    token_row, raw = _email_token(
        user.id, EmailTokenPurpose.verify_email, timedelta(hours=settings.email_token_ttl_hours)
    )
    session.add(token_row)
    await session.commit()
    _send_verification(settings, user, raw)
    return user


async def resend_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    if user.email_verified_at is not None:
        return
    token_row, raw = _email_token(
        user.id, EmailTokenPurpose.verify_email, timedelta(hours=settings.email_token_ttl_hours)
    )
    session.add(token_row)
    await session.commit()
    _send_verification(settings, user, raw)


async def _consume_email_token(session: AsyncSession, raw: str, purpose: EmailTokenPurpose) -> EmailToken:
    row = await session.scalar(
        select(EmailToken).where(EmailToken.token_hash == hash_token(raw), EmailToken.purpose == purpose)
    )
    if row is None or row.used_at is not None:
        raise ValidationFailed("This link is invalid or was already used.", code="token_invalid")
    if as_utc(row.expires_at) < utcnow():
        raise ValidationFailed("This link has expired. Ask for a new one.", code="token_expired")
    row.used_at = utcnow()
    return row


async def verify_email(session: AsyncSession, raw_token: str) -> User:
    row = await _consume_email_token(session, raw_token, EmailTokenPurpose.verify_email)
    user = await session.get_one(User, row.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    await session.commit()
    return user


async def _issue_tokens(
    session: AsyncSession, settings: Settings, user: User, family_id: uuid.UUID | None = None
) -> IssuedTokens:
    raw = new_opaque_token()
    now = utcnow()
    session.add(
        RefreshToken(
            user_id=user.id,
            family_id=family_id or uuid7(),
            token_hash=hash_token(raw),
            created_at=now,
            expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
        )
    )
    access, ttl = create_access_token(settings, user.id, user.role.value)
    return IssuedTokens(access_token=access, refresh_token=raw, expires_in=ttl)


async def login(session: AsyncSession, settings: Settings, *, email: str, password: str) -> IssuedTokens:
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        verify_password(_DUMMY_HASH, password)
        raise NotAuthenticated("Wrong email or password.", code="invalid_credentials")
    if not verify_password(user.password_hash, password):
        raise NotAuthenticated("Wrong email or password.", code="invalid_credentials")
    if not user.is_active:
        raise PermissionDenied("This account has been deactivated.", code="account_inactive")
    if password_needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    user.last_login_at = utcnow()
    tokens = await _issue_tokens(session, settings, user)
    await session.commit()
    return tokens


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def _within_reuse_grace(settings: Settings, row: RefreshToken) -> bool:
    grace = settings.refresh_reuse_grace_seconds
    return (
        grace > 0 and row.used_at is not None and utcnow() - as_utc(row.used_at) <= timedelta(seconds=grace)
    )


async def _retire_live_links(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(
            RefreshToken.family_id == family_id,
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
        .values(revoked_at=utcnow())
    )


async def refresh(session: AsyncSession, settings: Settings, raw_token: str) -> IssuedTokens:
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token)))
    if row is None:
        raise NotAuthenticated("The refresh token is invalid.", code="token_invalid")
    if row.revoked_at is not None:
        raise NotAuthenticated("This session was signed out.", code="token_revoked")
    if row.used_at is not None:
        if _within_reuse_grace(settings, row):
            # A benign retry (a reload or a second tab racing the rotation): the unused successor is
            # retired and a new link is issued, so the family still has exactly one live token.
            await _retire_live_links(session, row.family_id)
            user = await get_active_user(session, row.user_id)
            tokens = await _issue_tokens(session, settings, user, family_id=row.family_id)
            await session.commit()
            return tokens
        # A rotated token came back: someone else holds a copy. End every session of the family.
        await _revoke_family(session, row.family_id)
        await session.commit()
        raise NotAuthenticated(
            "This refresh token was already used; the session has been closed for safety.",
            code="refresh_token_reused",
        )
    if as_utc(row.expires_at) < utcnow():
        raise NotAuthenticated("Your session has expired. Log in again.", code="token_expired")
    user = await session.get_one(User, row.user_id)
    if not user.is_active:
        raise PermissionDenied("This account has been deactivated.", code="account_inactive")
    row.used_at = utcnow()
    tokens = await _issue_tokens(session, settings, user, family_id=row.family_id)
    await session.commit()
    return tokens


async def logout(session: AsyncSession, raw_token: str) -> None:
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token)))
    if row is not None:
        await _revoke_family(session, row.family_id)
        await session.commit()


async def request_password_reset(session: AsyncSession, settings: Settings, email: str) -> None:
    """Always succeeds from the caller's point of view: never reveals whether an account exists."""
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None or not user.is_active:
        return
    token_row, raw = _email_token(
        user.id,
        EmailTokenPurpose.reset_password,
        timedelta(minutes=settings.password_reset_ttl_minutes),
    )
    session.add(token_row)
    await session.commit()
    link = f"{settings.app_base_url}/reset-password?token={raw}"
    _enqueue_email(
        user.email,
        "Reset your password — Martial Arts Media Center",
        f"Someone asked to reset the password of this account. If it was you, open:\n{link}\n\n"
        f"The link is valid for {settings.password_reset_ttl_minutes} minutes. "
        "If it was not you, ignore this message.",
        f'<p>Someone asked to reset the password of this account.</p><p><a href="{link}">Choose a new '
        f"password</a> (valid for {settings.password_reset_ttl_minutes} minutes).</p>"
        "<p>If it was not you, ignore this message.</p>",
    )


async def confirm_password_reset(
    session: AsyncSession, settings: Settings, raw_token: str, new_password: str
) -> User:
    row = await _consume_email_token(session, raw_token, EmailTokenPurpose.reset_password)
    user = await session.get_one(User, row.user_id)
    check_password_strength(settings, new_password, user.email)
    user.password_hash = hash_password(new_password)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()  # they proved they read the mailbox
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )
    await session.commit()
    return user


async def get_active_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotAuthenticated("The account no longer exists.", code="token_invalid")
    if not user.is_active:
        raise PermissionDenied("This account has been deactivated.", code="account_inactive")
    return user


async def get_user(session: AsyncSession, user_id: uuid.UUID) -> User:
    user = await session.get(User, user_id)
    if user is None:
        raise NotFound("No such user.", code="user_not_found")
    return user


async def get_users(session: AsyncSession, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Other domains read users through here (e.g. instructor names on videos)."""
    if not user_ids:
        return {}
    rows = await session.scalars(select(User).where(User.id.in_(set(user_ids))))
    return {user.id: user for user in rows}


async def update_profile(session: AsyncSession, user: User, *, display_name: str | None) -> User:
    if display_name is not None:
        user.display_name = display_name.strip()
    await session.commit()
    return user


async def list_users(
    session: AsyncSession, *, limit: int, cursor: str | None, query: str | None, role: Role | None
) -> tuple[list[User], str | None]:
    stmt = select(User)
    if query:
        pattern = f"%{query.lower()}%"
        stmt = stmt.where(
            or_(func.lower(User.email).like(pattern), func.lower(User.display_name).like(pattern))
        )
    if role:
        stmt = stmt.where(User.role == role)
    rows = (await session.scalars(apply_cursor(stmt, User.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def admin_update_user(
    session: AsyncSession,
    *,
    actor: User,
    user_id: uuid.UUID,
    role: Role | None,
    is_active: bool | None,
    reason: str | None,
) -> User:
    user = await get_user(session, user_id)
    if user.id == actor.id and (is_active is False or (role is not None and role != Role.admin)):
        raise ValidationFailed("Admins cannot demote or deactivate themselves.", code="self_demotion")
    changes: dict[str, dict[str, object]] = {}
    if role is not None and role != user.role:
        changes["role"] = {"from": user.role.value, "to": role.value}
        user.role = role
    if is_active is not None and is_active != user.is_active:
        changes["is_active"] = {"from": user.is_active, "to": is_active}
        user.is_active = is_active
        if not is_active:
            await session.execute(
                update(RefreshToken)
                .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
                .values(revoked_at=utcnow())
            )
    if changes:
        audit.record(
            session,
            actor_id=actor.id,
            action="user.update",
            subject_type="user",
            subject_id=user.id,
            reason=reason,
            data=changes,
        )
    await session.commit()
    return user


def create_admin_sync(
    session: Session, settings: Settings, *, email: str, password: str, display_name: str
) -> User:
    """For the CLI: create the first admin, or promote an existing account to admin."""
    email = normalise_email(email)
    user = session.scalar(select(User).where(User.email == email))
    if user is None:
        check_password_strength(settings, password, email)
        user = User(
            email=email,
            display_name=display_name,
            password_hash=hash_password(password),
            role=Role.admin,
            email_verified_at=utcnow(),
        )
        session.add(user)
        action = "user.create_admin"
    else:
        user.role = Role.admin
        user.is_active = True
        action = "user.promote_admin"
    session.flush()
    audit.record(session, actor_id=None, action=action, subject_type="user", subject_id=user.id, reason="cli")
    return user


def purge_expired_tokens_sync(session: Session) -> int:
    from sqlalchemy import delete

    cutoff = utcnow() - timedelta(days=1)
    removed = 0
    for model in (RefreshToken, EmailToken):
        result = session.execute(delete(model).where(model.expires_at < cutoff))
        removed += int(getattr(result, "rowcount", 0) or 0)
    return removed


def get_users_sync(session: Session, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Sync twin of get_users for workers (e.g. commerce receipts)."""
    if not user_ids:
        return {}
    rows = session.scalars(select(User).where(User.id.in_(set(user_ids))))
    return {user.id: user for user in rows}


def admin_emails_sync(session: Session) -> list[str]:
    """Addresses of every active admin (alerts such as payment disputes)."""
    rows = session.scalars(select(User.email).where(User.role == Role.admin, User.is_active.is_(True)))
    return list(rows)
