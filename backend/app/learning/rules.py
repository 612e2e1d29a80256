"""The rules of XP, streaks, belts and badges: pure functions of the student's history and a
date, so tests drive them with any clock.

Days are the student's local days: the IANA zone they set in their learning settings, UTC until
they set one (users have no stored zone elsewhere).
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Final
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from video_studio.techniques import TECHNIQUES

# --- XP
PRACTICE_XP: Final = 20  # an attempt whose report became ready
IMPROVEMENT_BASE_XP: Final = 10  # a new best score on a reference the student had a score on
IMPROVEMENT_MAX_XP: Final = 40  # base + one per point gained, at most this
WATCH_XP_PER_MINUTE: Final = 1
WATCH_MAX_XP_PER_VIDEO_DAY: Final = 30
ACTIVE_WATCH_SECONDS: Final = 60  # a day with less watching than this (and no practice) is not active

# --- badges: id -> XP granted with it
FIRST_ATTEMPT: Final = "first_attempt"
STREAK_7: Final = "streak_7"
SCORE_90: Final = "score_90"
PATH_PREFIX: Final = "path:"  # path:<technique>: the technique's belt path completed
BELT_PREFIX: Final = "belt:"  # belt:<technique>:<belt>: a milestone
BADGE_XP: Final[dict[str, int]] = {FIRST_ATTEMPT: 10, STREAK_7: 50, SCORE_90: 50}
PATH_XP: Final = 100
BELT_XP: Final = 25
STREAK_BADGE_DAYS: Final = 7
SCORE_BADGE_MIN: Final = 90.0


@dataclass(frozen=True)
class Belt:
    name: str
    min_score: float
    attempts: int  # scored attempts at or above min_score, on any reference of the technique


# The belt path of every technique type the studio knows (video_studio.techniques): the same
# ladder for each, counted separately per technique. The last belt completes the path.
BELTS: Final[tuple[Belt, ...]] = (
    Belt("white", 0.0, 1),
    Belt("yellow", 60.0, 1),
    Belt("orange", 70.0, 2),
    Belt("green", 80.0, 3),
    Belt("black", 90.0, 3),
)
BELT_NAMES: Final[tuple[str, ...]] = tuple(b.name for b in BELTS)
BELT_PATHS: Final[dict[str, tuple[Belt, ...]]] = {technique: BELTS for technique in TECHNIQUES}


def belt_badge(technique: str, belt: str) -> str:
    return f"{BELT_PREFIX}{technique}:{belt}"


def path_badge(technique: str) -> str:
    return f"{PATH_PREFIX}{technique}"


def improvement_xp(previous_best: float | None, score: float | None) -> int:
    """XP for beating one's best on a reference (0: first score, no score, or not better)."""
    if previous_best is None or score is None or score <= previous_best:
        return 0
    return min(IMPROVEMENT_MAX_XP, IMPROVEMENT_BASE_XP + int(score - previous_best))


def watch_xp(seconds: int) -> int:
    """XP a day's watching of one video is worth in total."""
    return min(WATCH_MAX_XP_PER_VIDEO_DAY, max(0, seconds) // 60 * WATCH_XP_PER_MINUTE)


def belts_reached(scores: Iterable[float]) -> list[str]:
    """The belts a technique's scored attempts reach, in path order (each needs the one before)."""
    ordered = list(scores)
    reached: list[str] = []
    for belt in BELTS:
        if sum(1 for s in ordered if s >= belt.min_score) < belt.attempts:
            break
        reached.append(belt.name)
    return reached


def next_belt(reached: Sequence[str]) -> Belt | None:
    return BELTS[len(reached)] if len(reached) < len(BELTS) else None


# --- days and streaks


@cache
def _zones() -> frozenset[str]:
    return frozenset(available_timezones())  # reads the tz database: once per process


def valid_timezone(name: str) -> bool:
    return name in _zones()


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("UTC")


def local_day(moment: datetime, timezone: str) -> date:
    return moment.astimezone(zone(timezone)).date()


def week_start(day: date) -> date:
    """Monday of the (ISO) week of `day`."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class Streak:
    days: int  # active days in the current run (grace days do not count)
    alive: bool
    at_risk: bool  # today's practice is needed to keep it (yesterday was the grace day)
    grace_days: tuple[date, ...]  # the missed days forgiven in the current run, newest first


GRACE_EVERY_DAYS: Final = 7  # at most one missed day forgiven in any 7 consecutive days


def streak(active_days: Iterable[date], today: date) -> Streak:
    """The current streak: consecutive active days, where one missed day between two active days
    (or yesterday, when today is not over) is forgiven, at most once in any 7 consecutive days.
    Two missed days in a row, or a second miss within 7 days of the last forgiven one, end it."""
    days = sorted({d for d in active_days if d <= today}, reverse=True)
    if not days:
        return Streak(0, False, False, ())
    graces: list[date] = []
    gap = (today - days[0]).days
    if gap >= 3:
        return Streak(0, False, False, ())
    if gap == 2:
        graces.append(today - timedelta(days=1))
    length = 1
    for newer, older in itertools.pairwise(days):
        missed = (newer - older).days - 1
        if missed == 0:
            length += 1
            continue
        missed_day = newer - timedelta(days=1)
        if missed == 1 and (not graces or (graces[-1] - missed_day).days >= GRACE_EVERY_DAYS):
            graces.append(missed_day)
            length += 1
            continue
        break
    return Streak(length, True, gap == 2, tuple(graces))
