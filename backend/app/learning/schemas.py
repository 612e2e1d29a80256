from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field


class StreakOut(BaseModel):
    days: int = Field(description="Active days in the current streak (forgiven days do not count)")
    alive: bool
    at_risk: bool = Field(description="Yesterday was the grace day: practise today to keep the streak")
    grace_days: list[date]


class BadgeOut(BaseModel):
    badge: str = Field(examples=["first_attempt", "streak_7", "score_90", "path:kick"])
    earned_at: datetime


class SummaryOut(BaseModel):
    xp: int
    level: int
    streak: StreakOut
    weekly_goal: int | None = Field(description="Practice days per week the student aims for")
    week_days: int = Field(description="Practice days so far this week (the student's time zone)")
    week_xp: int
    timezone: str
    leaderboard_opt_out: bool
    badges: list[BadgeOut]
    techniques: list[str]


class SettingsIn(BaseModel):
    timezone: str | None = Field(default=None, max_length=64, examples=["Europe/Rome"])
    weekly_goal: int | None = Field(default=None, ge=1, le=7, description="1-7 practice days; null clears it")
    leaderboard_opt_out: bool | None = None


class BeltOut(BaseModel):
    belt: str
    min_score: float
    attempts: int
    earned_at: datetime | None


class ScorePointOut(BaseModel):
    at: datetime
    score: float


class TechniqueProgressOut(BaseModel):
    technique: str
    belts: list[BeltOut]
    next_belt: str | None
    next_needs: int
    best: float | None
    history: list[ScorePointOut]


class BoardRowOut(BaseModel):
    """Display name only: never another student's id or email."""

    rank: int
    display_name: str
    value: float
    is_me: bool


class BoardOut(BaseModel):
    board: str = Field(examples=["week:2026-W48", "reference"])
    rows: list[BoardRowOut]
    opted_out: bool = Field(description="The viewer is hidden from boards (their choice)")


class OfferIn(BaseModel):
    technique: str = Field(examples=["kick"])
    belt: str = Field(examples=["green"])
    percent_off: int = Field(ge=1, le=100)


class OfferOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    technique: str
    belt: str
    percent_off: int
    active: bool
    created_at: datetime


class RewardOut(BaseModel):
    grant_id: uuid.UUID
    instructor_name: str
    technique: str
    belt: str
    percent_off: int
    code: str | None = Field(description="The promotion code, once claimed")
    unlocked_at: datetime
