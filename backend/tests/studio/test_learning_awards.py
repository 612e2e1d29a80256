"""An attempt whose report becomes ready is practice for learning: awarded in the transaction
that marks it ready, once, however often the job is run or delivered."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from app.auth.models import User
from app.db.session import sync_session
from app.learning import rules, service
from app.studio import jobs
from app.studio.models import JobStatus, StudioAttempt, StudioReference


def scored(score: float) -> Callable[[Any, Any, Path, Any], dict[str, Any]]:
    """The compute's result for the run (the pose pipeline itself is tested in test_pipeline)."""

    def body(_attempt: Any, _progress: Any, _workdir: Path, _settings: Any) -> dict[str, Any]:
        return {"score": score, "report": {"score": score}, "overlay_key": None, "plot_keys": {}}

    return body


def test_a_ready_attempt_is_awarded_once_with_its_reference_technique(
    make_reference: Callable[..., StudioReference],
    make_attempt: Callable[..., StudioAttempt],
    instructor: User,
    student: User,
) -> None:
    reference = make_reference(instructor, technique="kick")
    attempt = make_attempt(reference, student)
    assert jobs._run("attempt", attempt.id, "task-1", scored(91.5)) == "ready"
    assert jobs._run("attempt", attempt.id, "task-2", scored(91.5)) == "already_ready"
    with sync_session() as session:
        summary = service.summary(session, student.id)
        kick = service.technique_progress(session, student.id, "kick")
        ready = session.get(StudioAttempt, attempt.id)
        assert ready is not None and ready.status == JobStatus.ready
    expected = (
        rules.PRACTICE_XP
        + rules.BADGE_XP[rules.FIRST_ATTEMPT]
        + rules.BADGE_XP[rules.SCORE_90]
        + 2 * rules.BELT_XP  # white, yellow
    )
    assert summary.xp == expected
    assert {b.badge for b in summary.badges} == {rules.FIRST_ATTEMPT, rules.SCORE_90}
    assert [p.score for p in kick.history] == [91.5] and kick.history[0].reference_id == reference.id
