"""Media fixtures: generated clips (real ffmpeg), the multipart upload flow as a client runs it,
a uvicorn server for ffmpeg to read HLS back through, and row factories."""

from __future__ import annotations

import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from app.auth.models import Role, User
from app.core.clock import utcnow
from app.core.ids import uuid7
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.media.models import Video, VideoStatus
from tests.media.helpers import ffmpeg

Headers = Callable[[User], dict[str, str]]


@pytest.fixture(scope="session")
def make_clip(tmp_path_factory: pytest.TempPathFactory) -> Callable[..., Path]:
    """`make_clip(seconds=6, size="640x480")` → an H.264/AAC MP4 from lavfi testsrc (cached)."""
    folder = tmp_path_factory.mktemp("clips")
    made: dict[tuple[float, str], Path] = {}

    def make(seconds: float = 6.0, size: str = "640x480") -> Path:
        if (seconds, size) in made:
            return made[(seconds, size)]
        out = folder / f"clip-{seconds:g}s-{size}.mp4"
        cmd = [
            ffmpeg(), "-v", "error", "-y",
            "-f", "lavfi", "-i", f"testsrc=size={size}:rate=24:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-shortest", "-movflags", "+faststart", str(out),
        ]  # fmt: skip
        subprocess.run(cmd, check=True, timeout=120)
        made[(seconds, size)] = out
        return out

    return make


@pytest.fixture
def instructor(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.instructor, display_name="Sensei Kato")


@pytest.fixture
def admin(make_user: Callable[..., User]) -> User:
    return make_user(role=Role.admin, display_name="Admin")


MASTER = "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-STREAM-INF:BANDWIDTH=800000,RESOLUTION=640x360\n360p/index.m3u8\n"
VARIANT = (
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXTINF:6.0,\nseg_00000.ts\n#EXTINF:2.0,\nseg_00001.ts\n#EXT-X-ENDLIST\n"
)


@pytest.fixture
def make_video() -> Callable[..., Video]:
    """A row (and, with `processed=True`, small stand-in media objects) without running a job."""

    def factory(
        owner: User,
        *,
        status: VideoStatus = VideoStatus.published,
        processed: bool = True,
        **fields: Any,
    ) -> Video:
        values: dict[str, Any] = {
            "title": "Roundhouse kick drills",
            "description": "Muay thai roundhouse kick, pad work.",
            "discipline": "muay_thai",
            "tags": ["kicks", "pads"],
            "language": "en",
        }
        values.update(fields)
        video = Video(owner_id=owner.id, status=status, **values)
        video.id = uuid7()
        from app.media.service import search_text

        video.search_text = search_text(video)
        if processed:
            prefix = f"videos/{video.id}/{uuid.uuid4()}/"
            store = get_object_store()
            store.put_bytes(prefix + "hls/master.m3u8", MASTER.encode())
            store.put_bytes(prefix + "hls/360p/index.m3u8", VARIANT.encode())
            store.put_bytes(prefix + "hls/360p/seg_00000.ts", b"\x47" * 188 * 4)
            store.put_bytes(prefix + "hls/360p/seg_00001.ts", b"\x47" * 188 * 2)
            store.put_bytes(prefix + "trailer/master.m3u8", MASTER.encode())
            store.put_bytes(prefix + "poster.jpg", b"\xff\xd8\xff\xe0fakejpeg")
            store.put_bytes(prefix + "sprite.jpg", b"\xff\xd8\xff\xe0fakejpeg")
            store.put_bytes(
                prefix + "sprite.vtt",
                b"WEBVTT\n\n00:00:00.000 --> 00:00:02.000\nsprite.jpg#xywh=0,0,160,90\n",
            )
            video.media_prefix = prefix
            video.poster_key = prefix + "poster.jpg"
            video.has_trailer = True
            video.duration_s = 8.0
            video.renditions = ["360p"]
        if status == VideoStatus.published:
            video.published_at = utcnow()
        with sync_session() as session:
            session.add(video)
        return video

    return factory


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def live_server(app: Any, settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """The app under uvicorn on a free port (a thread), for clients outside the test (ffmpeg).
    Only DB-free routes (the /media handler) are meant to be hit through it."""
    import uvicorn

    port = _free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="off")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline:
            raise TimeoutError("uvicorn did not start")
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    monkeypatch.setattr(settings, "media_public_base_url", base)
    yield base
    server.should_exit = True
    thread.join(timeout=10)
