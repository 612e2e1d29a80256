"""The extraction on publish, for real: an espeak-ng lesson video with a caption on screen goes
through the approval, the studio-queue task runs the offline Whisper, OCR and categorisation, and
the instructor gets a transcript, unreviewed captions, chapters and techniques with confidence and
evidence; nothing is public until reviewed. Unusable files end `failed` with a reason."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import matplotlib
import pytest

from app.auth.models import User
from app.core.storage import get_object_store
from app.media.models import VideoStatus
from app.media.service import source_key
from tests.knowledge.conftest import API
from tests.media.helpers import ffmpeg

Headers = Callable[[User], dict[str, str]]
FONT = str(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf")


def espeak_lesson(folder: Path, text: str, caption: str, seconds: float = 7.0) -> bytes:
    if shutil.which("espeak-ng") is None:
        pytest.skip("espeak-ng is not installed (make system-deps)")
    wav = folder / "speech.wav"
    subprocess.run(["espeak-ng", "-v", "en", "-s", "140", "-w", str(wav), text], check=True, timeout=60)
    out = folder / "lesson.mp4"
    cmd = [
        ffmpeg(), "-y", "-loglevel", "error",
        "-f", "lavfi", "-i", f"color=c=0x303840:s=640x360:r=10:d={seconds}", "-i", str(wav),
        "-vf", f"drawtext=fontfile={FONT}:text='{caption}':fontsize=40:fontcolor=white:x=40:y=60",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-t", str(seconds), "-c:a", "aac", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=120)
    return out.read_bytes()


def _in_review_with_source(make_video: Any, owner: User, data: bytes) -> Any:
    video = make_video(owner, status=VideoStatus.in_review)
    key = source_key(video.id)
    get_object_store().put_bytes(key, data, "video/mp4")
    from app.db.session import sync_session
    from app.media.models import Video

    with sync_session() as session:
        row = session.get(Video, video.id)
        assert row is not None
        row.source_key, row.source_size_bytes = key, len(data)
    return video


@pytest.mark.slow
async def test_a_published_video_gets_transcript_captions_chapters_and_techniques_for_review(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, admin: User, make_video: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    data = espeak_lesson(
        tmp_path, "Today we practise the front kick, mae geri, and the reverse punch.", "Mae geri"
    )
    video = _in_review_with_source(make_video, instructor, data)
    teacher = auth_headers(instructor)
    approved = await client.post(
        f"/api/v1/admin/videos/{video.id}/approve", json={}, headers=auth_headers(admin)
    )
    assert approved.status_code == 200, approved.text

    job = (await client.get(f"{API}/videos/{video.id}/job", headers=teacher)).json()  # ran inline (eager)
    assert job["status"] == "ready", job
    transcript = (await client.get(f"{API}/jobs/{job['id']}/transcript", headers=teacher)).json()
    assert transcript["transcript"]["language"] == "en"
    words = [w for s in transcript["transcript"]["segments"] for w in s["words"]]
    assert words and all(0 <= w["start"] <= w["end"] <= 7.5 for w in words)
    assert "mae geri" in (transcript["ocr_text"] or "").lower()
    assert job["chapters"] and job["chapters"][0]["start"] == 0

    panel = (await client.get(f"{API}/videos/{video.id}", headers=teacher)).json()
    [caption] = panel["captions"]
    assert (caption["lang"], caption["source"], caption["review_state"]) == ("en", "extracted", "unreviewed")
    assert panel["chapters"] and all(
        c["versions"][0]["review_state"] == "unreviewed" for c in panel["chapters"]
    )
    techniques = {t["key"]: t for t in panel["techniques"]}
    assert "mae_geri" in techniques
    mae_geri = techniques["mae_geri"]
    assert 0.5 <= mae_geri["confidence"] <= 1
    assert mae_geri["evidence"]["words"] or mae_geri["evidence"]["texts"]
    assert {v["lang"] for v in mae_geri["versions"]} == {"it", "en"}
    assert mae_geri["links"][0]["video_id"] == str(video.id) and mae_geri["links"][0]["start_s"] is not None

    # Nothing is public before review; the approved one is, and search jumps to its moment.
    assert (await client.get(f"{API}/videos/{video.id}")).json()["techniques"] == []
    it_version = next(v for v in mae_geri["versions"] if v["lang"] == "it")
    await client.post(
        f"{API}/items/{mae_geri['id']}/versions/{it_version['id']}/review",
        json={"approve": True},
        headers=teacher,
    )
    found = (await client.get(f"{API}/search", params={"q": "front kick", "lang": "en"})).json()
    hit = next(h for h in found["items"] if h["item_id"] == mae_geri["id"])
    assert hit["moments"][0]["video_id"] == str(video.id)

    # A rerun of a ready job does nothing (idempotent); items are not duplicated.
    from app.knowledge import pipeline

    assert pipeline.run_job(__import__("uuid").UUID(job["id"]), "another-task") == "already_ready"


def blank_video(folder: Path, seconds: float = 3.0) -> bytes:
    out = folder / "blank.mp4"
    cmd = [
        ffmpeg(), "-y", "-loglevel", "error",
        "-f", "lavfi", "-i", f"color=c=black:s=320x240:r=10:d={seconds}",
        "-c:v", "libx264", "-pix_fmt", "yuv420p", "-an", str(out),
    ]  # fmt: skip
    subprocess.run(cmd, check=True, timeout=120)
    return out.read_bytes()


@pytest.mark.slow
@pytest.mark.parametrize("kind", ["unreadable", "silent"])
async def test_an_unreadable_or_silent_empty_video_fails_with_a_reason(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, admin: User, make_video: Any,
    tmp_path: Path, kind: str,
) -> None:  # fmt: skip
    data = b"this is not a video at all" * 100 if kind == "unreadable" else blank_video(tmp_path)
    video = _in_review_with_source(make_video, instructor, data)
    await client.post(f"/api/v1/admin/videos/{video.id}/approve", json={}, headers=auth_headers(admin))
    job = (await client.get(f"{API}/videos/{video.id}/job", headers=auth_headers(instructor))).json()
    assert job["status"] == "failed", job
    assert job["failure_reason"] and "wrong on our side" not in job["failure_reason"]
