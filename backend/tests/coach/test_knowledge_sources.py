"""The coach retrieves approved knowledge items too (through knowledge's search, so across
languages via the translation memory): an Italian question finds an English-approved item, the
reply's sources carry it as kind `knowledge` (its page, the start of its first video moment) and
the offline answer cites it; a catalog video the item points into carries that moment's start.
Unapproved items and items of unpublished videos never appear."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import httpx

from app.auth.models import Role, User
from app.coach.retrieval import retrieve
from app.db.session import sync_session
from app.knowledge.models import ReviewState
from app.media.models import Video, VideoStatus
from tests.coach.conftest import Headers, ask, events, new_conversation, reply_text

ITALIAN_QUESTION = "Come si tira il pugno opposto?"


def _refs(student: User, question: str, language: str) -> list[str]:
    with sync_session() as session:
        passages = retrieve(session, student_id=student.id, question=question, language=language)
    return [p.ref for p in passages]


async def test_an_italian_question_cites_an_english_approved_item_at_its_video_moment(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    student: User,
    make_user: Callable[..., User],
    publish_video: Callable[..., Video],
    make_item: Any,
) -> None:
    video = publish_video("Kihon: pugno opposto", "Lavoro di base sul pugno.")
    item = make_item(
        make_user(role=Role.instructor),
        {"en": ("Reverse punch drill", "Drive the rear hand and pull the front hand back to the hip.")},
        video_id=video.id, start_s=12.5, end_s=18.0,
    )  # fmt: skip
    headers = auth_headers(student)
    conversation_id = await new_conversation(client, headers, "it")
    resp = await ask(client, headers, conversation_id, ITALIAN_QUESTION)
    assert resp.status_code == 202, resp.text
    stream = await events(client, headers, conversation_id)
    sources = dict(stream)["done"]["sources"]
    knowledge = [s for s in sources if s["kind"] == "knowledge"]
    assert knowledge == [
        {"ref": f"knowledge:{item}", "kind": "knowledge", "title": "Reverse punch drill",
         "url": f"/knowledge/items/{item}", "start_s": 12.5},
    ]  # fmt: skip
    videos = [s for s in sources if s["kind"] == "video"]
    assert videos == [
        {"ref": f"video:{video.id}", "kind": "video", "title": "Kihon: pugno opposto",
         "url": f"/videos/{video.id}", "start_s": 12.5},
    ]  # fmt: skip
    text = reply_text(stream, resp.json()["message_id"])
    n = sources.index(knowledge[0]) + 1
    assert text.startswith("Sono l'assistente offline")
    assert f"[{n}] Reverse punch drill: Drive the rear hand" in text


async def test_the_item_is_titled_in_the_students_language_when_approved_there(
    student: User, make_user: Callable[..., User], publish_video: Callable[..., Video], make_item: Any
) -> None:
    video = publish_video("Mae geri", "Front kick.")
    item = make_item(
        make_user(role=Role.instructor),
        {"en": ("Reverse punch drill", "Rear hand."), "it": ("Esercizio di pugno opposto", "Mano dietro.")},
        video_id=video.id,
    )
    with sync_session() as session:
        english = retrieve(session, student_id=student.id, question="reverse punch", language="en")
        italian = retrieve(session, student_id=student.id, question="reverse punch", language="it")
    assert [p.title for p in english if p.ref == f"knowledge:{item}"] == ["Reverse punch drill"]
    assert [p.title for p in italian if p.ref == f"knowledge:{item}"] == ["Esercizio di pugno opposto"]


async def test_unapproved_items_and_items_of_unpublished_videos_never_appear(
    student: User, make_user: Callable[..., User], publish_video: Callable[..., Video], make_item: Any
) -> None:
    instructor = make_user(role=Role.instructor)
    published = publish_video("Mae geri", "Front kick.")
    hidden = publish_video("Mae geri, old cut", "Front kick.")
    with sync_session() as session:
        row = session.get(Video, hidden.id)
        assert row is not None
        row.status = VideoStatus.unpublished
    shown = make_item(instructor, {"en": ("Reverse punch drill", "")}, video_id=published.id)
    unreviewed = make_item(
        instructor, {"en": ("Reverse punch from stance", "")}, video_id=published.id,
        state=ReviewState.unreviewed,
    )  # fmt: skip
    rejected = make_item(
        instructor, {"en": ("Reverse punch, wrong", "")}, video_id=published.id, state=ReviewState.rejected
    )
    of_unpublished = make_item(instructor, {"en": ("Reverse punch on the bag", "")}, video_id=hidden.id)

    refs = _refs(student, ITALIAN_QUESTION, "it") + _refs(student, "reverse punch", "en")
    assert f"knowledge:{shown}" in refs  # the same search finds the approved, public one
    for missing in (unreviewed, rejected, of_unpublished):
        assert f"knowledge:{missing}" not in refs
