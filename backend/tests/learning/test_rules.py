"""The rules as pure functions of a date (the fake clock): streak grace days, belts, XP."""

from __future__ import annotations

from datetime import date, timedelta

from app.learning import rules

TODAY = date(2026, 11, 29)


def days_ago(*offsets: int) -> list[date]:
    return [TODAY - timedelta(days=n) for n in offsets]


def test_consecutive_days_make_a_streak_and_today_not_yet_practised_keeps_it() -> None:
    assert rules.streak(days_ago(0, 1, 2), TODAY).days == 3
    s = rules.streak(days_ago(1, 2, 3), TODAY)
    assert (s.days, s.alive, s.at_risk, s.grace_days) == (3, True, False, ())


def test_one_missed_day_is_forgiven_and_does_not_count() -> None:
    s = rules.streak(days_ago(0, 1, 3, 4), TODAY)
    assert (s.days, s.alive, s.grace_days) == (4, True, (TODAY - timedelta(days=2),))


def test_yesterday_missed_is_the_grace_day_and_puts_the_streak_at_risk() -> None:
    s = rules.streak(days_ago(2, 3), TODAY)
    assert (s.days, s.alive, s.at_risk, s.grace_days) == (2, True, True, (TODAY - timedelta(days=1),))


def test_two_missed_days_in_a_row_end_the_streak() -> None:
    assert rules.streak(days_ago(3, 4, 5), TODAY) == rules.Streak(0, False, False, ())
    assert rules.streak(days_ago(0, 3, 4), TODAY).days == 1


def test_a_second_missed_day_within_seven_days_of_the_last_forgiven_one_ends_the_streak() -> None:
    # missed 1 (forgiven) and 4: 3 days apart -> the run stops at day 3
    assert rules.streak(days_ago(0, 2, 3, 5, 6), TODAY).days == 3
    # missed 1 and 8: seven days apart -> both forgiven
    s = rules.streak(days_ago(0, 2, 3, 4, 5, 6, 7, 9), TODAY)
    assert s.days == 8 and s.grace_days == (TODAY - timedelta(days=1), TODAY - timedelta(days=8))


def test_future_days_are_ignored_and_no_days_is_no_streak() -> None:
    assert rules.streak([], TODAY) == rules.Streak(0, False, False, ())
    assert rules.streak([TODAY + timedelta(days=1)], TODAY).days == 0


def test_local_day_follows_the_students_time_zone() -> None:
    from datetime import UTC, datetime

    late_evening_utc = datetime(2026, 11, 28, 23, 30, tzinfo=UTC)
    assert rules.local_day(late_evening_utc, "UTC") == date(2026, 11, 28)
    assert rules.local_day(late_evening_utc, "Europe/Rome") == date(2026, 11, 29)


def test_belts_follow_the_path_in_order() -> None:
    assert rules.belts_reached([]) == []
    assert rules.belts_reached([40]) == ["white"]
    assert rules.belts_reached([65]) == ["white", "yellow"]
    assert rules.belts_reached([75, 71]) == ["white", "yellow", "orange"]
    # three 90s: black needs green first, which three scores >= 80 give
    assert rules.belts_reached([91, 92, 95]) == list(rules.BELT_NAMES)
    assert rules.belts_reached([91, 92]) == ["white", "yellow", "orange"]


def test_every_studio_technique_has_a_belt_path() -> None:
    from video_studio.techniques import TECHNIQUES

    assert set(rules.BELT_PATHS) == set(TECHNIQUES)


def test_improvement_xp_needs_a_previous_score_and_a_better_one() -> None:
    assert rules.improvement_xp(None, 80) == 0
    assert rules.improvement_xp(80, None) == 0
    assert rules.improvement_xp(80, 80) == 0
    assert rules.improvement_xp(70, 75.5) == 15
    assert rules.improvement_xp(10, 99) == rules.IMPROVEMENT_MAX_XP


def test_watch_xp_is_a_point_a_minute_up_to_the_daily_cap() -> None:
    assert rules.watch_xp(59) == 0
    assert rules.watch_xp(125) == 2
    assert rules.watch_xp(10_000) == rules.WATCH_MAX_XP_PER_VIDEO_DAY
