"""Accounts: registration, verification, login with rotating refresh tokens, resets, roles.

Takes plain arguments and a session; knows nothing of HTTP. Emails are enqueued after commit, in
the user's language. Password hashing runs off the event loop.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.audit import service as audit
from app.auth.models import EmailToken, EmailTokenPurpose, RefreshToken, Role, User
from app.core.clock import as_utc, utcnow
from app.core.config import Settings
from app.core.email import EmailTemplate, render_email, task_payload
from app.core.errors import Conflict, NotAuthenticated, NotFound, PermissionDenied, ValidationFailed
from app.core.i18n import normalize_language
from app.core.ids import uuid7
from app.core.pagination import apply_cursor, page_of
from app.core.security import (
    create_access_token,
    derive_key,
    hash_password,
    hash_password_async,
    hash_token,
    new_opaque_token,
    password_needs_rehash,
    verify_password_async,
)
from app.worker.dispatch import enqueue_after_commit

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

VERIFY_EMAIL = EmailTemplate(
    "email.verify", before=("greeting", "intro"), action="action", after=("validity",)
)
RESET_PASSWORD = EmailTemplate(
    "email.reset", before=("greeting", "intro"), action="action", after=("validity", "ignore")
)


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    refresh_token: str
    expires_in: int
    session_id: uuid.UUID  # the refresh-token family: one signed-in session


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
        raise ValidationFailed(
            "The password needs " + "; ".join(problems) + ".",
            code="weak_password",
            params={"min_length": settings.password_min_length},
        )


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


def _mail_after_commit(
    session: AsyncSession, template: EmailTemplate, user: User, link: str, **params: object
) -> None:
    message = render_email(
        template, user.language, to=user.email, link=link, name=user.display_name, **params
    )
    enqueue_after_commit(session, "default.send_email", task_payload(message))


def _queue_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    token_row, raw = _email_token(
        user.id, EmailTokenPurpose.verify_email, timedelta(hours=settings.email_token_ttl_hours)
    )
    session.add(token_row)
    link = f"{settings.app_base_url}/verify-email?token={raw}"
    _mail_after_commit(session, VERIFY_EMAIL, user, link, count=settings.email_token_ttl_hours)


async def register(
    session: AsyncSession,
    settings: Settings,
    *,
    email: str,
    password: str,
    display_name: str,
    language: str | None = None,
) -> User:
    email = normalise_email(email)
    check_password_strength(settings, password, email)
    if await session.scalar(select(User.id).where(User.email == email)):
        raise Conflict("An account with this email already exists.", code="email_taken")
    user = User(
        email=email,
        display_name=display_name.strip(),
        password_hash=await hash_password_async(password),
        language=normalize_language(language),
    )
    session.add(user)
    try:
        await session.flush()
    except IntegrityError as exc:
        await session.rollback()
        raise Conflict("An account with this email already exists.", code="email_taken") from exc
    _queue_verification(session, settings, user)
    await session.commit()
    return user


async def resend_verification(session: AsyncSession, settings: Settings, user: User) -> None:
    if user.email_verified_at is not None:
        return
    _queue_verification(session, settings, user)
    await session.commit()


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


async def _consume_email_token(session: AsyncSession, raw: str, purpose: EmailTokenPurpose) -> EmailToken:
    row = await session.scalar(
        select(EmailToken).where(EmailToken.token_hash == hash_token(raw), EmailToken.purpose == purpose)
    )
    if row is None or row.used_at is not None:
        raise ValidationFailed("This link is invalid or was already used.", code="token_invalid")
    if as_utc(row.expires_at) < utcnow():
        raise ValidationFailed("This link has expired. Ask for a new one.", code="token_expired")
    # Spend it only if nobody else did meanwhile: two requests with one link cannot both succeed.
    spent = await session.execute(
        update(EmailToken)
        .where(EmailToken.id == row.id, EmailToken.used_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if _rowcount(spent) != 1:
        raise ValidationFailed("This link is invalid or was already used.", code="token_invalid")
    return row


async def verify_email(session: AsyncSession, raw_token: str) -> User:
    known = await session.scalar(
        select(EmailToken).where(
            EmailToken.token_hash == hash_token(raw_token),
            EmailToken.purpose == EmailTokenPurpose.verify_email,
        )
    )
    if known is not None:
        owner = await session.get_one(User, known.user_id)
        if owner.email_verified_at is not None:
            # Reopening the link (or an older one) after verifying: say so, not "invalid link".
            raise Conflict("This email address is already verified.", code="already_verified")
    row = await _consume_email_token(session, raw_token, EmailTokenPurpose.verify_email)
    user = await session.get_one(User, row.user_id)
    if user.email_verified_at is None:
        user.email_verified_at = utcnow()
    await session.commit()
    return user


def _successor_token(settings: Settings, raw: str) -> str:
    """The refresh token that replaces `raw`. Derived, not random: a retry of `raw` within the grace
    period gets this very token back (never a second, independent session), and only the holder
    of `raw` plus the server's key can compute it."""
    mac = hmac.new(derive_key(settings, "refresh-successor"), raw.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(mac).rstrip(b"=").decode()


def _issue(settings: Settings, user: User, raw: str, family_id: uuid.UUID) -> IssuedTokens:
    access, ttl = create_access_token(settings, user.id, user.role.value, session_id=family_id)
    return IssuedTokens(access_token=access, refresh_token=raw, expires_in=ttl, session_id=family_id)


def _new_link(settings: Settings, user_id: uuid.UUID, family_id: uuid.UUID, raw: str) -> RefreshToken:
    now = utcnow()
    return RefreshToken(
        user_id=user_id,
        family_id=family_id,
        token_hash=hash_token(raw),
        created_at=now,
        expires_at=now + timedelta(days=settings.refresh_token_ttl_days),
    )


async def login(session: AsyncSession, settings: Settings, *, email: str, password: str) -> IssuedTokens:
    user = await session.scalar(select(User).where(User.email == normalise_email(email)))
    if user is None:
        await verify_password_async(_DUMMY_HASH, password)
        raise NotAuthenticated("Wrong email or password.", code="invalid_credentials")
    if not await verify_password_async(user.password_hash, password):
        raise NotAuthenticated("Wrong email or password.", code="invalid_credentials")
    if not user.is_active:
        raise PermissionDenied("This account has been deactivated.", code="account_inactive")
    if password_needs_rehash(user.password_hash):
        user.password_hash = await hash_password_async(password)
    user.last_login_at = utcnow()
    raw, family_id = new_opaque_token(), uuid7()
    session.add(_new_link(settings, user.id, family_id, raw))
    await session.commit()
    return _issue(settings, user, raw, family_id)


async def _revoke_family(session: AsyncSession, family_id: uuid.UUID) -> None:
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.family_id == family_id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=utcnow())
        .execution_options(synchronize_session=False)
    )


def _within_reuse_grace(settings: Settings, row: RefreshToken) -> bool:
    grace = settings.refresh_reuse_grace_seconds
    return (
        grace > 0 and row.used_at is not None and utcnow() - as_utc(row.used_at) <= timedelta(seconds=grace)
    )


async def refresh(session: AsyncSession, settings: Settings, raw_token: str) -> IssuedTokens:
    """Rotate: spend `raw_token`, hand out its successor. Of several requests racing with one
    token, exactly one spends it; the others (and any retry within the grace period) get that same
    successor. A spent token presented after the grace, or once its successor is spent too, is a
    stolen copy: the whole family (session) is revoked."""
    row = await session.scalar(select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token)))
    if row is None:
        raise NotAuthenticated("The refresh token is invalid.", code="token_invalid")
    if row.revoked_at is not None:
        raise NotAuthenticated("This session was signed out.", code="token_revoked")
    if as_utc(row.expires_at) < utcnow():
        raise NotAuthenticated("Your session has expired. Log in again.", code="token_expired")
    user = await get_active_user(session, row.user_id)
    successor = _successor_token(settings, raw_token)
    # The claim: on Postgres a racing UPDATE waits for the winner's commit, then matches nothing.
    claimed = await session.execute(
        update(RefreshToken)
        .where(RefreshToken.id == row.id, RefreshToken.used_at.is_(None), RefreshToken.revoked_at.is_(None))
        .values(used_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if _rowcount(claimed) == 1:
        session.add(_new_link(settings, user.id, row.family_id, successor))
        await session.commit()
        return _issue(settings, user, successor, row.family_id)

    await session.refresh(row)
    live_successor = await session.scalar(
        select(RefreshToken.id).where(
            RefreshToken.token_hash == hash_token(successor),
            RefreshToken.used_at.is_(None),
            RefreshToken.revoked_at.is_(None),
        )
    )
    if row.revoked_at is None and live_successor is not None and _within_reuse_grace(settings, row):
        await session.commit()  # a reload or a second tab racing the rotation: the same successor
        return _issue(settings, user, successor, row.family_id)
    # A rotated token came back: someone else holds a copy. End every session of the family.
    await _revoke_family(session, row.family_id)
    await session.commit()
    raise NotAuthenticated(
        "This refresh token was already used; the session has been closed for safety.",
        code="refresh_token_reused",
    )


async def logout(
    session: AsyncSession, *, raw_token: str | None = None, session_id: uuid.UUID | None = None
) -> None:
    """End one signed-in session, named by its refresh token or by the access token's session id."""
    family_id = session_id
    if raw_token:
        row = await session.scalar(
            select(RefreshToken).where(RefreshToken.token_hash == hash_token(raw_token))
        )
        family_id = row.family_id if row is not None else family_id
    if family_id is not None:
        await _revoke_family(session, family_id)
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
    link = f"{settings.app_base_url}/reset-password?token={raw}"
    _mail_after_commit(session, RESET_PASSWORD, user, link, count=settings.password_reset_ttl_minutes)
    await session.commit()


async def confirm_password_reset(
    session: AsyncSession, settings: Settings, raw_token: str, new_password: str
) -> User:
    row = await _consume_email_token(session, raw_token, EmailTokenPurpose.reset_password)
    user = await session.get_one(User, row.user_id)
    check_password_strength(settings, new_password, user.email)
    user.password_hash = await hash_password_async(new_password)
    now = utcnow()
    if user.email_verified_at is None:
        user.email_verified_at = now  # they proved they read the mailbox
    # Every other reset link mailed before this one is spent too: only this reset counts.
    await session.execute(
        update(EmailToken)
        .where(
            EmailToken.user_id == user.id,
            EmailToken.purpose == EmailTokenPurpose.reset_password,
            EmailToken.used_at.is_(None),
        )
        .values(used_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.execute(
        update(RefreshToken)
        .where(RefreshToken.user_id == user.id, RefreshToken.revoked_at.is_(None))
        .values(revoked_at=now)
        .execution_options(synchronize_session=False)
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


def get_users(session: Session, user_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, User]:
    """Other domains read users through here (instructor names on videos, receipts). Written once,
    sync: workers call it on their Session, the API through `await session.run_sync(get_users, ids)`
    (see app.entitlements.service for the boundary)."""
    if not user_ids:
        return {}
    rows = session.scalars(select(User).where(User.id.in_(set(user_ids))))
    return {user.id: user for user in rows}


async def update_profile(
    session: AsyncSession, user: User, *, display_name: str | None, language: str | None = None
) -> User:
    if display_name is not None:
        user.display_name = display_name.strip()
    if language is not None:
        user.language = normalize_language(language)
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


def admins(session: Session) -> list[User]:
    """Every active admin (alerts such as payment disputes, each in the admin's language)."""
    return list(session.scalars(select(User).where(User.role == Role.admin, User.is_active.is_(True))))


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """The profile (never the password hash or tokens)."""
    from app.db.export import row_dict

    user = session.get(User, user_id)
    return {"profile": row_dict(user, omit=("password_hash",)) if user else None}


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Sign-in tokens go; the user row stays, anonymised and unusable (money rows point at it)."""
    from sqlalchemy import delete

    session.execute(delete(RefreshToken).where(RefreshToken.user_id == user_id))
    session.execute(delete(EmailToken).where(EmailToken.user_id == user_id))
    user = session.get(User, user_id)
    if user is not None:
        user.email = f"erased-{user_id.hex}@erased.invalid"
        user.display_name = ""
        user.password_hash = "!erased"  # matches no password
        user.is_active = False
        user.email_verified_at = None
        user.last_login_at = None
