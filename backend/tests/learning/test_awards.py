"""Awards come from events exactly once: repeated and concurrent deliveries, badges, belts."""

from __future__ import annotations

import threading
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.db.session import sync_session
from app.learning import rules, service
from app.learning.models import LearningAward, LearningBadge, LearningEvent, LearningProfile
from tests.conftest import UserFactory
from tests.learning.conftest import Practice

NOW = datetime(2026, 11, 25, 18, 0, tzinfo=UTC)


def totals(user_id: uuid.UUID) -> tuple[int, int, int, list[str]]:
    """(profile XP, summed award XP, event rows, badges)"""
    with sync_session() as session:
        profile = session.get(LearningProfile, user_id)
        awarded = session.scalar(
            select(func.coalesce(func.sum(LearningAward.xp), 0)).where(LearningAward.user_id == user_id)
        )
        events = session.scalar(
            select(func.count()).select_from(LearningEvent).where(LearningEvent.user_id == user_id)
        )
        badges = sorted(session.scalars(select(LearningBadge.badge).where(LearningBadge.user_id == user_id)))
    return (0 if profile is None else profile.xp, int(awarded or 0), int(events or 0), badges)


def test_the_same_attempt_delivered_twice_is_awarded_once(make_user: UserFactory, practice: Practice) -> None:
    student = make_user()
    attempt = uuid.uuid4()
    first = practice(student.id, score=55.0, at=NOW, attempt_id=attempt, technique="kick")
    again = practice(student.id, score=55.0, at=NOW, attempt_id=attempt, technique="kick")
    assert first.new and not again.new and again.xp == 0
    expected = rules.PRACTICE_XP + rules.BADGE_XP[rules.FIRST_ATTEMPT] + rules.BELT_XP  # white belt
    assert first.xp == expected
    assert totals(student.id) == (expected, expected, 1, ["belt:kick:white", "first_attempt"])


@pytest.mark.own_database  # two deliveries race on their own connections
def test_concurrent_double_delivery_awards_once(make_user: UserFactory, practice: Practice) -> None:
    student = make_user()
    attempt, reference = uuid.uuid4(), uuid.uuid4()
    barrier = threading.Barrier(2)
    results: list[service.Applied] = []
    errors: list[BaseException] = []

    def deliver() -> None:
        try:
            with sync_session() as session:
                barrier.wait(timeout=10)
                results.append(
                    service.record_attempt_ready(
                        session,
                        attempt_id=attempt,
                        user_id=student.id,
                        reference_id=reference,
                        instructor_id=uuid.uuid4(),
                        technique="strike",
                        score=93.0,
                        at=NOW,
                    )
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    assert sorted(r.new for r in results) == [False, True]
    expected = (
        rules.PRACTICE_XP
        + rules.BADGE_XP[rules.FIRST_ATTEMPT]
        + rules.BADGE_XP[rules.SCORE_90]
        + 2 * rules.BELT_XP  # white and yellow (orange needs two scores >= 70)
    )
    xp, awarded, events, badges = totals(student.id)
    assert (xp, awarded, events) == (expected, expected, 1)
    assert badges == ["belt:strike:white", "belt:strike:yellow", "first_attempt", "score_90"]


@pytest.mark.own_database  # different attempts of one student race: the profile lock orders them
def test_concurrent_attempts_of_one_student_each_count_once(
    make_user: UserFactory, practice: Practice
) -> None:
    student = make_user()
    barrier = threading.Barrier(4)
    errors: list[BaseException] = []

    def deliver(k: int) -> None:
        try:
            with sync_session() as session:
                barrier.wait(timeout=10)
                service.record_attempt_ready(
                    session,
                    attempt_id=uuid.uuid4(),
                    user_id=student.id,
                    reference_id=uuid.uuid4(),
                    instructor_id=uuid.uuid4(),
                    technique="block",
                    score=85.0,
                    at=NOW + timedelta(seconds=k),
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(k,)) for k in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not errors, errors
    xp, awarded, events, badges = totals(student.id)
    # 4 practices, one first-attempt badge, belts white..green (4 scores >= 80), no black
    expected = 4 * rules.PRACTICE_XP + rules.BADGE_XP[rules.FIRST_ATTEMPT] + 4 * rules.BELT_XP
    assert (xp, awarded, events) == (expected, expected, 4)
    assert badges == [
        "belt:block:green",
        "belt:block:orange",
        "belt:block:white",
        "belt:block:yellow",
        "first_attempt",
    ]


def test_a_new_best_score_on_a_reference_earns_improvement_xp(
    make_user: UserFactory, practice: Practice
) -> None:
    student = make_user()
    reference = uuid.uuid4()
    practice(student.id, score=50.0, at=NOW, reference_id=reference)
    worse = practice(student.id, score=45.0, at=NOW + timedelta(hours=1), reference_id=reference)
    better = practice(student.id, score=62.0, at=NOW + timedelta(hours=2), reference_id=reference)
    elsewhere = practice(
        student.id, score=70.0, at=NOW + timedelta(hours=3)
    )  # another reference: first score
    assert worse.xp == rules.PRACTICE_XP
    assert better.xp == rules.PRACTICE_XP + rules.improvement_xp(50.0, 62.0) + rules.BELT_XP  # + yellow
    assert elsewhere.xp == rules.PRACTICE_XP  # orange needs two scores >= 70
    assert "improvement" not in str(elsewhere.badges)


def test_seven_practice_days_with_a_forgiven_day_earn_the_streak_badge(
    make_user: UserFactory, practice: Practice
) -> None:
    student = make_user()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    days = [0, 1, 2, 4, 5, 6]  # day 3 missed: forgiven
    for d in days:
        applied = practice(student.id, score=None, at=start + timedelta(days=d))
        assert rules.STREAK_7 not in applied.badges
    seventh = practice(student.id, score=None, at=start + timedelta(days=7))
    assert rules.STREAK_7 in seventh.badges
    assert seventh.xp == rules.PRACTICE_XP + rules.BADGE_XP[rules.STREAK_7]
    eighth = practice(student.id, score=None, at=start + timedelta(days=8))
    assert rules.STREAK_7 not in eighth.badges  # once


def test_two_missed_days_restart_the_count(make_user: UserFactory, practice: Practice) -> None:
    student = make_user()
    start = datetime(2026, 11, 1, 12, tzinfo=UTC)
    for d in [0, 1, 2, 3, 6, 7, 8]:  # 4 and 5 missed
        applied = practice(student.id, score=None, at=start + timedelta(days=d))
        assert rules.STREAK_7 not in applied.badges
    with sync_session() as session:
        summary = service.summary(session, student.id, start + timedelta(days=8, hours=1))
    assert summary.streak.days == 3


def test_the_streak_counts_in_the_students_time_zone(make_user: UserFactory, practice: Practice) -> None:
    """23:30 UTC and 00:30 UTC the next day are one evening in New York: one day, not two."""
    student = make_user()
    with sync_session() as session:
        service.update_settings(session, student.id, timezone="America/New_York")
    practice(student.id, score=None, at=datetime(2026, 11, 10, 23, 30, tzinfo=UTC))
    practice(student.id, score=None, at=datetime(2026, 11, 11, 0, 30, tzinfo=UTC))
    with sync_session() as session:
        s = service.summary(session, student.id, datetime(2026, 11, 11, 1, 0, tzinfo=UTC))
    assert s.streak.days == 1 and s.week_days == 1


def test_completing_a_techniques_belt_path_earns_its_badge_once(
    make_user: UserFactory, practice: Practice
) -> None:
    student = make_user()
    scores = [91.0, 92.0, 95.0, 96.0]
    got: list[str] = []
    for k, score in enumerate(scores):
        got += practice(student.id, score=score, at=NOW + timedelta(minutes=k), technique="kata").badges
    assert got.count(rules.path_badge("kata")) == 1
    assert got.count(rules.SCORE_90) == 1
    assert [b for b in got if b.startswith(rules.BELT_PREFIX)] == [
        rules.belt_badge("kata", name) for name in rules.BELT_NAMES
    ]
    # the third 90+ completed it
    with sync_session() as session:
        progress = service.technique_progress(session, student.id, "kata")
    assert progress.next_belt is None and progress.best == 96.0 and len(progress.history) == 4
    assert all(b.earned_at is not None for b in progress.belts)


def test_watching_earns_a_point_a_minute_and_repeats_add_nothing(make_user: UserFactory) -> None:
    student = make_user()
    video = uuid.uuid4()
    with sync_session() as session:
        a = service.record_watch(session, student.id, video, 150, at=NOW)
    with sync_session() as session:
        again = service.record_watch(session, student.id, video, 150, at=NOW)
    with sync_session() as session:
        smaller = service.record_watch(session, student.id, video, 90, at=NOW)
    with sync_session() as session:
        more = service.record_watch(session, student.id, video, 400, at=NOW)
    assert (a.xp, again.xp, smaller.xp, more.xp) == (2, 0, 0, 4)
    assert totals(student.id)[:3] == (6, 6, 1)


def test_students_whose_streak_needs_practice_today_are_listed(
    make_user: UserFactory, practice: Practice
) -> None:
    missed_yesterday, practised_yesterday, lapsed = make_user(), make_user(), make_user()
    today = datetime(2026, 11, 20, 9, tzinfo=UTC)
    for d in (2, 3):
        practice(missed_yesterday.id, score=None, at=today - timedelta(days=d))
    practice(practised_yesterday.id, score=None, at=today - timedelta(days=1))
    practice(lapsed.id, score=None, at=today - timedelta(days=3))
    with sync_session() as session:
        assert service.streaks_at_risk(session, today) == [missed_yesterday.id]
