"""Voice fixtures: the media fixtures (instructor, published video rows with stand-in HLS), real
speech from espeak-ng, sample uploads through the presigned flow, and ready rows written straight
into the database (as the jobs write them) for the API tests that do not run the compute."""

from __future__ import annotations

import shutil
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from app.auth.models import User
from app.core.clock import utcnow
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.media.models import Video
from app.voice import keys
from app.voice.models import JobStatus, VoiceConsent, VoiceDub, VoiceProfile
from tests.media.conftest import admin, instructor, make_clip, make_video  # noqa: F401 - fixtures
from tests.media.helpers import ffmpeg

API = "/api/v1/voice"
TRAINING_IT = (
    "Oggi alleniamo il calcio frontale. Ginocchio alto, piede a martello, poi ritorno in guardia. "
    "Respira e ripeti dieci volte con calma. Il pugno parte dal fianco e ruota alla fine del movimento. "
    "Tieni le spalle basse e guarda il compagno negli occhi. Ogni tecnica nasce da una posizione stabile "
    "e da un respiro tranquillo."
)
AUDIO_PLAYLIST = (
    "#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:6\n#EXT-X-PLAYLIST-TYPE:VOD\n"
    "#EXTINF:6.0,\nseg_00000.ts\n#EXTINF:2.0,\nseg_00001.ts\n#EXT-X-ENDLIST\n"
)


def espeak(folder: Path, text: str, name: str, voice: str = "it+f3", pitch: int = 70) -> Path:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make system-deps)")
    out = folder / name
    subprocess.run(
        ["espeak-ng", "-v", voice, "-p", str(pitch), "-s", "175", "-w", str(out), text],
        check=True,
        capture_output=True,
        timeout=120,
    )
    return out


def encode(src: Path, dst: Path, *args: str) -> Path:
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-i", str(src), *args, str(dst)], check=True, timeout=120)
    return dst


def local_path(url: str) -> str:
    """Presigned URLs of the embedded store point at the app itself (APP_BASE_URL=http://testserver)."""
    return url.removeprefix("http://testserver")


async def upload_sample(
    client: httpx.AsyncClient,
    headers: dict[str, str],
    profile_id: str,
    data: bytes,
    *,
    filename: str = "take.webm",
    content_type: str = "audio/webm",
) -> dict[str, Any]:
    """Start, PUT every part, complete: as the web client does after MediaRecorder stops."""
    created = await client.post(
        f"{API}/profiles/{profile_id}/samples",
        json={"filename": filename, "content_type": content_type, "size_bytes": len(data)},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    size = body["upload"]["part_size"]
    etags = []
    for part in body["upload"]["parts"]:
        n = part["part_number"]
        put = await client.put(local_path(part["url"]), content=data[(n - 1) * size : n * size])
        assert put.status_code == 200, put.text
        etags.append({"part_number": n, "etag": put.headers["ETag"]})
    done = await client.post(
        f"{API}/profiles/{profile_id}/samples/{body['sample']['id']}/complete",
        json={"parts": etags},
        headers=headers,
    )
    assert done.status_code == 200, done.text
    return dict(done.json())


async def new_profile(
    client: httpx.AsyncClient, headers: dict[str, str], name: str = "My voice"
) -> dict[str, Any]:
    made = await client.post(f"{API}/profiles", json={"name": name, "consent": True}, headers=headers)
    assert made.status_code == 201, made.text
    return dict(made.json())


@pytest.fixture
def no_jobs(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, str]]:
    """Enqueued voice tasks are recorded, not run (API tests that check rules, not compute)."""
    sent: list[tuple[str, str]] = []
    monkeypatch.setattr("app.voice.service.enqueue", lambda task, job_id: sent.append((task, job_id)))
    return sent


@pytest.fixture
def ready_profile() -> Callable[[User], uuid.UUID]:
    """A checked profile row (its consent too), as the check job leaves it."""

    def make(owner: User) -> uuid.UUID:
        with sync_session() as session:
            profile = VoiceProfile(
                owner_id=owner.id,
                name="Studio voice",
                status=JobStatus.ready,
                progress=100,
                stage="done",
                profile={"version": 1, "encoder": "test", "embedding": [0.0] * 256, "stats": {}},
                check={"samples": [], "reasons": []},
                speech_s=75.0,
            )
            session.add(profile)
            session.flush()
            session.add(
                VoiceConsent(
                    user_id=owner.id,
                    profile_id=profile.id,
                    purpose="dubbing",
                    text_version="1",
                    lang="en",
                    text="I agree.",
                    granted_at=utcnow(),
                )
            )
            return profile.id

    return make


def _segment(
    n: int, start: float, end: float, text: str, similarity: float, flags: list[str]
) -> dict[str, Any]:
    return {
        "id": n,
        "start": start,
        "end": end,
        "text": text,
        "status": "dubbed",
        "audio": f"segments/{n:04d}.wav",
        "quality": {"similarity": similarity, "wer": 0.1, "timing": 0.02, "flags": flags},
    }


REPORT = {
    "language": "it",
    "source_language": "en",
    "provider": "espeak-ng",
    "duration_s": 8.0,
    "quality": {"similarity": 0.86, "wer": 0.12, "flagged": 1, "segments": 2, "loudness_lufs": -16.2},
    "segments": [
        _segment(0, 0.5, 3.0, "Oggi alleniamo.", 0.9, []),
        _segment(1, 4.0, 7.0, "Poi calcia.", 0.7, ["voice.flag.low_similarity"]),
    ],
}


@pytest.fixture
def ready_dub() -> Callable[..., uuid.UUID]:
    """A finished dub row with its stored files (segment audio, HLS audio rendition), as the job
    leaves them."""

    def make(owner: User, video_id: uuid.UUID, profile_id: uuid.UUID, language: str = "it") -> uuid.UUID:
        store = get_object_store()
        with sync_session() as session:
            video = session.get(Video, video_id)
            assert video is not None and video.media_prefix
            dub = VoiceDub(
                owner_id=owner.id,
                video_id=video_id,
                profile_id=profile_id,
                language=language,
                source_key=f"videos/{video_id}/source",
                media_prefix=video.media_prefix,
                script_source="uploaded",
                script={"language": "en", "segments": [{"id": 0, "start": 0.5, "end": 3.0, "text": "Hi"}]},
                status=JobStatus.ready,
                progress=100,
                stage="done",
                report={**REPORT, "language": language},
                version=1,
            )
            dub.id = uuid.uuid4()
            dub.rendition_key = keys.rendition(video.media_prefix, dub.id, 1)
            session.add(dub)
        base = dub.rendition_key.rsplit("/", 1)[0] + "/"
        store.put_bytes(dub.rendition_key, AUDIO_PLAYLIST.encode())
        store.put_bytes(base + "seg_00000.ts", b"\x47" * 188 * 3)
        store.put_bytes(base + "seg_00001.ts", b"\x47" * 188)
        for seg in REPORT["segments"]:
            store.put_bytes(keys.dub_work(dub.id, str(seg["audio"])), b"RIFF....WAVEfmt stand-in")
        store.put_bytes(keys.dub_work(dub.id, "dub.json"), b"{}")
        return dub.id

    return make
