"""Conversations end to end in one process (Celery eager: the reply is written when the question
is recorded): the API records and enqueues, the worker code streams the reply, the conversation's
event stream carries `token` then `done` with the sources; history, access, moderation, limits."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import timedelta

import httpx
import pytest

from app.auth.models import User
from app.coach import service
from app.coach.models import CoachConversation, CoachMessage, CoachUsage
from app.core.clock import utcnow
from app.core.config import Settings
from app.db.session import sync_session
from app.media.models import Video
from tests.coach.conftest import API, Headers, ask, events, new_conversation, reply_text


async def test_a_question_gets_an_offline_reply_streamed_with_its_sources(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, publish_video: Callable[..., Video]
) -> None:
    video = publish_video(
        "Zenkutsu dachi: the front stance",
        "Bend the front knee over the toes. Keep the back leg straight and the heel down.",
        tags=["stance"],
    )
    publish_video("Breakfall basics", "Slap the mat and tuck the chin.", discipline="judo")
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)

    resp = await ask(client, headers, conversation_id, "How should I bend the knee in zenkutsu dachi?")
    assert resp.status_code == 202, resp.text
    message_id = resp.json()["message_id"]

    stream = await events(client, headers, conversation_id)
    names = [name for name, _ in stream]
    assert names[-2:] == ["done", "end"] and "token" in names
    text = reply_text(stream, message_id)
    assert text.startswith("I am the platform's offline assistant")
    assert "[1] Zenkutsu dachi: the front stance: Bend the front knee over the toes." in text
    done = dict(stream)["done"]
    assert done["message_id"] == message_id and done["status"] == "done" and done["error"] is None
    assert done["sources"][0] == {
        "ref": f"video:{video.id}", "kind": "video", "title": "Zenkutsu dachi: the front stance",
        "url": f"/videos/{video.id}", "start_s": None,
    }  # fmt: skip
    assert all("Breakfall" not in s["title"] for s in done["sources"])

    history = (await client.get(f"{API}/conversations/{conversation_id}/messages", headers=headers)).json()
    reply, question = history["items"]
    assert question["role"] == "user" and question["text"].startswith("How should I bend")
    assert reply["role"] == "assistant" and reply["text"] == text and reply["reply_to"] == question["id"]
    assert reply["provider"] == "offline" and reply["status"] == "done"
    assert (await client.get(f"{API}/usage", headers=headers)).json()["tokens_used"] == 0  # offline is free


async def test_an_italian_question_is_answered_in_italian(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, publish_video: Callable[..., Video]
) -> None:
    publish_video(
        "Mawashi geri", "Il calcio circolare: ruota il piede d'appoggio e porta il ginocchio in alto."
    )
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers, "en")
    resp = await ask(
        client, headers, conversation_id, "Come devo ruotare il piede d'appoggio nel mawashi geri?"
    )
    text = reply_text(await events(client, headers, conversation_id), resp.json()["message_id"])
    assert text.startswith("Sono l'assistente offline") and "ruota il piede d'appoggio" in text


async def test_history_pages_newest_first(
    client: httpx.AsyncClient, auth_headers: Headers, student: User
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    for k in range(3):
        assert (await ask(client, headers, conversation_id, f"question number {k}")).status_code == 202
    first = (
        await client.get(f"{API}/conversations/{conversation_id}/messages?limit=4", headers=headers)
    ).json()
    second = (
        await client.get(
            f"{API}/conversations/{conversation_id}/messages",
            params={"limit": 4, "cursor": first["next_cursor"]},
            headers=headers,
        )
    ).json()
    texts = [m["text"] for m in first["items"] + second["items"] if m["role"] == "user"]
    assert texts == ["question number 2", "question number 1", "question number 0"]
    assert len(first["items"]) == 4 and len(second["items"]) == 2 and second["next_cursor"] is None


async def test_unverified_accounts_cannot_use_the_coach(
    client: httpx.AsyncClient, auth_headers: Headers, make_user: Callable[..., User]
) -> None:
    resp = await client.post(f"{API}/conversations", json={}, headers=auth_headers(make_user(verified=False)))
    assert resp.status_code == 403 and resp.json()["error"]["code"] == "email_not_verified"


async def test_another_users_conversation_is_not_found(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, make_user: Callable[..., User]
) -> None:
    conversation_id = await new_conversation(client, auth_headers(student))
    stranger = auth_headers(make_user())
    for resp in (
        await ask(client, stranger, conversation_id, "hello"),
        await client.get(f"{API}/conversations/{conversation_id}/messages", headers=stranger),
        await client.get(f"{API}/conversations/{conversation_id}/events", headers=stranger),
    ):
        assert resp.status_code == 404 and resp.json()["error"]["code"] == "conversation_not_found"


async def test_abusive_text_is_refused_and_nothing_is_recorded(
    client: httpx.AsyncClient, auth_headers: Headers, student: User
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await ask(client, headers, conversation_id, "you stupid idiot coach")
    assert resp.status_code == 422 and resp.json()["error"]["code"] == "message_rejected"
    history = (await client.get(f"{API}/conversations/{conversation_id}/messages", headers=headers)).json()
    assert history["items"] == []


async def test_questions_past_the_per_minute_limit_get_429(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(settings, "coach_messages_per_minute", 2)
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    codes = [(await ask(client, headers, conversation_id, f"kick {k}")).status_code for k in range(3)]
    assert codes == [202, 202, 429]


async def test_a_spent_monthly_budget_refuses_questions_in_the_users_language(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, settings: Settings
) -> None:
    with sync_session() as session:
        session.get_one(type(student), student.id).language = "it"
        session.add(CoachUsage(user_id=student.id, month=service.month_key(utcnow()), tokens=10**9))
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await ask(client, headers, conversation_id, "come miglioro il mae geri?")
    assert resp.status_code == 429
    error = resp.json()["error"]
    assert error["code"] == "coach_budget_exhausted" and error["message"].startswith(
        "Hai esaurito la quota mensile"
    )
    assert int(resp.headers["Retry-After"]) > 0
    usage = (await client.get(f"{API}/usage", headers=headers)).json()
    assert usage["tokens_used"] == 10**9 and usage["monthly_budget"] == settings.coach_monthly_token_budget


def test_tokens_added_concurrently_to_one_month_all_count(student: User) -> None:
    import threading

    def add() -> None:
        with sync_session() as session:
            service.add_usage(session, student.id, 10)

    threads = [threading.Thread(target=add) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with sync_session() as session:
        assert session.get_one(CoachUsage, (student.id, service.month_key(utcnow()))).tokens == 80


async def test_the_retention_purge_deletes_old_conversations_only(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, settings: Settings
) -> None:
    headers = auth_headers(student)
    old, recent = await new_conversation(client, headers), await new_conversation(client, headers)
    await ask(client, headers, old, "an old question")
    with sync_session() as session:
        session.get_one(CoachConversation, uuid.UUID(old)).updated_at = utcnow() - timedelta(
            days=settings.coach_retention_days + 1
        )
    from app.coach.tasks import purge_conversations

    assert purge_conversations() >= 1
    with sync_session() as session:
        assert session.get(CoachConversation, uuid.UUID(old)) is None
        assert session.get(CoachConversation, uuid.UUID(recent)) is not None
        assert session.query(CoachMessage).filter_by(conversation_id=uuid.UUID(old)).count() == 0


async def test_the_export_holds_every_conversation_and_delete_removes_one(
    client: httpx.AsyncClient, auth_headers: Headers, student: User
) -> None:
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    await ask(client, headers, conversation_id, "what is a kiai?")
    export = (await client.get(f"{API}/export", headers=headers)).json()
    (conversation,) = export["conversations"]
    assert conversation["id"] == conversation_id and conversation["title"] == "what is a kiai?"
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert (await client.delete(f"{API}/conversations/{conversation_id}", headers=headers)).status_code == 204
    assert (await client.get(f"{API}/export", headers=headers)).json()["conversations"] == []


@pytest.mark.slow
async def test_a_reply_asked_to_be_spoken_brings_its_audio(
    client: httpx.AsyncClient, auth_headers: Headers, student: User
) -> None:
    from app.core.storage import get_object_store

    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers)
    resp = await client.post(
        f"{API}/conversations/{conversation_id}/messages",
        json={"text": "what is a front kick?", "speak": True},
        headers=headers,
    )
    message_id = resp.json()["message_id"]
    stream = await events(client, headers, conversation_id)
    speech = dict(stream)["speech"]
    assert speech["message_id"] == message_id and speech["url"]
    with sync_session() as session:
        key = session.get_one(CoachMessage, uuid.UUID(message_id)).speech_key
    assert key is not None
    audio = get_object_store().get_bytes(key)
    assert audio[:4] == b"RIFF" and audio[8:12] == b"WAVE" and len(audio) > 20_000  # seconds of speech
