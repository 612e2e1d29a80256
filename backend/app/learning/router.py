"""Learning HTTP API (/api/v1/learning): the student's progress, settings, milestones, rewards;
leaderboards; instructors' reward offers."""

from __future__ import annotations

import asyncio
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response, status
from sqlalchemy.orm import Session

from app.core.clock import utcnow
from app.core.errors import NotFound, ValidationFailed, error_responses
from app.deps import CurrentUser, InstructorUser, SessionDep, VerifiedUser
from app.learning import leaderboard, rewards, service
from app.learning.schemas import (
    BadgeOut,
    BeltOut,
    BoardOut,
    BoardRowOut,
    OfferIn,
    OfferOut,
    RewardOut,
    ScorePointOut,
    SettingsIn,
    StreakOut,
    SummaryOut,
    TechniqueProgressOut,
)

router = APIRouter(prefix="/learning", tags=["learning"])

BoardLimit = Annotated[int, Query(ge=1, le=leaderboard.MAX_ROWS)]


def _summary_out(summary: service.Summary) -> SummaryOut:
    s = summary.streak
    return SummaryOut(
        xp=summary.xp,
        level=summary.level,
        streak=StreakOut(days=s.days, alive=s.alive, at_risk=s.at_risk, grace_days=list(s.grace_days)),
        weekly_goal=summary.weekly_goal,
        week_days=summary.week_days,
        week_xp=summary.week_xp,
        timezone=summary.timezone,
        leaderboard_opt_out=summary.leaderboard_opt_out,
        badges=[BadgeOut(badge=b.badge, earned_at=b.earned_at) for b in summary.badges],
        techniques=summary.techniques,
    )


@router.get("/me", response_model=SummaryOut)
async def my_progress(user: CurrentUser, session: SessionDep) -> SummaryOut:
    return _summary_out(await session.run_sync(service.summary, user.id, utcnow()))


@router.patch("/me", response_model=SummaryOut, responses=error_responses(ValidationFailed))
async def update_settings(body: SettingsIn, user: CurrentUser, session: SessionDep) -> SummaryOut:
    """Time zone (IANA, e.g. Europe/Rome), weekly goal (1-7 practice days; null clears it),
    leaderboard opt-out."""
    clear = "weekly_goal" in body.model_fields_set and body.weekly_goal is None

    def apply(s: Session) -> service.Summary:
        service.update_settings(
            s,
            user.id,
            timezone=body.timezone,
            weekly_goal=body.weekly_goal,
            clear_goal=clear,
            leaderboard_opt_out=body.leaderboard_opt_out,
        )
        return service.summary(s, user.id, utcnow())

    summary = await session.run_sync(apply)
    await session.commit()
    return _summary_out(summary)


@router.get(
    "/me/techniques/{technique}", response_model=TechniqueProgressOut, responses=error_responses(NotFound)
)
async def technique_progress(technique: str, user: CurrentUser, session: SessionDep) -> TechniqueProgressOut:
    """Belt milestones of one technique type and the student's score history."""
    p = await session.run_sync(service.technique_progress, user.id, technique)
    return TechniqueProgressOut(
        technique=p.technique,
        belts=[
            BeltOut(belt=b.belt, min_score=b.min_score, attempts=b.attempts, earned_at=b.earned_at)
            for b in p.belts
        ],
        next_belt=p.next_belt,
        next_needs=p.next_needs,
        best=p.best,
        history=[ScorePointOut(at=h.at, score=h.score) for h in p.history],
    )


async def _board(
    session: SessionDep,
    user_id: uuid.UUID,
    name: str,
    key: str,
    ttl: int,
    sql: leaderboard.StandingsQuery,
    limit: int,
) -> BoardOut:
    rows = await leaderboard.read_board(
        session, key=key, ttl_seconds=ttl, standings_sql=sql, viewer_id=user_id, limit=limit
    )
    opted_out = await session.run_sync(leaderboard.is_opted_out, user_id)
    return BoardOut(
        board=name,
        rows=[
            BoardRowOut(rank=r.rank, display_name=r.display_name, value=r.value, is_me=r.is_me) for r in rows
        ],
        opted_out=opted_out,
    )


@router.get(
    "/leaderboards/weeks/{week}", response_model=BoardOut, responses=error_responses(ValidationFailed)
)
async def week_board(week: str, user: CurrentUser, session: SessionDep, limit: BoardLimit = 20) -> BoardOut:
    """XP earned in an ISO week (UTC), e.g. 2026-W48, or `current`."""
    week = leaderboard.current_week(utcnow()) if week == "current" else week
    leaderboard.week_bounds(week)  # 422 for a malformed week

    def sql(s: Session) -> list[leaderboard.Standing]:
        return leaderboard.week_standings(s, week)

    return await _board(
        session, user.id, f"week:{week}", leaderboard.week_key(week), leaderboard.WEEK_TTL_SECONDS, sql, limit
    )


@router.get("/leaderboards/references/{reference_id}", response_model=BoardOut)
async def reference_board(
    reference_id: uuid.UUID, user: CurrentUser, session: SessionDep, limit: BoardLimit = 20
) -> BoardOut:
    """Each student's best score on one reference technique."""

    def sql(s: Session) -> list[leaderboard.Standing]:
        return leaderboard.reference_standings(s, reference_id)

    return await _board(
        session,
        user.id,
        f"reference:{reference_id}",
        leaderboard.reference_key(reference_id),
        leaderboard.REFERENCE_TTL_SECONDS,
        sql,
        limit,
    )


# --- rewards


def _reward_out(r: service.RewardView) -> RewardOut:
    return RewardOut(
        grant_id=r.grant_id,
        instructor_name=r.instructor_name,
        technique=r.technique,
        belt=r.belt,
        percent_off=r.percent_off,
        code=r.code,
        unlocked_at=r.unlocked_at,
    )


@router.get("/me/rewards", response_model=list[RewardOut])
async def my_rewards(user: CurrentUser, session: SessionDep) -> list[RewardOut]:
    return [_reward_out(r) for r in await session.run_sync(service.list_rewards, user.id)]


@router.post(
    "/me/rewards/{grant_id}/claim",
    response_model=RewardOut,
    responses=error_responses(NotFound, 503),
)
async def claim_reward(grant_id: uuid.UUID, user: VerifiedUser, session: SessionDep) -> RewardOut:
    """Turn an unlocked reward into a one-use promotion code (Stripe); idempotent."""
    plan = await session.run_sync(service.plan_claim, user.id, grant_id)
    if plan is not None:
        provider_id = await asyncio.to_thread(rewards.create_code, plan)
        await session.run_sync(service.mark_claimed, grant_id, provider_id)
        await session.commit()
    views = await session.run_sync(service.list_rewards, user.id)
    return next(_reward_out(r) for r in views if r.grant_id == grant_id)


@router.get("/offers", response_model=list[OfferOut])
async def my_offers(user: InstructorUser, session: SessionDep) -> list[OfferOut]:
    return [OfferOut.model_validate(o) for o in await session.run_sync(service.list_offers, user.id)]


@router.post(
    "/offers",
    status_code=status.HTTP_201_CREATED,
    response_model=OfferOut,
    responses=error_responses(ValidationFailed),
)
async def create_offer(body: OfferIn, user: InstructorUser, session: SessionDep) -> OfferOut:
    """A discount students unlock by reaching `belt` in `technique` while practising your references."""
    offer = await session.run_sync(
        lambda s: service.create_offer(
            s, user.id, technique=body.technique, belt=body.belt, percent_off=body.percent_off
        )
    )
    out = OfferOut.model_validate(offer)
    await session.commit()
    return out


@router.delete(
    "/offers/{offer_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound)
)
async def withdraw_offer(offer_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> Response:
    """Students who already unlocked it keep their reward."""
    await session.run_sync(service.withdraw_offer, user.id, offer_id)
    await session.commit()
    return Response(status_code=status.HTTP_204_NO_CONTENT)
