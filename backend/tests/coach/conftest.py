"""Coach test data: verified students, their conversations, published catalog videos to retrieve,
spoken questions made by espeak-ng."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.ids import uuid7
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from tests.knowledge.conftest import make_item  # noqa: F401 - fixture (items to retrieve)
from tests.support.sse import parse_events

Headers = Callable[[User], dict[str, str]]
API = "/api/v1/coach"


@pytest.fixture
def student(make_user: Callable[..., User]) -> User:
    return make_user()


@pytest.fixture
def publish_video(make_user: Callable[..., User]) -> Callable[..., Video]:
    owner = make_user(role=Role.instructor)

    def factory(
        title: str, description: str, *, tags: list[str] | None = None, discipline: str = "karate"
    ) -> Video:
        from app.media.service import search_text

        video = Video(
            owner_id=owner.id, status=VideoStatus.published, title=title, description=description,
            discipline=discipline, tags=tags or [], language="en",
        )  # fmt: skip
        video.id = uuid7()
        video.search_text = search_text(video)
        video.published_at = utcnow()
        with sync_session() as session:
            session.add(video)
        return video

    return factory


async def new_conversation(client: httpx.AsyncClient, headers: dict[str, str], language: str = "en") -> str:
    resp = await client.post(f"{API}/conversations", json={"language": language}, headers=headers)
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


async def ask(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str, text: str
) -> httpx.Response:
    return await client.post(
        f"{API}/conversations/{conversation_id}/messages", json={"text": text}, headers=headers
    )


async def events(
    client: httpx.AsyncClient, headers: dict[str, str], conversation_id: str
) -> list[tuple[str, Any]]:
    resp = await client.get(
        f"{API}/conversations/{conversation_id}/events", params={"close_when_idle": "true"}, headers=headers
    )
    assert resp.status_code == 200, resp.text
    return parse_events(resp.text)


def reply_text(stream: list[tuple[str, Any]], message_id: str) -> str:
    """The reply as a client rebuilds it from token events (text from `offset`)."""
    text = ""
    for name, data in stream:
        if name == "token" and data["message_id"] == message_id:
            text = text[: data["offset"]] + data["text"]
    return text


@pytest.fixture(scope="session")
def speak(tmp_path_factory: pytest.TempPathFactory) -> Callable[[str, str], Path]:
    """A WAV of `text` spoken by espeak-ng in `voice` (it / en)."""
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make system-deps)")
    folder = tmp_path_factory.mktemp("speech")

    def make(text: str, voice: str) -> Path:
        out = folder / f"{uuid.uuid4().hex}.wav"
        subprocess.run(["espeak-ng", "-v", voice, "-s", "140", "-w", str(out), text], check=True)
        return out

    return make
