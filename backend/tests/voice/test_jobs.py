"""The voice jobs for real (eager, as a studio-queue worker runs them): recordings that cannot
make a voice fail with their reason in it/en; ~75 s of espeak-ng speech recorded as WebM/Opus (as
MediaRecorder sends it) makes a profile; a published lesson is dubbed into Italian with it,
followed over SSE, fixed segment by segment, published and revoked."""

from __future__ import annotations

import asyncio
import json
import subprocess
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import numpy as np
import pytest

from app.auth.models import User
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.media.models import Video
from app.media.service import source_key
from app.voice import keys
from app.voice.models import VoiceDub
from tests.media.helpers import ffmpeg
from tests.support.sse import parse_events
from tests.voice.conftest import API, TRAINING_IT, encode, espeak, new_profile, upload_sample

Headers = Callable[[User], dict[str, str]]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _wav(path: Path, samples: np.ndarray[Any, Any], rate: int = 16000) -> Path:
    pcm = (np.clip(samples, -1, 1) * 32767).astype("<i2").tobytes()
    raw = path.with_suffix(".raw")
    raw.write_bytes(pcm)
    subprocess.run(
        [
            ffmpeg(),
            "-v",
            "error",
            "-y",
            "-f",
            "s16le",
            "-ar",
            str(rate),
            "-ac",
            "1",
            "-i",
            str(raw),
            str(path),
        ],
        check=True,
        timeout=60,
    )
    return path


async def _checked(
    client: httpx.AsyncClient, headers: dict[str, str], data: bytes, name: str, kind: str
) -> Any:
    profile = await new_profile(client, headers)
    await upload_sample(client, headers, profile["id"], data, filename=name, content_type=kind)
    checked = await client.post(f"{API}/profiles/{profile['id']}/check", headers=headers)
    assert checked.status_code == 202, checked.text
    return (await client.get(f"{API}/profiles/{profile['id']}", headers=headers)).json()  # ran inline


@pytest.mark.slow
async def test_recordings_that_cannot_make_a_voice_fail_with_a_clear_reason_in_it_and_en(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, tmp_path: Path
) -> None:
    italian = {**auth_headers(instructor), "Accept-Language": "it"}
    english = auth_headers(instructor)
    not_audio = await _checked(
        client, italian, b"just some notes, not a recording\n" * 300, "notes.mp3", "audio/mpeg"
    )
    assert not_audio["status"] == "failed" and not_audio["reasons"], not_audio
    silence = _wav(tmp_path / "silence.wav", np.zeros(16000 * 70, np.float32))
    silent = await _checked(client, english, silence.read_bytes(), "silence.wav", "audio/wav")
    assert silent["status"] == "failed" and silent["failure_reason"]
    assert any("silen" in r.lower() for r in silent["reasons"]), silent["reasons"]
    spoken = espeak(tmp_path, "Oggi alleniamo il calcio frontale.", "short.wav")
    short = encode(spoken, tmp_path / "short.webm", "-c:a", "libopus")
    too_short = await _checked(client, italian, short.read_bytes(), "short.webm", "audio/webm")
    assert too_short["status"] == "failed" and too_short["reasons"]
    from video_studio.i18n import studio_catalogue

    catalogue = studio_catalogue()
    assert (
        catalogue.text("voice.reason.too_short", "it", seconds=2, min=60).split()[0]
        in too_short["reasons"][0]
    )
    rng = np.random.default_rng(3)
    notes = []
    for _ in range(140):  # a plucked melody, half a second a note
        f, t = rng.choice([220.0, 247.0, 262.0, 294.0, 330.0, 392.0]), np.arange(8000) / 16000
        tone = sum(np.sin(2 * np.pi * f * h * t) / h for h in range(1, 6))
        notes.append(0.2 * tone * np.minimum(1, t / 0.02) * np.exp(-1.5 * t))
    music = _wav(tmp_path / "music.wav", np.concatenate(notes))
    melody = await _checked(client, english, music.read_bytes(), "music.wav", "audio/wav")
    assert melody["status"] == "failed"
    assert melody["reasons"][0] == catalogue.text("voice.reason.music_only", "en", **_params(melody)), melody


def _params(profile: Any) -> dict[str, Any]:
    with sync_session() as session:
        from app.voice.models import VoiceProfile

        row = session.get(VoiceProfile, uuid.UUID(profile["id"]))
        assert row is not None and row.check
        return dict(row.check["reasons"][0].get("params", {}))


def _lesson(folder: Path) -> bytes:
    """An English lesson: three espeak-ng lines over a quiet tone, H.264 + AAC, 12 s."""
    lines = ["Today we train the front kick.", "Lift the knee high, then snap the foot.", "Return to guard."]
    wavs = [espeak(folder, text, f"e{k}.wav", "en-us", 50) for k, text in enumerate(lines)]
    out = folder / "lesson.mp4"
    subprocess.run(
        [ffmpeg(), "-v", "error", "-y", "-f", "lavfi", "-i", "color=c=gray:s=320x240:r=25:d=12",
         "-i", str(wavs[0]), "-i", str(wavs[1]), "-i", str(wavs[2]), "-f", "lavfi", "-i", "sine=f=220:d=12",
         "-filter_complex",
         "[1]adelay=500|500[a];[2]adelay=4500|4500[b];[3]adelay=8500|8500[c];[4]volume=0.05[m];"
         "[a][b][c][m]amix=inputs=4:normalize=0,aresample=48000[out]",
         "-map", "0:v", "-map", "[out]", "-c:v", "libx264", "-pix_fmt", "yuv420p", "-c:a", "aac", "-shortest",
         str(out)],
        check=True, timeout=120,
    )  # fmt: skip
    return out.read_bytes()


def _recording(folder: Path) -> Path:
    """~75 s of one voice in one browser-style recording (WebM/Opus)."""
    takes = [espeak(folder, TRAINING_IT, f"take{k}.wav") for k in range(4)]
    joined = folder / "joined.txt"
    joined.write_text("".join(f"file '{p}'\n" for p in takes))
    recording = folder / "recording.webm"
    subprocess.run([ffmpeg(), "-v", "error", "-y", "-f", "concat", "-safe", "0", "-i", str(joined),
                    "-c:a", "libopus", str(recording)], check=True, timeout=120)  # fmt: skip
    return recording


SCRIPT = {
    "language": "it",
    "segments": [
        {"start": 0.5, "end": 3.5, "text": "Oggi alleniamo il calcio frontale."},
        {"start": 4.5, "end": 7.5, "text": "Alza il ginocchio, poi calcia con il piede."},
        {"start": 8.5, "end": 11.0, "text": "Torna in guardia."},
    ],
}


@pytest.mark.slow
async def test_record_a_voice_dub_a_lesson_fix_a_segment_publish_and_revoke(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any, make_video: Any,
    tmp_path: Path,
) -> None:  # fmt: skip
    teacher, student = auth_headers(instructor), auth_headers(make_user())
    recording = _recording(tmp_path)
    profile = await new_profile(client, teacher, "Voce da studio")
    await upload_sample(client, teacher, profile["id"], recording.read_bytes())
    await client.post(f"{API}/profiles/{profile['id']}/check", headers=teacher)
    ready = (await client.get(f"{API}/profiles/{profile['id']}", headers=teacher)).json()
    assert ready["status"] == "ready", ready
    assert ready["speech_s"] > 55 and ready["f0_min_hz"] < ready["f0_max_hz"] and ready["checks"][0]["snr_db"]
    events = await asyncio.wait_for(client.get(f"{API}/profiles/{profile['id']}/events", headers=teacher), 30)
    assert parse_events(events.text)[-1] == ("end", {"status": "ready", "percent": 100, "stage": "done",
                                                      "failure_reason": None})  # fmt: skip

    video = make_video(instructor)
    data = _lesson(tmp_path)
    with sync_session() as session:
        row = session.get(Video, video.id)
        assert row is not None
        row.source_key, row.source_size_bytes = source_key(video.id), len(data)
    get_object_store().put_bytes(source_key(video.id), data, "video/mp4")
    made = await client.post(
        f"{API}/dubs",
        json={"video_id": str(video.id), "profile_id": profile["id"], "language": "it", "script": SCRIPT},
        headers=teacher,
    )
    assert made.status_code == 201, made.text
    dub = (await client.get(f"{API}/dubs/{made.json()['id']}", headers=teacher)).json()  # ran inline
    assert dub["status"] == "ready", dub
    report = dub["report"]
    assert [s["status"] for s in report["segments"]] == ["dubbed"] * 3
    assert all("flags" in s["quality"] and s["quality"]["timing"] is not None for s in report["segments"])
    mine = {v["speaker"] for v in report["voices"] if v["profile"] == 0}
    assert mine, report[
        "voices"
    ]  # the instructor's voice speaks (speakers without a profile get stock voices)
    assert all(s["quality"]["similarity"] is not None for s in report["segments"] if s["speaker"] in mine)
    q = report["quality"]
    assert q["segments"] == 3 and -20 < q["loudness_lufs"] < -12 and q["wer"] is not None
    assert dub["version"] == 1
    events = await asyncio.wait_for(client.get(f"{API}/dubs/{dub['id']}/events", headers=teacher), 30)
    assert parse_events(events.text)[-1][1]["status"] == "ready"
    clip = await client.get(f"{API}/dubs/{dub['id']}/segments/1/audio", headers=teacher)
    wav = await client.get(clip.json()["url"].removeprefix("http://testserver"))
    assert wav.status_code == 200 and wav.content[:4] == b"RIFF" and len(wav.content) > 10_000

    fixed = await client.post(
        f"{API}/dubs/{dub['id']}/segments/1/redo", json={"text": "Alza bene il ginocchio."}, headers=teacher
    )
    assert fixed.status_code == 202
    again = (await client.get(f"{API}/dubs/{dub['id']}", headers=teacher)).json()
    assert again["status"] == "ready" and again["version"] == 2, again
    seg = again["report"]["segments"][1]
    assert (seg["text"], seg["origin"]) == ("Alza bene il ginocchio.", "edited")
    assert again["report"]["segments"][0]["text"] == report["segments"][0]["text"]
    with sync_session() as session:
        row_dub = session.get(VoiceDub, uuid.UUID(dub["id"]))
        assert (
            row_dub is not None and row_dub.rendition_key and row_dub.rendition_key.endswith("/v2/index.m3u8")
        )
        rendition = row_dub.rendition_key
    assert get_object_store().head(rendition.replace("/v2/", "/v1/")) is None  # the old version is gone

    await client.post(f"{API}/dubs/{dub['id']}/publish", json={"publish": True}, headers=teacher)
    play = (await client.get(f"/api/v1/videos/{video.id}/playback", headers=student)).json()
    master = (await client.get(_path(play["url"]))).text
    line = next(ln for ln in master.splitlines() if 'LANGUAGE="it"' in ln and "URI=" in ln)
    # the original track is labelled with the video's language, not the Italian script's
    audio_lines = [ln for ln in master.splitlines() if ln.startswith("#EXT-X-MEDIA:TYPE=AUDIO")]
    assert [ln for ln in audio_lines if "URI=" not in ln] == [
        next(ln for ln in audio_lines if 'LANGUAGE="en"' in ln and "URI=" not in ln)
    ]
    assert sum('LANGUAGE="it"' in ln for ln in audio_lines) == 1
    uri = line.split('URI="')[1].rstrip('"')
    audio = await client.get(_path(urljoin(play["url"], uri)))
    assert audio.status_code == 200 and "#EXT-X-ENDLIST" in audio.text
    first = next(ln for ln in audio.text.splitlines() if ln.endswith(".ts"))
    ts = await client.get(_path(urljoin(urljoin(play["url"], uri), first)))
    assert ts.status_code == 200 and ts.content[:1] == b"\x47"
    assert json.loads(get_object_store().get_bytes(keys.dub_work(uuid.UUID(dub["id"]), "dub.json")))[
        "segments"
    ]

    assert (await client.delete(f"{API}/profiles/{profile['id']}", headers=teacher)).status_code == 204
    assert get_object_store().head(rendition) is None
    assert list(get_object_store().list_objects(keys.dub_prefix(uuid.UUID(dub["id"])))) == []
    play = (await client.get(f"/api/v1/videos/{video.id}/playback", headers=student)).json()
    assert "TYPE=AUDIO" not in (await client.get(_path(play["url"]))).text
