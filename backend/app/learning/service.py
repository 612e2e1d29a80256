"""Progress and gamification: events in, XP, streaks, badges, belts and rewards out.

Where events come from:
- studio: an attempt whose pose report became ready (`record_attempt_ready`), called by
  app/studio/jobs.py in the same transaction that marks the attempt ready, so the attempt is
  ready if and only if its awards exist (no queue hop that could lose or double them);
- analytics (playback beacons): `record_watch(session, user_id, video_id, seconds)`, to be wired
  by the coordinator.

Exactly once: the event row is inserted with ON CONFLICT DO NOTHING on (user, event key) and only
the transaction that inserted it computes the awards; the student's profile row is locked first
(SELECT ... FOR UPDATE), so two events of one student are applied one after the other and the
streak / belt counts each sees include the other. Award rows are unique on (user, award key,
event), badges on (user, badge): a rerun adds nothing.

Everything here is sync (a worker's Session); the API calls it through `session.run_sync`.
"""

from __future__ import annotations

import secrets
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import structlog
from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from app.auth import service as auth_service
from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed
from app.db.base import insert_ignoring_conflicts
from app.learning import events as _events
from app.learning import leaderboard, rules
from app.learning.models import (
    LearningAward,
    LearningBadge,
    LearningEvent,
    LearningProfile,
    RewardGrant,
    RewardOffer,
)

log = structlog.get_logger(__name__)

PRACTICE = "practice"
WATCH = "watch"
HISTORY_DAYS = 400  # how far back a streak is looked for


# --- profile


def _profile(session: Session, user_id: uuid.UUID, *, lock: bool = False) -> LearningProfile:
    session.execute(insert_ignoring_conflicts(session, LearningProfile, "user_id").values(user_id=user_id))
    query = select(LearningProfile).where(LearningProfile.user_id == user_id)
    if lock:
        query = query.with_for_update()
    profile = session.scalars(query.execution_options(populate_existing=True)).one()
    return profile


def update_settings(
    session: Session,
    user_id: uuid.UUID,
    *,
    timezone: str | None = None,
    weekly_goal: int | None = None,
    clear_goal: bool = False,
    leaderboard_opt_out: bool | None = None,
) -> LearningProfile:
    if timezone is not None and not rules.valid_timezone(timezone):
        raise ValidationFailed(
            f"Unknown time zone {timezone!r}. Pick one from the list (e.g. Europe/Rome).",
            code="learning_unknown_timezone",
        )
    if weekly_goal is not None and not 1 <= weekly_goal <= 7:
        raise ValidationFailed("A weekly goal is 1 to 7 practice days.", code="learning_goal_out_of_range")
    profile = _profile(session, user_id, lock=True)
    if timezone is not None:
        profile.timezone = timezone
    if clear_goal:
        profile.weekly_goal = None
    elif weekly_goal is not None:
        profile.weekly_goal = weekly_goal
    if leaderboard_opt_out is not None:
        profile.leaderboard_opt_out = leaderboard_opt_out
    session.flush()
    return profile


# --- events


@dataclass
class Applied:
    """What one event added (empty when the event had been applied before)."""

    new: bool
    xp: int = 0
    badges: list[str] = field(default_factory=list)
    grants: list[uuid.UUID] = field(default_factory=list)


def _insert_event(session: Session, **values: Any) -> LearningEvent | None:
    inserted = session.execute(
        insert_ignoring_conflicts(session, LearningEvent, "user_id", "event_key")
        .values(**values)
        .returning(LearningEvent.id)
    ).scalar_one_or_none()
    return None if inserted is None else session.get(LearningEvent, inserted)


def _award(session: Session, applied: Applied, ev: LearningEvent, key: str, xp: int, now: datetime) -> bool:
    row = session.execute(
        insert_ignoring_conflicts(session, LearningAward, "user_id", "award_key", "event_id")
        .values(user_id=ev.user_id, award_key=key, event_id=ev.id, xp=xp, created_at=now)
        .returning(LearningAward.xp)
    ).scalar_one_or_none()
    if row is None:
        return False
    applied.xp += int(row)
    return True


def _badge(session: Session, applied: Applied, ev: LearningEvent, badge: str, xp: int, now: datetime) -> None:
    inserted = session.execute(
        insert_ignoring_conflicts(session, LearningBadge, "user_id", "badge")
        .values(user_id=ev.user_id, badge=badge, event_id=ev.id, earned_at=now)
        .returning(LearningBadge.badge)
    ).scalar_one_or_none()
    if inserted is None:
        return
    applied.badges.append(badge)
    if xp:
        _award(session, applied, ev, f"badge:{badge}", xp, now)
    _events.badge_earned(session, user_id=ev.user_id, badge=badge)


def record_attempt_ready(
    session: Session,
    *,
    attempt_id: uuid.UUID,
    user_id: uuid.UUID,
    reference_id: uuid.UUID,
    instructor_id: uuid.UUID,
    technique: str,
    score: float | None,
    at: datetime | None = None,
) -> Applied:
    """A student's attempt has its report: XP for practising, for a new best score on the
    reference, badges, belts and unlocked rewards. Idempotent on the attempt id."""
    now = at or utcnow()
    profile = _profile(session, user_id, lock=True)
    ev = _insert_event(
        session,
        user_id=user_id,
        event_key=f"attempt:{attempt_id}",
        kind=PRACTICE,
        occurred_at=now,
        reference_id=reference_id,
        instructor_id=instructor_id,
        technique=technique,
        score=score,
    )
    if ev is None:
        return Applied(new=False)
    applied = Applied(new=True)
    _award(session, applied, ev, PRACTICE, rules.PRACTICE_XP, now)
    previous_best = session.scalar(
        select(func.max(LearningEvent.score)).where(
            LearningEvent.user_id == user_id,
            LearningEvent.reference_id == reference_id,
            LearningEvent.id != ev.id,
        )
    )
    gained = rules.improvement_xp(previous_best, score)
    if gained:
        _award(session, applied, ev, "improvement", gained, now)
    _badge(session, applied, ev, rules.FIRST_ATTEMPT, rules.BADGE_XP[rules.FIRST_ATTEMPT], now)
    if score is not None and score >= rules.SCORE_BADGE_MIN:
        _badge(session, applied, ev, rules.SCORE_90, rules.BADGE_XP[rules.SCORE_90], now)
    _streak_badge(session, applied, ev, profile, now)
    _belts(session, applied, ev, now)
    profile.xp += applied.xp
    session.flush()
    leaderboard.mirror_after_commit(session, user_id, reference_id, at=now)
    return applied


def record_watch(
    session: Session, user_id: uuid.UUID, video_id: uuid.UUID, seconds: int, *, at: datetime | None = None
) -> Applied:
    """Playback: `seconds` is how long the student has watched `video_id` so far today (their
    day), as analytics totals it from beacons. Only a larger total earns more: redelivering or
    repeating a report adds nothing. One XP per minute, at most 30 per video per day."""
    now = at or utcnow()
    profile = _profile(session, user_id, lock=True)
    day = rules.local_day(now, profile.timezone)
    key = f"watch:{video_id}:{day.isoformat()}"
    _insert_event(session, user_id=user_id, event_key=key, kind=WATCH, occurred_at=now, seconds=0)
    ev = session.scalars(
        select(LearningEvent)
        .where(LearningEvent.user_id == user_id, LearningEvent.event_key == key)
        .with_for_update()
        .execution_options(populate_existing=True)
    ).one()
    applied = Applied(new=seconds > ev.seconds)
    if not applied.new:
        return applied
    before = rules.watch_xp(ev.seconds)
    ev.seconds = seconds
    ev.occurred_at = now
    after = rules.watch_xp(seconds)
    if after > before:
        _award(session, applied, ev, f"watch:{after}", after - before, now)
    _streak_badge(session, applied, ev, profile, now)
    profile.xp += applied.xp
    session.flush()
    leaderboard.mirror_after_commit(session, user_id, None, at=now)
    return applied


def _active_days(session: Session, user_id: uuid.UUID, timezone: str, now: datetime) -> set[date]:
    moments = session.scalars(
        select(LearningEvent.occurred_at).where(
            LearningEvent.user_id == user_id,
            LearningEvent.occurred_at >= now - timedelta(days=HISTORY_DAYS),
            (LearningEvent.kind == PRACTICE) | (LearningEvent.seconds >= rules.ACTIVE_WATCH_SECONDS),
        )
    )
    return {rules.local_day(m, timezone) for m in moments}


def _streak_badge(
    session: Session, applied: Applied, ev: LearningEvent, profile: LearningProfile, now: datetime
) -> None:
    today = rules.local_day(now, profile.timezone)
    current = rules.streak(_active_days(session, ev.user_id, profile.timezone, now), today)
    if current.days >= rules.STREAK_BADGE_DAYS:
        _badge(session, applied, ev, rules.STREAK_7, rules.BADGE_XP[rules.STREAK_7], now)


def _technique_scores(session: Session, user_id: uuid.UUID, technique: str) -> list[float]:
    return [
        s
        for s in session.scalars(
            select(LearningEvent.score).where(
                LearningEvent.user_id == user_id,
                LearningEvent.technique == technique,
                LearningEvent.score.is_not(None),
            )
        )
        if s is not None
    ]


def _belts(session: Session, applied: Applied, ev: LearningEvent, now: datetime) -> None:
    if ev.technique is None or ev.score is None:
        return
    reached = rules.belts_reached(_technique_scores(session, ev.user_id, ev.technique))
    for belt in reached:
        _badge(session, applied, ev, rules.belt_badge(ev.technique, belt), rules.BELT_XP, now)
    if len(reached) == len(rules.BELTS):
        _badge(session, applied, ev, rules.path_badge(ev.technique), rules.PATH_XP, now)
    if reached and ev.instructor_id is not None:
        _unlock_rewards(session, applied, ev, reached, now)


def _unlock_rewards(
    session: Session, applied: Applied, ev: LearningEvent, reached: list[str], now: datetime
) -> None:
    """Offers of the instructor whose reference was practised, for a belt the student now holds
    in that technique."""
    offers = session.scalars(
        select(RewardOffer).where(
            RewardOffer.instructor_id == ev.instructor_id,
            RewardOffer.technique == ev.technique,
            RewardOffer.belt.in_(reached),
            RewardOffer.active.is_(True),
        )
    ).all()
    for offer in offers:
        grant_id = session.execute(
            insert_ignoring_conflicts(session, RewardGrant, "offer_id", "user_id")
            .values(offer_id=offer.id, user_id=ev.user_id, code=_new_code(), created_at=now)
            .returning(RewardGrant.id)
        ).scalar_one_or_none()
        if grant_id is not None:
            applied.grants.append(grant_id)
            _events.reward_unlocked(session, user_id=ev.user_id, grant_id=grant_id)


def _new_code() -> str:
    return f"MAMC-{secrets.token_hex(5).upper()}"


# --- reads


@dataclass(frozen=True)
class BadgeView:
    badge: str
    earned_at: datetime


@dataclass(frozen=True)
class Summary:
    xp: int
    level: int
    streak: rules.Streak
    weekly_goal: int | None
    week_days: int  # practice days so far this (local) week
    week_xp: int
    timezone: str
    leaderboard_opt_out: bool
    badges: list[BadgeView]
    techniques: list[str]  # those practised (with a score), for the milestones view


def level_of(xp: int) -> int:
    """Level n needs 100 * n * (n - 1) / 2 XP: 0, 100, 300, 600, ..."""
    level = 1
    while xp >= 100 * level * (level + 1) // 2:
        level += 1
    return level


def _day_bounds(day: date, timezone: str) -> datetime:
    return datetime.combine(day, time(), tzinfo=rules.zone(timezone)).astimezone(UTC)


def summary(session: Session, user_id: uuid.UUID, now: datetime | None = None) -> Summary:
    now = now or utcnow()
    profile = session.get(LearningProfile, user_id) or LearningProfile(user_id=user_id, timezone="UTC", xp=0)
    timezone = profile.timezone or "UTC"
    today = rules.local_day(now, timezone)
    monday = rules.week_start(today)
    since = _day_bounds(monday, timezone)
    practice_days = {
        rules.local_day(m, timezone)
        for m in session.scalars(
            select(LearningEvent.occurred_at).where(
                LearningEvent.user_id == user_id,
                LearningEvent.kind == PRACTICE,
                LearningEvent.occurred_at >= since,
            )
        )
    }
    week_xp = session.scalar(
        select(func.coalesce(func.sum(LearningAward.xp), 0)).where(
            LearningAward.user_id == user_id, LearningAward.created_at >= since
        )
    )
    badges = [
        BadgeView(b.badge, b.earned_at)
        for b in session.scalars(
            select(LearningBadge)
            .where(LearningBadge.user_id == user_id, LearningBadge.badge.not_like(f"{rules.BELT_PREFIX}%"))
            .order_by(LearningBadge.earned_at)
        )
    ]
    techniques = sorted(
        t
        for t in session.scalars(
            select(LearningEvent.technique)
            .where(LearningEvent.user_id == user_id, LearningEvent.technique.is_not(None))
            .distinct()
        )
        if t is not None
    )
    return Summary(
        xp=profile.xp or 0,
        level=level_of(profile.xp or 0),
        streak=rules.streak(_active_days(session, user_id, timezone, now), today),
        weekly_goal=profile.weekly_goal,
        week_days=len(practice_days),
        week_xp=int(week_xp or 0),
        timezone=timezone,
        leaderboard_opt_out=bool(profile.leaderboard_opt_out),
        badges=badges,
        techniques=techniques,
    )


def streaks_at_risk(session: Session, now: datetime | None = None) -> list[uuid.UUID]:
    """Students whose streak needs practice today (their local today: yesterday was the grace
    day). For the notifications domain's "streak at risk" reminder (a beat task)."""
    now = now or utcnow()
    recent = (
        select(LearningEvent.user_id).where(LearningEvent.occurred_at >= now - timedelta(days=3)).distinct()
    )
    at_risk: list[uuid.UUID] = []
    for user_id in session.scalars(recent):
        profile = session.get(LearningProfile, user_id)
        timezone = profile.timezone if profile is not None else "UTC"
        days = _active_days(session, user_id, timezone, now)
        if rules.streak(days, rules.local_day(now, timezone)).at_risk:
            at_risk.append(user_id)
    return at_risk


def remind_streaks_at_risk(session: Session, now: datetime | None = None) -> int:
    """Daily beat: notify every student whose streak is at risk, at most once per their local
    day however often it runs. Returns how many were notified."""
    now = now or utcnow()
    sent = 0
    for user_id in streaks_at_risk(session, now):
        profile = _profile(session, user_id, lock=True)
        tz = rules.zone(profile.timezone)
        since = datetime.combine(rules.local_day(now, profile.timezone), time(), tzinfo=tz).astimezone(UTC)
        if _events.streak_at_risk(session, user_id=user_id, since=since):
            sent += 1
        session.commit()
    return sent


@dataclass(frozen=True)
class ScorePoint:
    at: datetime
    score: float
    reference_id: uuid.UUID | None


@dataclass(frozen=True)
class BeltView:
    belt: str
    min_score: float
    attempts: int
    earned_at: datetime | None


@dataclass(frozen=True)
class TechniqueProgress:
    technique: str
    belts: list[BeltView]
    next_belt: str | None
    next_needs: int  # scored attempts still needed at the next belt's score
    best: float | None
    history: list[ScorePoint]


def technique_progress(session: Session, user_id: uuid.UUID, technique: str) -> TechniqueProgress:
    if technique not in rules.BELT_PATHS:
        raise NotFound("Unknown technique.", code="learning_unknown_technique")
    rows = session.execute(
        select(LearningEvent.occurred_at, LearningEvent.score, LearningEvent.reference_id)
        .where(
            LearningEvent.user_id == user_id,
            LearningEvent.technique == technique,
            LearningEvent.score.is_not(None),
        )
        .order_by(LearningEvent.occurred_at)
    ).all()
    history = [ScorePoint(at, score, ref) for at, score, ref in rows if score is not None]
    earned = {
        b.badge: b.earned_at
        for b in session.scalars(
            select(LearningBadge).where(
                LearningBadge.user_id == user_id,
                LearningBadge.badge.like(f"{rules.BELT_PREFIX}{technique}:%"),
            )
        )
    }
    belts = [
        BeltView(b.name, b.min_score, b.attempts, earned.get(rules.belt_badge(technique, b.name)))
        for b in rules.BELT_PATHS[technique]
    ]
    reached = rules.belts_reached(p.score for p in history)
    upcoming = rules.next_belt(reached)
    needs = 0
    if upcoming is not None:
        needs = upcoming.attempts - sum(1 for p in history if p.score >= upcoming.min_score)
    return TechniqueProgress(
        technique=technique,
        belts=belts,
        next_belt=None if upcoming is None else upcoming.name,
        next_needs=max(needs, 0),
        best=max((p.score for p in history), default=None),
        history=history,
    )


# --- rewards


def create_offer(
    session: Session, instructor_id: uuid.UUID, *, technique: str, belt: str, percent_off: int
) -> RewardOffer:
    if technique not in rules.BELT_PATHS:
        raise ValidationFailed("Unknown technique.", code="learning_unknown_technique")
    if belt not in rules.BELT_NAMES:
        raise ValidationFailed("Unknown belt.", code="learning_unknown_belt")
    if not 1 <= percent_off <= 100:
        raise ValidationFailed("A discount is 1 to 100 percent.", code="learning_discount_out_of_range")
    offer = RewardOffer(instructor_id=instructor_id, technique=technique, belt=belt, percent_off=percent_off)
    session.add(offer)
    session.flush()
    return offer


def list_offers(session: Session, instructor_id: uuid.UUID) -> list[RewardOffer]:
    return list(
        session.scalars(
            select(RewardOffer)
            .where(RewardOffer.instructor_id == instructor_id)
            .order_by(RewardOffer.created_at)
        )
    )


def withdraw_offer(session: Session, instructor_id: uuid.UUID, offer_id: uuid.UUID) -> None:
    offer = session.get(RewardOffer, offer_id)
    if offer is None or offer.instructor_id != instructor_id:
        raise NotFound("No such offer.", code="learning_offer_not_found")
    offer.active = False
    session.flush()


@dataclass(frozen=True)
class RewardView:
    grant_id: uuid.UUID
    instructor_name: str
    technique: str
    belt: str
    percent_off: int
    code: str | None  # shown once it exists at the payment provider
    unlocked_at: datetime


def list_rewards(session: Session, user_id: uuid.UUID) -> list[RewardView]:
    rows = session.execute(
        select(RewardGrant, RewardOffer)
        .join(RewardOffer, RewardOffer.id == RewardGrant.offer_id)
        .where(RewardGrant.user_id == user_id)
        .order_by(RewardGrant.created_at)
    ).all()
    names = auth_service.get_users(session, [o.instructor_id for _, o in rows])
    return [
        RewardView(
            grant_id=g.id,
            instructor_name=names[o.instructor_id].display_name if o.instructor_id in names else "—",
            technique=o.technique,
            belt=o.belt,
            percent_off=o.percent_off,
            code=g.code if g.provider_id else None,
            unlocked_at=g.created_at,
        )
        for g, o in rows
    ]


@dataclass(frozen=True)
class ClaimPlan:
    """What the payment provider must be asked to create for a grant (None: already done)."""

    grant_id: uuid.UUID
    code: str
    percent_off: int
    instructor_id: uuid.UUID


def plan_claim(session: Session, user_id: uuid.UUID, grant_id: uuid.UUID) -> ClaimPlan | None:
    grant = session.get(RewardGrant, grant_id)
    if grant is None or grant.user_id != user_id:
        raise NotFound("No such reward.", code="learning_reward_not_found")
    if grant.provider_id:
        return None
    offer = session.get(RewardOffer, grant.offer_id)
    assert offer is not None
    return ClaimPlan(grant.id, grant.code, offer.percent_off, offer.instructor_id)


def mark_claimed(session: Session, grant_id: uuid.UUID, provider_id: str) -> None:
    session.execute(
        update(RewardGrant)
        .where(RewardGrant.id == grant_id, RewardGrant.provider_id.is_(None))
        .values(provider_id=provider_id)
    )


# --- data rights (#17 "Your data")


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    profile = session.get(LearningProfile, user_id)
    events = session.scalars(
        select(LearningEvent).where(LearningEvent.user_id == user_id).order_by(LearningEvent.occurred_at)
    )
    awards = session.scalars(
        select(LearningAward).where(LearningAward.user_id == user_id).order_by(LearningAward.created_at)
    )
    badges = session.scalars(select(LearningBadge).where(LearningBadge.user_id == user_id))
    return {
        "profile": None
        if profile is None
        else {
            "timezone": profile.timezone,
            "weekly_goal": profile.weekly_goal,
            "leaderboard_opt_out": profile.leaderboard_opt_out,
            "xp": profile.xp,
        },
        "events": [
            {
                "kind": e.kind,
                "key": e.event_key,
                "occurred_at": e.occurred_at.isoformat(),
                "reference_id": None if e.reference_id is None else str(e.reference_id),
                "technique": e.technique,
                "score": e.score,
                "seconds": e.seconds,
            }
            for e in events
        ],
        "awards": [{"award": a.award_key, "xp": a.xp, "at": a.created_at.isoformat()} for a in awards],
        "badges": [{"badge": b.badge, "earned_at": b.earned_at.isoformat()} for b in badges],
        "rewards": [
            {"code": r.code, "percent_off": r.percent_off, "unlocked_at": r.unlocked_at.isoformat()}
            for r in list_rewards(session, user_id)
        ],
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Everything learning holds about the student goes (discount codes are not money rows); an
    instructor's offers go with them."""
    for model in (RewardGrant, LearningBadge, LearningAward, LearningEvent):
        session.execute(delete(model).where(model.user_id == user_id))
    session.execute(delete(RewardOffer).where(RewardOffer.instructor_id == user_id))
    session.execute(delete(LearningProfile).where(LearningProfile.user_id == user_id))
    leaderboard.mirror_after_commit(session, user_id, None, at=utcnow(), erased=True)
