"""Replies are jobs of app/jobs: a reply whose queue message was lost, or whose worker stopped
making progress for a lease, is enqueued again and answered; after COACH_REPLY_MAX_RUNS runs it
fails with a clear reason in the student's language; a run the reaper took over cannot land."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import httpx
import pytest

from app.auth.models import User
from app.coach import replies, service, tasks
from app.coach.models import CoachMessage, MessageStatus
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.i18n import t
from app.db.session import sync_session
from app.jobs import engine as jobs
from app.worker.celery_app import BEAT_SCHEDULE, route_task
from tests.coach.conftest import ask, events, new_conversation, reply_text

Headers = Callable[[User], dict[str, str]]


@pytest.fixture
def lost_messages(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The API records the reply, but its queue message never arrives."""
    dropped: list[str] = []
    monkeypatch.setattr(service, "enqueue_after_commit", lambda _s, _name, reply_id: dropped.append(reply_id))
    return dropped


async def _lost_reply(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, text: str
) -> uuid.UUID:
    resp = await ask(client, headers, conversation_id, text)
    assert resp.status_code == 202, resp.text
    return uuid.UUID(resp.json()["message_id"])


def _set(reply_id: uuid.UUID, **values: Any) -> None:
    with sync_session() as session:
        row = session.get(CoachMessage, reply_id)
        assert row is not None
        for name, value in values.items():
            setattr(row, name, value)
        session.commit()


def _row(reply_id: uuid.UUID) -> CoachMessage:
    with sync_session() as session:
        row = session.get(CoachMessage, reply_id)
        assert row is not None
        session.expunge(row)
        return row


async def test_a_lost_or_silent_reply_is_enqueued_again_and_answered(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    lost_messages: list[str],
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    lost = await _lost_reply(client, headers, conversation_id, "what is a kiai?")
    assert lost_messages == [str(lost)] and _row(lost).status == MessageStatus.pending.value

    # Too young to be called lost: left alone.
    assert replies.reap_lost_replies(settings, only=[lost]) == replies.ReapedReplies([], [])
    old = utcnow() - timedelta(seconds=settings.coach_reply_lost_seconds + 5)
    _set(lost, queued_at=old)
    reaped = replies.reap_lost_replies(settings, only=[lost])
    assert reaped.requeued == [lost] and reaped.failed == []
    answered = _row(lost)  # tasks run inline here: the requeued message was answered
    assert answered.status == MessageStatus.done.value and answered.text and answered.run_count == 1

    # A worker that claimed a reply and went silent past the lease (died mid-stream).
    silent = await _lost_reply(client, headers, conversation_id, "how do I breathe during kata?")
    stale = utcnow() - timedelta(seconds=settings.coach_reply_lease_seconds + 5)
    _set(silent, status=MessageStatus.streaming.value, lease_id="deadworker", run_count=1, heartbeat_at=stale,
         text="half a rep")  # fmt: skip
    assert replies.reap_lost_replies(settings, only=[silent]).requeued == [silent]
    row = _row(silent)
    assert row.status == MessageStatus.done.value and row.run_count == 2 and "half a rep" not in row.text
    stream = await events(client, headers, conversation_id)
    assert reply_text(stream, str(silent)) == row.text  # the client rebuilds the new text from offset 0


async def test_after_its_runs_a_lost_reply_fails_with_a_reason_in_the_students_language(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    lost_messages: list[str],
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers, language="it")
    reply_id = await _lost_reply(client, headers, conversation_id, "come si para un calcio?")
    stale = utcnow() - timedelta(seconds=settings.coach_reply_lease_seconds + 5)
    _set(reply_id, status=MessageStatus.streaming.value, lease_id="x", heartbeat_at=stale,
         run_count=settings.coach_reply_max_runs)  # fmt: skip

    reaped = replies.reap_lost_replies(settings, only=[reply_id])

    assert reaped == replies.ReapedReplies([], [reply_id])
    row = _row(reply_id)
    assert row.status == MessageStatus.failed.value and row.failure_reason == t("coach.reply_lost", "it")
    assert row.failure_reason != t("coach.reply_lost", "en")
    stream = await events(client, headers, conversation_id)
    done = [data for name, data in stream if name == "done" and data["message_id"] == str(reply_id)]
    assert done and done[-1]["status"] == "failed" and done[-1]["error"]["message"] == row.failure_reason
    url = f"/api/v1/coach/conversations/{conversation_id}/messages"
    history = (await client.get(url, headers=headers)).json()
    shown = next(m for m in history["items"] if m["id"] == str(reply_id))
    assert shown["failure_reason"] == row.failure_reason


async def test_a_run_the_reaper_took_over_cannot_write_or_land(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    lost_messages: list[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    reply_id = await _lost_reply(client, headers, conversation_id, "what is zanshin?")
    job = replies._claim(reply_id, settings)
    assert job is not None and _row(reply_id).status == MessageStatus.streaming.value
    assert replies._claim(reply_id, settings) is None  # a live run holds it
    monkeypatch.setattr(jobs, "requeue", lambda requeued: None)  # the new message waits in the queue
    _set(reply_id, heartbeat_at=utcnow() - timedelta(seconds=settings.coach_reply_lease_seconds + 5))
    assert replies.reap_lost_replies(settings, only=[reply_id]).requeued == [reply_id]
    with pytest.raises(jobs.LeaseLost):
        replies._store(job, "late text")
    with pytest.raises(jobs.LeaseLost):
        replies._finish(job, text="late", status=MessageStatus.done, passages=[], model=None)
    assert _row(reply_id).status == MessageStatus.pending.value and _row(reply_id).text == ""


def test_the_reaper_runs_on_the_default_queue_often_enough(settings: Settings) -> None:
    entry = BEAT_SCHEDULE["coach-reap-lost-replies"]
    assert entry["task"] == "default.coach.reap_lost_replies"
    assert route_task(entry["task"]) == {"queue": "default"}
    every = entry["schedule"].total_seconds()
    assert settings.coach_reply_lease_seconds + every <= 120
    assert settings.coach_reply_lease_seconds >= 10 * settings.coach_store_every_seconds
    assert tasks.reap_lost_replies.apply().get() >= 0
