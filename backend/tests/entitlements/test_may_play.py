"""may_play: the one answer to "may this user play this video now?", for every kind of right."""

from __future__ import annotations

import uuid
from datetime import timedelta

from app.auth.models import Role
from app.core.clock import utcnow
from app.db.session import async_session_scope, sync_session
from app.entitlements import service as ent
from app.entitlements.models import Entitlement, EntitlementKind, EntitlementStatus, SourceType


def _video(owner_id: uuid.UUID, *, free: bool = False, sub: bool = False) -> ent.PlayableVideo:
    return ent.PlayableVideo(
        video_id=uuid.uuid4(), owner_id=owner_id, is_free=free, subscription_included=sub
    )


def _grant(
    user_id: uuid.UUID, video_id: uuid.UUID | None, kind: EntitlementKind, **kw: object
) -> Entitlement:
    with sync_session() as s:
        source_type = {
            EntitlementKind.subscription: SourceType.subscription,
            EntitlementKind.manual: SourceType.admin,
        }.get(kind, SourceType.purchase)
        return ent.grant(
            s,
            user_id=user_id,
            video_id=video_id,
            kind=kind,
            source_type=source_type,
            **kw,  # type: ignore[arg-type]
        )


async def _ask(user, video, start: bool = True) -> ent.AccessDecision:  # type: ignore[no-untyped-def]
    async with async_session_scope() as s:
        return await ent.may_play(s, user=user, video=video, start_playback=start)


async def test_owner_admin_and_free(make_user) -> None:  # type: ignore[no-untyped-def]
    owner = make_user(role=Role.instructor)
    admin = make_user(role=Role.admin)
    student = make_user()
    paid = _video(owner.id)
    assert (await _ask(owner, paid)).reason == "owner"
    assert (await _ask(admin, paid)).reason == "admin"
    refused = await _ask(student, paid)
    assert not refused.allowed and refused.reason == "no_entitlement"
    assert (await _ask(student, _video(owner.id, free=True))).reason == "free"


async def test_ppv_is_forever_and_only_for_that_video(make_user) -> None:  # type: ignore[no-untyped-def]
    owner, student = make_user(role=Role.instructor), make_user()
    video, other = _video(owner.id), _video(owner.id)
    _grant(student.id, video.video_id, EntitlementKind.ppv)
    decision = await _ask(student, video)
    assert decision.allowed and decision.reason == "ppv" and decision.expires_at is None
    assert not (await _ask(student, other)).allowed


async def test_rental_window_starts_at_first_play_and_expires(make_user) -> None:  # type: ignore[no-untyped-def]
    owner, student = make_user(role=Role.instructor), make_user()
    video = _video(owner.id)
    row = _grant(student.id, video.video_id, EntitlementKind.rental, rental_hours=48)
    peek = await _ask(student, video, start=False)
    assert peek.allowed and peek.reason == "rental"
    with sync_session() as s:
        assert s.get(Entitlement, row.id).first_played_at is None  # type: ignore[union-attr]
    first = await _ask(student, video)
    assert first.allowed and first.expires_at is not None
    assert abs((first.expires_at - utcnow()) - timedelta(hours=48)) < timedelta(minutes=1)
    again = await _ask(student, video)
    assert again.expires_at == first.expires_at  # the window does not restart
    with sync_session() as s:
        r = s.get(Entitlement, row.id)
        assert r is not None
        r.first_played_at = utcnow() - timedelta(hours=49)
        r.expires_at = utcnow() - timedelta(hours=1)
    late = await _ask(student, video)
    assert not late.allowed and late.reason == "expired"


async def test_subscription_covers_included_videos_while_period_lasts(make_user) -> None:  # type: ignore[no-untyped-def]
    owner, student = make_user(role=Role.instructor), make_user()
    included, excluded = _video(owner.id, sub=True), _video(owner.id, sub=False)
    row = _grant(student.id, None, EntitlementKind.subscription, expires_at=utcnow() + timedelta(days=30))
    assert (await _ask(student, included)).reason == "subscription"
    refused = await _ask(student, excluded)
    assert not refused.allowed and refused.reason == "not_in_subscription"
    with sync_session() as s:
        ent.set_source_state(
            s,
            SourceType.subscription,
            row.source_id,
            EntitlementStatus.active,
            expires_at=utcnow() - timedelta(seconds=1),
            update_expiry=True,
        )
    lapsed = await _ask(student, included)
    assert not lapsed.allowed and lapsed.reason == "expired"


async def test_suspended_and_revoked_refuse_and_restore_returns(make_user) -> None:  # type: ignore[no-untyped-def]
    owner, student = make_user(role=Role.instructor), make_user()
    video = _video(owner.id)
    row = _grant(student.id, video.video_id, EntitlementKind.ppv)
    with sync_session() as s:
        ent.suspend(s, row.id)
    assert (await _ask(student, video)).reason == "suspended"
    with sync_session() as s:
        ent.restore(s, row.id)
    assert (await _ask(student, video)).allowed
    with sync_session() as s:
        ent.revoke(s, row.id, reason="refund")
        ent.restore(s, row.id)  # a revoked right is not restored
    refused = await _ask(student, video)
    assert not refused.allowed and refused.reason == "revoked"


async def test_a_subscriber_does_not_burn_a_rental_by_playing(make_user) -> None:  # type: ignore[no-untyped-def]
    owner, student = make_user(role=Role.instructor), make_user()
    video = _video(owner.id, sub=True)
    rental = _grant(student.id, video.video_id, EntitlementKind.rental, rental_hours=24)
    _grant(student.id, None, EntitlementKind.subscription, expires_at=utcnow() + timedelta(days=3))
    assert (await _ask(student, video)).reason == "subscription"
    with sync_session() as s:
        assert s.get(Entitlement, rental.id).first_played_at is None  # type: ignore[union-attr]


async def test_grant_is_idempotent_per_source(make_user) -> None:  # type: ignore[no-untyped-def]
    student = make_user()
    video_id, source = uuid.uuid4(), str(uuid.uuid4())
    a = _grant(student.id, video_id, EntitlementKind.ppv, source_id=source)
    b = _grant(student.id, video_id, EntitlementKind.ppv, source_id=source)
    assert a.id == b.id
    async with async_session_scope() as s:
        items, _ = await ent.list_for_user(s, student.id)
        assert [i.id for i in items] == [a.id]
    async with async_session_scope() as s:
        other_items, _ = await ent.list_for_user(s, make_user().id)
        assert other_items == []
