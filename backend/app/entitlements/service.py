"""The entitlement service: the only door to the `entitlements` table.

Readers (API only, async)
  - `may_play` — the playback endpoint's one question ("may this user play this video now?").
  - `list_for_user` — "My library".

Writers (sync, over a `Session`; each idempotent). None of them commits: the caller owns the
transaction, so a webhook event, its effect and its audit entry commit together.
  - `grant`: create (or return) the right for a source (purchase, subscription, admin grant).
    Keyed by (source_type, source_id); a second call changes nothing.
  - `set_source_state`: drive a source's right to a state (active/suspended/revoked) and period
    end; commerce calls it with the *current* state of the Stripe object, so any order of events
    converges.
  - `revoke` / `suspend` / `restore`: by entitlement id.

One sync/async boundary. Every function is written once. One that the workers need (the
writers: Stripe events are applied by Celery workers, which hold a plain `Session`) is written
sync; the API, which holds an `AsyncSession`, calls that same function through
`await session.run_sync(entitlements.grant, ...)`: SQLAlchemy runs it on the AsyncSession's own
sync session, connection and transaction, and its async layer is itself a greenlet bridge over
that same sync ORM, so nothing blocks the event loop. The other way round (sync workers running
the async functions) would need an event loop and an async engine in every worker task, for
the same queries. Functions only the API uses (the readers) stay async. No `_sync` twins.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Protocol

from sqlalchemy import event, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, object_session

from app.auth.models import Role, User
from app.core.cache import invalidate_after_commit
from app.core.clock import as_utc, utcnow
from app.core.errors import NotFound, ValidationFailed
from app.core.ids import uuid7
from app.core.pagination import apply_cursor, page_of
from app.entitlements.models import Entitlement, EntitlementKind, EntitlementStatus, SourceType

__all__ = [
    "AccessDecision",
    "Entitlement",
    "EntitlementKind",
    "EntitlementStatus",
    "PlayableVideo",
    "SourceType",
    "access_namespace",
    "all_for_source",
    "get_for_source",
    "grant",
    "list_for_user",
    "may_play",
    "restore",
    "revoke",
    "set_source_state",
    "suspend",
]


class VideoFacts(Protocol):
    """What a video row or a catalog card tells about who may play it."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def owner_id(self) -> uuid.UUID: ...
    @property
    def is_free(self) -> bool: ...
    @property
    def subscription_included(self) -> bool: ...


@dataclass(frozen=True)
class PlayableVideo:
    video_id: uuid.UUID
    owner_id: uuid.UUID
    is_free: bool
    subscription_included: bool

    @classmethod
    def of(cls, video: VideoFacts) -> PlayableVideo:
        return cls(
            video_id=video.id,
            owner_id=video.owner_id,
            is_free=video.is_free,
            subscription_included=video.subscription_included,
        )


@dataclass(frozen=True)
class AccessDecision:
    allowed: bool
    # "owner" | "admin" | "free" | "ppv" | "rental" | "subscription" | "manual"
    # refused: "no_entitlement" | "suspended" | "expired" | "revoked" | "not_in_subscription"
    reason: str
    expires_at: datetime | None


def access_namespace(user_id: uuid.UUID) -> str:
    """The cache namespace of answers derived from a user's rights (e.g. the playlist re-check in
    app.media.playback). Every insert or update of the user's entitlements invalidates it after
    the commit, whoever writes them (webhook tasks, admin actions, grants)."""
    return f"entitlements:user:{user_id}"


@event.listens_for(Entitlement, "after_insert")
@event.listens_for(Entitlement, "after_update")
def _rights_changed(_mapper: object, _connection: object, target: Entitlement) -> None:
    session = object_session(target)
    if session is not None:
        invalidate_after_commit(session, access_namespace(target.user_id))


# When several rights cover the same video, the first granting one in this order wins, so a
# subscriber or a buyer never starts (burns) a rental clock by pressing play.
_PRIORITY = {
    EntitlementKind.ppv: 0,
    EntitlementKind.manual: 1,
    EntitlementKind.subscription: 2,
    EntitlementKind.rental: 3,
}
# When nothing grants, the most telling refusal wins.
_REFUSAL_ORDER = ("suspended", "expired", "revoked", "not_in_subscription", "no_entitlement")


def _unexpired(ent: Entitlement, now: datetime) -> bool:
    return ent.expires_at is None or as_utc(ent.expires_at) > now


def _judge(ent: Entitlement, video: PlayableVideo, now: datetime) -> tuple[bool, str]:
    """(grants?, reason) for one row, without side effects."""
    if ent.status == EntitlementStatus.suspended:
        return False, "suspended"
    if ent.status == EntitlementStatus.revoked:
        return False, "revoked"
    if ent.kind == EntitlementKind.subscription:
        if not video.subscription_included:
            return False, "not_in_subscription"
        if ent.expires_at is None or as_utc(ent.expires_at) <= now:
            return False, "expired"
        return True, "subscription"
    if ent.kind == EntitlementKind.rental:
        if ent.first_played_at is None:
            return True, "rental"  # window not started yet
        return (True, "rental") if _unexpired(ent, now) else (False, "expired")
    # ppv / manual
    return (True, ent.kind.value) if _unexpired(ent, now) else (False, "expired")


async def may_play(
    session: AsyncSession, *, user: User, video: PlayableVideo, start_playback: bool = True
) -> AccessDecision:
    """May `user` play `video` now? The playback endpoint asks only this.

    Owner and admins always; free videos for any logged-in user; otherwise an active
    entitlement: PPV forever, a manual grant until its end (if any), a subscription while its
    paid period lasts and the video is subscription-included, a rental for `rental_hours` from
    its first play. Suspended (dispute open) and revoked rights refuse.

    `start_playback=True` (a real play) starts a not-yet-started rental's window and COMMITS that
    one write (atomically: concurrent first plays agree on one start). Pass False to only ask
    (e.g. to render a "Watch"/"Buy" button) — nothing is written.
    """
    if video.owner_id == user.id:
        return AccessDecision(True, "owner", None)
    if user.role == Role.admin:
        return AccessDecision(True, "admin", None)
    if video.is_free:
        return AccessDecision(True, "free", None)

    rows = (
        await session.scalars(
            select(Entitlement).where(
                Entitlement.user_id == user.id,
                or_(
                    Entitlement.video_id == video.video_id,
                    (Entitlement.kind == EntitlementKind.subscription) & Entitlement.video_id.is_(None),
                ),
            )
        )
    ).all()
    now = utcnow()
    granting: list[Entitlement] = []
    refusals: set[str] = set()
    for ent in rows:
        ok, reason = _judge(ent, video, now)
        if ok:
            granting.append(ent)
        else:
            refusals.add(reason)
    if not granting:
        reason = next((r for r in _REFUSAL_ORDER if r in refusals), "no_entitlement")
        return AccessDecision(False, reason, None)

    # Best right: by kind priority; among rentals an already running window before a fresh one.
    granting.sort(key=lambda e: (_PRIORITY[e.kind], e.first_played_at is None, e.id))
    best = granting[0]
    if best.kind == EntitlementKind.subscription:
        return AccessDecision(True, "subscription", best.expires_at)
    if best.kind != EntitlementKind.rental or best.first_played_at is not None:
        return AccessDecision(True, best.kind.value, best.expires_at)

    hours = best.rental_hours or 48
    if not start_playback:
        return AccessDecision(True, "rental", now + timedelta(hours=hours))
    # Start the window exactly once, even if two devices press play at the same moment.
    await session.execute(
        update(Entitlement)
        .where(Entitlement.id == best.id, Entitlement.first_played_at.is_(None))
        .values(first_played_at=now, expires_at=now + timedelta(hours=hours), updated_at=now)
        .execution_options(synchronize_session=False)
    )
    await session.commit()
    await session.refresh(best)
    return AccessDecision(True, "rental", best.expires_at)


# --------------------------------------------------------------------------- reading


async def list_for_user(
    session: AsyncSession,
    user_id: uuid.UUID,
    *,
    limit: int = 20,
    cursor: str | None = None,
    include_inactive: bool = False,
) -> tuple[list[Entitlement], str | None]:
    """A user's rights, newest first ("My library"). Only `user_id`'s rows, ever."""
    stmt = select(Entitlement).where(Entitlement.user_id == user_id)
    if not include_inactive:
        stmt = stmt.where(Entitlement.status != EntitlementStatus.revoked)
    rows = (await session.scalars(apply_cursor(stmt, Entitlement.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


def get_for_source(
    session: Session, source_type: SourceType, source_id: str, source_item: str = ""
) -> Entitlement | None:
    return session.scalar(
        select(Entitlement).where(
            Entitlement.source_type == source_type,
            Entitlement.source_id == str(source_id),
            Entitlement.source_item == source_item,
        )
    )


def all_for_source(
    session: Session, source_type: SourceType, source_id: str | uuid.UUID, *, lock: bool = False
) -> list[Entitlement]:
    """Every right a source gave (one, or one per video of a course bundle's purchase); with
    `lock`, locked until the transaction ends and re-read under the lock."""
    stmt = (
        select(Entitlement)
        .where(Entitlement.source_type == source_type, Entitlement.source_id == str(source_id))
        .order_by(Entitlement.id)
    )
    if lock:
        stmt = stmt.with_for_update().execution_options(populate_existing=True)
    return list(session.scalars(stmt))


# --------------------------------------------------------------------------- writing


def grant(
    session: Session,
    *,
    user_id: uuid.UUID,
    video_id: uuid.UUID | None,
    kind: EntitlementKind,
    source_type: SourceType,
    source_id: str | uuid.UUID | None = None,
    expires_at: datetime | None = None,
    rental_hours: int | None = None,
    source_item: str = "",
    status: EntitlementStatus = EntitlementStatus.active,
) -> Entitlement:
    """Create the right for a source (and item: one per video of a course bundle), or return
    the existing one unchanged (idempotent). `status` is the state a new row starts in."""
    if kind == EntitlementKind.subscription:
        if video_id is not None:
            raise ValidationFailed("A subscription right covers no single video.", code="invalid_grant")
    elif video_id is None:
        raise ValidationFailed("This kind of right needs a video.", code="invalid_grant")
    if kind == EntitlementKind.rental and (rental_hours is None or rental_hours <= 0):
        raise ValidationFailed("A rental needs a positive number of hours.", code="invalid_grant")
    source = str(source_id) if source_id is not None else str(uuid7())
    existing = get_for_source(session, source_type, source, source_item)
    if existing is not None:
        return existing
    now = utcnow()
    ent = Entitlement(
        user_id=user_id,
        video_id=video_id,
        kind=kind,
        status=status,
        source_type=source_type,
        source_id=source,
        source_item=source_item,
        granted_at=now,
        expires_at=None if kind == EntitlementKind.rental else expires_at,
        rental_hours=rental_hours if kind == EntitlementKind.rental else None,
        status_changed_at=now,
    )
    # A savepoint keeps a concurrent duplicate (same source, other worker) from failing the caller.
    from sqlalchemy.exc import IntegrityError

    try:
        with session.begin_nested():
            session.add(ent)
    except IntegrityError:
        found = get_for_source(session, source_type, source, source_item)
        if found is None:
            raise
        return found
    return ent


def _set_status(ent: Entitlement, status: EntitlementStatus, reason: str | None) -> bool:
    if ent.status == status:
        return False
    ent.status = status
    ent.status_changed_at = utcnow()
    ent.revoked_reason = reason if status == EntitlementStatus.revoked else None
    return True


def set_source_state(
    session: Session,
    source_type: SourceType,
    source_id: str | uuid.UUID,
    status: EntitlementStatus,
    *,
    reason: str | None = None,
    expires_at: datetime | None = None,
    update_expiry: bool = False,
) -> list[Entitlement]:
    """Bring every right of a source to `status` (and, with update_expiry, to `expires_at`).

    The rows are locked first (a course bundle's rights change together, whoever else is
    changing them). Returns them (none if the source has none). Setting the state a row already
    has is a no-op for that row.
    """
    rows = all_for_source(session, source_type, source_id, lock=True)
    for ent in rows:
        _set_status(ent, status, reason)
        if update_expiry and ent.kind != EntitlementKind.rental:
            ent.expires_at = expires_at
    return rows


def _by_id(session: Session, entitlement_id: uuid.UUID) -> Entitlement:
    ent = session.get(Entitlement, entitlement_id)
    if ent is None:
        raise NotFound("No such entitlement.", code="entitlement_not_found")
    return ent


def revoke(session: Session, entitlement_id: uuid.UUID, *, reason: str) -> Entitlement:
    ent = _by_id(session, entitlement_id)
    _set_status(ent, EntitlementStatus.revoked, reason)
    return ent


def suspend(session: Session, entitlement_id: uuid.UUID) -> Entitlement:
    """Active → suspended (a revoked right stays revoked)."""
    ent = _by_id(session, entitlement_id)
    if ent.status == EntitlementStatus.active:
        _set_status(ent, EntitlementStatus.suspended, None)
    return ent


def restore(session: Session, entitlement_id: uuid.UUID) -> Entitlement:
    """Suspended → active (a revoked right needs a new grant)."""
    ent = _by_id(session, entitlement_id)
    if ent.status == EntitlementStatus.suspended:
        _set_status(ent, EntitlementStatus.active, None)
    return ent


# --- your data (issue 17; app/privacy's registry calls these) --------------------------------------


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    from app.db.export import rows

    return {"entitlements": rows(session.scalars(select(Entitlement).where(Entitlement.user_id == user_id)))}


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Access rights of an erased account serve no one."""
    from sqlalchemy import delete

    session.execute(delete(Entitlement).where(Entitlement.user_id == user_id))
