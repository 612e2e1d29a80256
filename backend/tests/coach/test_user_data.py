"""The coach's part of the user's data rights (COMMON #17 contract): export_user_data returns
everything the coach keeps about one user as JSON; erase_user_data removes it (rows and stored
audio) and leaves other users' data alone."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable

import httpx
from sqlalchemy import select

from app.auth.models import User
from app.coach import service
from app.coach.models import CoachConversation, CoachMessage, CoachTranscription, CoachUsage
from app.core.storage import get_object_store
from app.db.session import sync_session
from tests.coach.conftest import API, ask, new_conversation

Headers = Callable[[User], dict[str, str]]


def _voice_and_speech(user: User, conversation_id: str) -> tuple[str, str]:
    """A voice question and a spoken reply, as the worker stores them."""
    store = get_object_store()
    with sync_session() as session:
        row = CoachTranscription(
            user_id=user.id,
            conversation_id=uuid.UUID(conversation_id),
            status="done",
            audio_key="",
            content_type="audio/wav",
            size_bytes=4,
            text="come si para?",
            language="it",
        )
        session.add(row)
        session.flush()
        row.audio_key = service.audio_key(row.id, "wav")
        reply = session.scalars(
            select(CoachMessage).where(
                CoachMessage.conversation_id == uuid.UUID(conversation_id), CoachMessage.role == "assistant"
            )
        ).first()
        assert reply is not None
        reply.speech_key = f"coach/speech/{reply.id}.ogg"
        service.add_usage(session, user.id, 321)
        session.commit()
        keys = (row.audio_key, reply.speech_key)
    for key in keys:
        store.put_bytes(key, b"RIFF", "audio/wav")
    return keys


async def test_export_holds_everything_and_erase_removes_it_for_that_user_only(
    client: httpx.AsyncClient, auth_headers: Headers, student: User, make_user: Callable[..., User]
) -> None:
    other = make_user()
    mine = await new_conversation(client, auth_headers(student))
    await ask(client, auth_headers(student), mine, "what is a kiai?")
    theirs = await new_conversation(client, auth_headers(other))
    await ask(client, auth_headers(other), theirs, "what is a dojo?")
    audio, speech = _voice_and_speech(student, mine)
    other_audio, _ = _voice_and_speech(other, theirs)

    with sync_session() as session:
        exported = service.export_user_data(session, student.id)
    json.dumps(exported)  # JSON-serialisable as it is
    (conversation,) = exported["conversations"]
    assert conversation["id"] == mine and conversation["title"] == "what is a kiai?"
    assert [m["role"] for m in conversation["messages"]] == ["user", "assistant"]
    assert conversation["messages"][1]["text"]
    assert [(t["text"], t["language"]) for t in exported["transcriptions"]] == [("come si para?", "it")]
    assert [u["tokens"] for u in exported["usage"]] == [321]
    api_export = (await client.get(f"{API}/export", headers=auth_headers(student))).json()
    assert api_export == exported  # the API serves the same function

    with sync_session() as session:
        service.erase_user_data(session, student.id)
        session.commit()  # the caller commits (the privacy registry's contract)
    store = get_object_store()
    with sync_session() as session:
        assert service.export_user_data(session, student.id) == {
            "conversations": [],
            "transcriptions": [],
            "usage": [],
        }
        assert session.get(CoachConversation, uuid.UUID(mine)) is None
        assert session.query(CoachMessage).filter_by(conversation_id=uuid.UUID(mine)).count() == 0
        assert session.query(CoachUsage).filter_by(user_id=student.id).count() == 0
        kept = service.export_user_data(session, other.id)
    assert store.head(audio) is None and store.head(speech) is None
    assert store.head(other_audio) is not None
    assert [c["id"] for c in kept["conversations"]] == [theirs] and len(kept["transcriptions"]) == 1
    # Erasing twice is harmless.
    with sync_session() as session:
        service.erase_user_data(session, student.id)
