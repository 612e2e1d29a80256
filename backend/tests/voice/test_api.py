"""The voice API's rules without the compute (tasks recorded, not run): consent, bad input, dub
requests, per-segment audio, publishing a dub into the player's master playlist (a student sees
the audio language and can fetch it) and revoking, which deletes every derived audio."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
from sqlalchemy import select

from app.auth.models import Role, User
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.voice import keys
from app.voice.models import JobStatus, VoiceConsent, VoiceDub, VoiceProfile
from tests.voice.conftest import API, local_path, new_profile, upload_sample

Headers = Callable[[User], dict[str, str]]


def _path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path + (f"?{parts.query}" if parts.query else "")


async def _master(client: httpx.AsyncClient, video_id: Any, headers: dict[str, str]) -> tuple[str, str]:
    play = await client.get(f"/api/v1/videos/{video_id}/playback", headers=headers)
    assert play.status_code == 200, play.text
    master = await client.get(_path(play.json()["url"]))
    assert master.status_code == 200
    return play.json()["url"], master.text


async def test_a_profile_needs_consent_which_is_recorded_with_who_when_what_for_and_the_words(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, make_user: Any
) -> None:
    teacher = auth_headers(instructor)
    refused = await client.post(f"{API}/profiles", json={"name": "Voce", "consent": False}, headers=teacher)
    assert refused.status_code == 422 and refused.json()["error"]["code"] == "voice_consent_required"
    italian = {**teacher, "Accept-Language": "it"}
    refused_it = await client.post(
        f"{API}/profiles", json={"name": "Voce", "consent": False}, headers=italian
    )
    assert "Prima accetta" in refused_it.json()["error"]["message"]
    words = (await client.get(f"{API}/consent", headers={"Accept-Language": "it"})).json()
    assert words["lang"] == "it" and "revocare" in words["text"]

    made = await client.post(f"{API}/profiles", json={"name": "Voce", "consent": True}, headers=italian)
    assert made.status_code == 201, made.text
    profile = made.json()
    assert profile["status"] == "uploading" and profile["consent_given_at"]
    with sync_session() as session:
        consent = session.scalars(select(VoiceConsent).where(VoiceConsent.user_id == instructor.id)).one()
    assert consent.profile_id == uuid.UUID(profile["id"]) and consent.purpose == "dubbing"
    assert consent.text == words["text"] and consent.lang == "it" and consent.revoked_at is None

    student = auth_headers(make_user())
    assert (
        await client.post(f"{API}/profiles", json={"name": "x", "consent": True}, headers=student)
    ).status_code == 403
    other = auth_headers(make_user(role=Role.instructor))
    assert (await client.get(f"{API}/profiles/{profile['id']}", headers=other)).status_code == 404


async def test_bad_sample_uploads_and_an_empty_check_get_clear_reasons(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, no_jobs: list[Any]
) -> None:
    teacher = {**auth_headers(instructor), "Accept-Language": "it"}
    profile = await new_profile(client, teacher)
    wrong = await client.post(
        f"{API}/profiles/{profile['id']}/samples",
        json={"filename": "notes.txt", "content_type": "text/plain", "size_bytes": 100},
        headers=teacher,
    )
    assert wrong.status_code == 422 and wrong.json()["error"]["code"] == "voice_not_audio"
    assert "registrazione audio" in wrong.json()["error"]["message"]
    empty = await client.post(f"{API}/profiles/{profile['id']}/check", headers=teacher)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "voice_no_samples"
    await upload_sample(client, teacher, profile["id"], b"\x1a\x45\xdf\xa3" * 1000)
    queued = await client.post(f"{API}/profiles/{profile['id']}/check", headers=teacher)
    assert queued.status_code == 202 and queued.json()["status"] == "pending"
    assert no_jobs == [("studio.voice_check_profile", profile["id"])]
    locked = await client.post(
        f"{API}/profiles/{profile['id']}/samples",
        json={"filename": "b.wav", "content_type": "audio/wav", "size_bytes": 100},
        headers=teacher,
    )
    assert locked.status_code == 409 and locked.json()["error"]["code"] == "voice_profile_locked"


async def test_dub_requests_are_checked_and_use_the_knowledge_transcript_or_an_uploaded_script(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Any,
    make_video: Any,
    ready_profile: Any,
    no_jobs: list[Any],
) -> None:
    from app.knowledge.models import KnowledgeJob

    teacher = auth_headers(instructor)
    video = make_video(instructor, source_key=None)
    with sync_session() as session:
        row = session.get(type(video), video.id)
        assert row is not None
        row.source_key, row.source_size_bytes = f"videos/{video.id}/source", 10
    profile_id = ready_profile(instructor)
    body = {"video_id": str(video.id), "profile_id": str(profile_id), "language": "it"}
    missing = await client.post(f"{API}/dubs", json=body, headers=teacher)
    assert missing.status_code == 409 and missing.json()["error"]["code"] == "voice_no_transcript"
    bad = await client.post(
        f"{API}/dubs",
        json={**body, "script": {"segments": [{"start": 3, "end": 1, "text": "x"}]}},
        headers=teacher,
    )
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "voice_bad_script"
    assert (
        await client.post(f"{API}/dubs", json={**body, "language": "ja"}, headers=teacher)
    ).status_code == 422
    someone = make_user(role=Role.instructor)
    theirs = make_video(someone)
    foreign = await client.post(f"{API}/dubs", json={**body, "video_id": str(theirs.id)}, headers=teacher)
    assert foreign.status_code == 404
    draft = await new_profile(client, teacher)
    unready = await client.post(f"{API}/dubs", json={**body, "profile_id": draft["id"]}, headers=teacher)
    assert unready.status_code == 409 and unready.json()["error"]["code"] == "voice_profile_not_ready"

    with sync_session() as session:
        session.add(
            KnowledgeJob(
                owner_id=instructor.id,
                video_id=video.id,
                source_key=f"videos/{video.id}/source",
                status=JobStatus.ready,
                transcript={
                    "language": "en",
                    "segments": [{"start": 0.5, "end": 2.5, "text": "Front kick."}],
                },
            )
        )
    made = await client.post(f"{API}/dubs", json=body, headers=teacher)
    assert made.status_code == 201, made.text
    dub = made.json()
    assert (dub["script_source"], dub["status"], dub["published"]) == ("knowledge", "pending", False)
    assert no_jobs[-1] == ("studio.voice_dub", dub["id"])
    uploaded = await client.post(
        f"{API}/dubs",
        json={
            **body,
            "script": {"language": "en", "segments": [{"start": 0, "end": 2, "text": "Guard up."}]},
        },
        headers=teacher,
    )
    assert uploaded.json()["script_source"] == "uploaded"
    listed = (await client.get(f"{API}/dubs", params={"video_id": str(video.id)}, headers=teacher)).json()
    assert {d["id"] for d in listed} == {dub["id"], uploaded.json()["id"]}


async def test_published_dub_is_an_audio_language_of_the_master_playlist_a_student_can_play(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Any,
    make_video: Any,
    ready_profile: Any,
    ready_dub: Any,
) -> None:
    video = make_video(instructor)
    dub_id = ready_dub(instructor, video.id, ready_profile(instructor))
    teacher, student = auth_headers(instructor), auth_headers(make_user())
    _, before = await _master(client, video.id, student)
    assert "TYPE=AUDIO" not in before

    published = await client.post(f"{API}/dubs/{dub_id}/publish", json={"publish": True}, headers=teacher)
    assert published.status_code == 200 and published.json()["published"] is True
    url, master = await _master(client, video.id, student)
    audio = [line for line in master.splitlines() if line.startswith("#EXT-X-MEDIA:TYPE=AUDIO")]
    assert any('LANGUAGE="it",NAME="Italiano"' in line and "URI=" in line for line in audio), master
    assert any('LANGUAGE="en"' in line and "DEFAULT=YES" in line and "URI=" not in line for line in audio)
    assert all('AUDIO="aud"' in line for line in master.splitlines() if line.startswith("#EXT-X-STREAM-INF"))
    uri = next(line for line in audio if "URI=" in line).split('URI="')[1].rstrip('"')
    playlist = await client.get(_path(urljoin(url, uri)))  # relative: the same token covers it
    assert playlist.status_code == 200 and "seg_00000.ts" in playlist.text
    segment = await client.get(_path(urljoin(urljoin(url, uri), "seg_00000.ts")))
    assert segment.status_code == 200 and segment.content.startswith(b"\x47")
    assert (await client.get(_path(urljoin(url, "360p/index.m3u8")))).status_code == 200  # video still plays

    other = auth_headers(make_user(role=Role.instructor))
    assert (await client.post(f"{API}/dubs/{dub_id}/publish", json={}, headers=other)).status_code == 404
    withdrawn = await client.post(f"{API}/dubs/{dub_id}/publish", json={"publish": False}, headers=teacher)
    assert withdrawn.json()["published"] is False
    _, after = await _master(client, video.id, student)
    assert "TYPE=AUDIO" not in after


async def test_segment_audio_plays_and_a_segment_fix_queues_a_redo_of_that_segment(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Any,
    ready_profile: Any,
    ready_dub: Any,
    no_jobs: list[Any],
) -> None:
    video = make_video(instructor)
    dub_id = ready_dub(instructor, video.id, ready_profile(instructor))
    teacher = auth_headers(instructor)
    dub = (await client.get(f"{API}/dubs/{dub_id}", headers=teacher)).json()
    assert dub["report"]["segments"][1]["quality"]["flags"] == ["voice.flag.low_similarity"]
    link = await client.get(f"{API}/dubs/{dub_id}/segments/1/audio", headers=teacher)
    assert link.status_code == 200
    audio = await client.get(local_path(link.json()["url"]))
    assert audio.status_code == 200 and audio.content.startswith(b"RIFF")
    assert (await client.get(f"{API}/dubs/{dub_id}/segments/9/audio", headers=teacher)).status_code == 404

    empty = await client.post(f"{API}/dubs/{dub_id}/segments/1/redo", json={"text": "  "}, headers=teacher)
    assert empty.status_code == 422 and empty.json()["error"]["code"] == "voice_empty_text"
    redo = await client.post(
        f"{API}/dubs/{dub_id}/segments/1/redo", json={"text": "Poi calcia forte."}, headers=teacher
    )
    assert redo.status_code == 202 and (redo.json()["status"], redo.json()["action"]) == ("pending", "redo")
    assert no_jobs == [("studio.voice_dub", str(dub_id))]
    with sync_session() as session:
        row = session.get(VoiceDub, dub_id)
        assert row is not None and (row.redo_segment, row.redo_text) == (1, "Poi calcia forte.")
    busy = await client.post(f"{API}/dubs/{dub_id}/segments/0/redo", json={}, headers=teacher)
    assert busy.status_code == 409 and busy.json()["error"]["code"] == "voice_dub_not_ready"


async def test_revoking_consent_deletes_the_profile_and_every_derived_audio(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Any,
    make_video: Any,
    ready_profile: Any,
    ready_dub: Any,
) -> None:
    teacher, student = auth_headers(instructor), auth_headers(make_user())
    video = make_video(instructor)
    profile_id = ready_profile(instructor)
    kept_profile = ready_profile(instructor)
    dub_it = ready_dub(instructor, video.id, profile_id, "it")
    dub_en = ready_dub(instructor, video.id, profile_id, "en")
    kept_dub = ready_dub(instructor, video.id, kept_profile, "it")
    await client.post(f"{API}/dubs/{dub_it}/publish", json={}, headers=teacher)
    store = get_object_store()
    with sync_session() as session:
        renditions = {d: session.get(VoiceDub, d).rendition_key for d in (dub_it, dub_en, kept_dub)}  # type: ignore[union-attr]
    assert all(store.head(key) is not None for key in renditions.values())
    assert "TYPE=AUDIO" in (await _master(client, video.id, student))[1]

    other = auth_headers(make_user(role=Role.instructor))
    assert (await client.delete(f"{API}/profiles/{profile_id}", headers=other)).status_code == 404
    revoked = await client.delete(f"{API}/profiles/{profile_id}", headers=teacher)
    assert revoked.status_code == 204

    for dub_id in (dub_it, dub_en):
        assert store.head(renditions[dub_id]) is None
        assert list(store.list_objects(keys.dub_prefix(dub_id))) == []
        assert list(store.list_objects(renditions[dub_id].rsplit("/", 2)[0] + "/")) == []
    assert store.head(renditions[kept_dub]) is not None  # another voice's dub stays
    with sync_session() as session:
        assert session.get(VoiceProfile, profile_id) is None
        assert session.get(VoiceDub, dub_it) is None and session.get(VoiceDub, dub_en) is None
        consents = session.scalars(select(VoiceConsent).where(VoiceConsent.user_id == instructor.id)).all()
        revoked_rows = [c for c in consents if c.revoked_at is not None]
        assert len(revoked_rows) == 1 and revoked_rows[0].profile_id is None and revoked_rows[0].text
    assert "TYPE=AUDIO" not in (await _master(client, video.id, student))[1]
    assert (await client.get(f"{API}/dubs/{dub_it}", headers=teacher)).status_code == 404


async def test_a_dub_playlist_link_handed_out_before_the_revoke_stops_playing(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_user: Any,
    make_video: Any,
    ready_profile: Any,
    ready_dub: Any,
) -> None:
    """Issue #15: the student fetched the dub's audio playlist (so this process has it cached);
    after the revoke the same signed link answers 404 and the objects are gone from the store."""
    teacher, student = auth_headers(instructor), auth_headers(make_user())
    video = make_video(instructor)
    profile_id = ready_profile(instructor)
    dub_id = ready_dub(instructor, video.id, profile_id)
    await client.post(f"{API}/dubs/{dub_id}/publish", json={}, headers=teacher)
    url, master = await _master(client, video.id, student)
    uri = next(
        line.split('URI="')[1].rstrip('"')
        for line in master.splitlines()
        if "TYPE=AUDIO" in line and "URI=" in line
    )
    playlist_url = _path(urljoin(url, uri))
    assert (await client.get(playlist_url)).status_code == 200

    assert (await client.delete(f"{API}/profiles/{profile_id}", headers=teacher)).status_code == 204

    gone = await client.get(playlist_url)
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "media_not_found"
    assert (await client.get(_path(urljoin(urljoin(url, uri), "seg_00000.ts")))).status_code == 404
    store = get_object_store()
    assert list(store.list_objects(keys.rendition_prefix(video.media_prefix, dub_id))) == []
    assert list(store.list_objects(keys.dub_prefix(dub_id))) == []


async def test_export_and_erase_of_a_users_voice_data(
    instructor: User, make_video: Any, ready_profile: Any, ready_dub: Any
) -> None:
    from app.voice.service import erase_user_data, export_user_data

    video = make_video(instructor)
    dub_id = ready_dub(instructor, video.id, ready_profile(instructor))
    with sync_session() as session:
        exported = export_user_data(session, instructor.id)
    assert exported["consents"][0]["purpose"] == "dubbing" and exported["consents"][0]["revoked_at"] is None
    assert exported["profiles"][0]["status"] == "ready" and exported["dubs"][0]["id"] == str(dub_id)
    with sync_session() as session:
        erase_user_data(session, instructor.id)
    with sync_session() as session:
        assert export_user_data(session, instructor.id) == {"consents": [], "profiles": [], "dubs": []}
    assert list(get_object_store().list_objects(keys.dub_prefix(dub_id))) == []


async def test_a_sample_upload_never_completed_is_aborted_and_its_row_removed_by_the_beat_reaper(
    client: httpx.AsyncClient, auth_headers: Headers, instructor: User, settings: Any, monkeypatch: Any
) -> None:
    import asyncio
    from datetime import timedelta
    from functools import partial

    from app.core.clock import utcnow
    from app.uploads import reap_every_kind
    from app.voice.models import VoiceSample
    from app.worker.celery_app import celery_app

    # As the beat task does: a worker's task modules register their kinds (voice's hook lives in
    # app.voice.jobs, which the API app never imports; run alone, this test had no "voice" kind).
    celery_app.loader.import_default_modules()

    monkeypatch.setattr(settings, "voice_upload_abandon_seconds", 1)
    teacher = auth_headers(instructor)
    profile = await new_profile(client, teacher)
    kept = await upload_sample(
        client, teacher, profile["id"], b"RIFF" + b"\0" * 4000, content_type="audio/wav"
    )
    started = await client.post(
        f"{API}/profiles/{profile['id']}/samples",
        json={"filename": "cut.webm", "content_type": "audio/webm", "size_bytes": 5000},
        headers=teacher,
    )
    stale = started.json()["sample"]["id"]
    later = utcnow() + timedelta(seconds=2)  # the reaper as it runs once the sample is older than 1 s
    report = (await asyncio.to_thread(partial(reap_every_kind, settings, now=later)))["voice"]
    assert keys.sample_source(uuid.UUID(stale)) in {u.key for u in report.aborted} and report.errors == 0
    shown = (await client.get(f"{API}/profiles/{profile['id']}", headers=teacher)).json()
    assert [s["id"] for s in shown["samples"]] == [kept["id"]]
    with sync_session() as session:
        assert session.get(VoiceSample, uuid.UUID(stale)) is None


async def test_what_a_dub_job_writes_after_consent_was_withdrawn_mid_run_is_deleted(
    client: httpx.AsyncClient,
    auth_headers: Headers,
    instructor: User,
    make_video: Any,
    ready_profile: Any,
    ready_dub: Any,
    monkeypatch: Any,
) -> None:
    import asyncio

    from app.voice import jobs

    video = make_video(instructor)
    profile_id = ready_profile(instructor)
    dub_id = ready_dub(instructor, video.id, profile_id)
    with sync_session() as session:
        row = session.get(VoiceDub, dub_id)
        assert row is not None
        row.status, row.action, row.redo_segment = JobStatus.pending, "redo", 0
        late_key = keys.rendition(row.media_prefix, dub_id, 2)
    store = get_object_store()
    teacher = auth_headers(instructor)

    def revoked_mid_run(dub: Any, progress: Any, workdir: Any, settings: Any) -> dict[str, Any]:
        # The instructor withdraws consent while the worker is synthesizing...
        response = asyncio.run_coroutine_threadsafe(
            client.delete(f"{API}/profiles/{profile_id}", headers=teacher), loop
        )
        assert response.result(timeout=30).status_code == 204
        # ...and the run still writes its outputs before it notices.
        store.put_bytes(late_key, b"#EXTM3U\n")
        store.put_bytes(keys.dub_work(dub_id, "mix.wav"), b"RIFF")
        return {"version": 2, "rendition_key": late_key}

    loop = asyncio.get_running_loop()
    monkeypatch.setattr(jobs, "_dub_body", revoked_mid_run)
    outcome = await asyncio.to_thread(jobs.run_dub_job, dub_id, "task-1")
    assert outcome == "lost"
    assert store.head(late_key) is None
    assert list(store.list_objects(keys.dub_prefix(dub_id))) == []
