"""Issue 17 wiring: when an attempt's report lands (the job engine settles it ready), the student
is notified and the reference's instructor's webhooks get `attempt.ready`. The pose pipeline
itself is replaced by a body returning a score: what is checked is the landing, once."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sqlalchemy import select

from app.auth.models import User
from app.db.session import sync_session
from app.notifications.models import Notification
from app.studio import jobs
from app.studio.models import StudioAttempt, StudioReference
from app.webhooks.models import WebhookDelivery, WebhookEndpoint


def test_report_ready_is_announced_once(
    make_reference: Callable[..., StudioReference],
    make_attempt: Callable[..., StudioAttempt],
    instructor: User,
    student: User,
) -> None:
    with sync_session() as s:
        s.add(WebhookEndpoint(owner_id=instructor.id, url="https://hooks.invalid/h",
                              events=["attempt.ready"], secret="whsec_" + "A" * 43))  # fmt: skip
    attempt = make_attempt(make_reference(instructor), student)

    def body(*_: Any) -> dict[str, Any]:
        return {"score": 91.5}

    assert jobs._run("attempt", attempt.id, "task-1", body) == "ready"
    assert jobs._run("attempt", attempt.id, "task-2", body) == "already_ready"
    with sync_session() as s:
        # Learning's awards for the same attempt (badges, belts) are notifications of their own.
        rows = s.scalars(
            select(Notification).where(
                Notification.user_id == student.id, Notification.kind == "report_ready"
            )
        ).all()
        assert [(n.kind, n.params["title"], n.link) for n in rows] == [
            ("report_ready", "mae geri — front kick", f"/attempts/{attempt.id}")
        ]
        [delivery] = s.scalars(select(WebhookDelivery)).all()
        assert delivery.event_type == "attempt.ready" and delivery.payload["data"]["score"] == 91.5
