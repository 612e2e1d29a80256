"""Worker side of the voice domain: the sample check and the dub (whole, or one segment again).

Both rows are jobs of the studio's runner (app/studio/jobs.py `_run` on the job engine: claim +
lease, progress + heartbeat thread, the reaper, transient retries, failure reasons), registered
under their own kinds as knowledge extraction is. video_studio's voice compute is imported here
only, inside the bodies (never in the API process).
"""

from __future__ import annotations

import json
import re
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import delete, select, update
from sqlalchemy.orm import Session

from app import uploads
from app.core.config import Settings, get_settings
from app.core.storage import MultipartUpload, get_object_store
from app.db.session import sync_session
from app.jobs import engine as jobs
from app.studio import jobs as studio_jobs
from app.voice import keys
from app.voice.models import VoiceDub, VoiceProfile, VoiceSample
from app.voice.service import CHECK_PROFILE_TASK, DUB_KIND, DUB_TASK, PROFILE_KIND, SAMPLE_UPLOAD, _events

studio_jobs.MODELS[PROFILE_KIND] = cast(studio_jobs.JobModel, VoiceProfile)
studio_jobs.TABLES[PROFILE_KIND] = jobs.JobTable(VoiceProfile, domain="voice", task=CHECK_PROFILE_TASK)
studio_jobs.MODELS[DUB_KIND] = cast(studio_jobs.JobModel, VoiceDub)
studio_jobs.TABLES[DUB_KIND] = jobs.JobTable(VoiceDub, domain="voice", task=DUB_TASK)

BadInput = studio_jobs.BadInput
WORK_FILES = ("dub.json", "original.wav", "voice.wav", "mix.wav")


def _safe(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "_", Path(name).name).strip("._")[:80] or "sample"


def _reject(profile_id: uuid.UUID, check: dict[str, Any]) -> BadInput:
    """Keep the check's findings (reason keys with parameters, rendered per request language in
    `reasons`) and fail the job with the stable code that points to them."""
    with sync_session() as session:
        session.execute(update(VoiceProfile).where(VoiceProfile.id == profile_id).values(check=check))
    return BadInput("The recordings did not pass the check.", reason_code="voice_recordings_refused")


def _check_body(profile: Any, progress: Any, workdir: Path, settings: Settings) -> dict[str, Any]:
    from video_studio.voice import AudioInputError, analyse_samples

    with sync_session() as session:
        samples = (
            session.query(VoiceSample)
            .filter(VoiceSample.profile_id == profile.id, VoiceSample.upload_id.is_(None))
            .order_by(VoiceSample.id)
            .all()
        )
        wanted = [(s.source_key, s.filename) for s in samples]
    if not wanted:
        raise BadInput("No recording was uploaded.", reason_code="voice_no_recordings")
    store = get_object_store()
    progress.set(5, "downloading")
    paths = []
    for k, (key, filename) in enumerate(wanted):
        path = workdir / f"{k:02d}-{_safe(filename)}"
        store.download(key, path)
        paths.append(path)
    progress.set(20, "checking")
    try:
        analysis = analyse_samples(paths)
    except AudioInputError as exc:
        raise _reject(
            profile.id, {"samples": [], "reasons": [{"key": exc.reason, "params": exc.params}]}
        ) from exc
    found = analysis.to_dict()
    check = {"samples": found["samples"], "reasons": found["reasons"]}
    if analysis.profile is None:
        raise _reject(profile.id, check)
    progress.set(95, "storing")
    return {"check": check, "profile": analysis.profile.to_dict(), "speech_s": analysis.profile.speech_s}


def run_check_job(profile_id: uuid.UUID, task_id: str) -> str:
    outcome = studio_jobs._run(PROFILE_KIND, profile_id, task_id, _check_body)
    if outcome in ("ready", "failed"):
        with sync_session() as session:
            profile = session.get(VoiceProfile, profile_id)
            if profile is not None:
                _events.profile_checked(
                    session, user_id=profile.owner_id, profile_id=profile_id, ready=outcome == "ready"
                )
    return outcome


# --- dubs


def _providers(settings: Settings) -> tuple[Any, Any]:
    from video_studio.providers import make_speech_to_text, make_text_to_speech

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    base = settings.openai_base_url or None
    if settings.voice_tts_provider == "openai" and key:
        tts = make_text_to_speech("openai", api_key=key, base_url=base)
    else:
        tts = make_text_to_speech("offline")
    stt = None
    if settings.voice_stt_provider == "openai" and key:
        stt = make_speech_to_text("openai", api_key=key, base_url=base)
    elif settings.voice_stt_provider != "none":
        stt = make_speech_to_text("offline")
    return tts, stt


def report_of(doc: dict[str, Any]) -> dict[str, Any]:
    """What the row keeps of the DubDoc: overall quality and the segments (no voice internals)."""
    keep = ("id", "start", "end", "source_text", "text", "origin", "status", "speaker", "audio", "quality")
    return {
        "language": doc["language"],
        "source_language": doc.get("source_language"),
        "provider": doc.get("provider"),
        "duration_s": doc.get("duration_s"),
        "quality": doc.get("quality", {}),
        # Who speaks with which voice: `profile` 0 is the instructor's, None a stock voice.
        "voices": [
            {
                "speaker": v.get("speaker"),
                "profile": v.get("profile"),
                "voice": (v.get("voice") or {}).get("id"),
            }
            for v in doc.get("voices", [])
        ],
        "segments": [{k: s.get(k) for k in keep} for s in doc["segments"]],
    }


def _upload_work(dub_id: uuid.UUID, out: Path) -> None:
    store = get_object_store()
    for path in sorted(out.rglob("*")):
        if path.is_file() and path.suffix in (".json", ".wav"):
            store.put_file(keys.dub_work(dub_id, path.relative_to(out).as_posix()), path)


def _download_work(dub_id: uuid.UUID, out: Path) -> None:
    store = get_object_store()
    prefix = keys.dub_work(dub_id, "")
    for info in list(store.list_objects(prefix)):
        target = out / info.key.removeprefix(prefix)
        target.parent.mkdir(parents=True, exist_ok=True)
        store.download(info.key, target)
    if not (out / "dub.json").is_file():
        raise BadInput("The dub's files are gone; dub the video again.", reason_code="voice_dub_files_gone")


def _package(dub: Any, out: Path, workdir: Path, version: int) -> str:
    """mix.wav -> a new HLS audio rendition (AAC segments + playlist) under the video's media
    prefix; the previous version's files are removed."""
    from video_studio.voice.rendition import package_audio

    store = get_object_store()
    folder = workdir / "hls"
    package_audio(out / "mix.wav", folder)
    key = keys.rendition(dub.media_prefix, dub.id, version)
    base = key.rsplit("/", 1)[0] + "/"
    for path in sorted(folder.iterdir()):
        kind = "application/vnd.apple.mpegurl" if path.suffix == ".m3u8" else "video/mp2t"
        store.put_file(base + path.name, path, kind)
    if dub.version:
        store.delete_prefix(keys.rendition(dub.media_prefix, dub.id, dub.version).rsplit("/", 1)[0] + "/")
    return key


def _dub_body(dub: Any, progress: Any, workdir: Path, settings: Settings) -> dict[str, Any]:
    from app.knowledge import memory
    from video_studio.errors import InvalidInputError
    from video_studio.providers import ProviderError
    from video_studio.voice import VoiceProfile as Voice
    from video_studio.voice import dub as make_dub
    from video_studio.voice import load_script, resynthesize_segment

    with sync_session() as session:
        profile = session.get(VoiceProfile, dub.profile_id)
        if profile is None or profile.profile is None:
            raise BadInput("The voice profile is gone.", reason_code="voice_profile_gone")
        voice = Voice.from_dict(profile.profile)
        tm = memory.load_sync(session)
    tts, stt = _providers(settings)
    out = workdir / "out"
    store = get_object_store()
    try:
        if dub.action == "redo":
            progress.set(5, "downloading")
            _download_work(dub.id, out)
            progress.set(30, "synthesize")
            doc = resynthesize_segment(out, int(dub.redo_segment), tts=tts, stt=stt, text=dub.redo_text)
        else:
            progress.set(2, "downloading")
            video = workdir / "video"
            store.download(dub.source_key, video)
            doc = make_dub(
                video,
                load_script(dub.script),
                out,
                language=dub.language,
                tts=tts,
                profiles=[voice],
                stt=stt,
                memory=tm,
                translator=memory.translator(settings),
                diarisation=settings.voice_diarise,
                on_progress=lambda fraction, stage: progress.set(
                    5 + round(80 * fraction), stage, force=False
                ),
            )
    except ProviderError as exc:
        if exc.retryable:
            raise ConnectionError(str(exc)) from exc
        raise BadInput(str(exc), reason_code="voice_speech_service_refused") from exc
    except InvalidInputError as exc:
        raise BadInput(str(exc), reason_code="voice_cannot_dub") from exc
    progress.set(88, "package")
    version = int(dub.version) + 1
    rendition = _package(dub, out, workdir, version)
    progress.set(95, "storing")
    _upload_work(dub.id, out)
    json.dumps(doc)  # the report must be JSON (fail here, not in the database)
    return {"report": report_of(doc), "version": version, "rendition_key": rendition}


def run_dub_job(dub_id: uuid.UUID, task_id: str) -> str:
    media_prefixes: list[str] = []

    def body(dub: Any, progress: Any, workdir: Path, settings: Settings) -> dict[str, Any]:
        media_prefixes.append(dub.media_prefix)
        return _dub_body(dub, progress, workdir, settings)

    outcome = studio_jobs._run(DUB_KIND, dub_id, task_id, body)
    if media_prefixes:
        with sync_session() as session:
            row = session.get(VoiceDub, dub_id)
            revoked = row is None
            if row is not None and outcome in ("ready", "failed"):
                _events.dub_finished(session, user_id=row.owner_id, dub_id=dub_id, ready=outcome == "ready")
        if revoked:  # consent was withdrawn while this ran: nothing it wrote may stay
            store = get_object_store()
            store.delete_prefix(keys.dub_prefix(dub_id))
            store.delete_prefix(keys.rendition_prefix(media_prefixes[0], dub_id))
    return outcome


# --- abandoned sample uploads (beat: default.uploads.reap_abandoned)


def reap_abandoned_uploads(
    settings: Settings | None = None, *, now: datetime | None = None
) -> uploads.ReapReport:
    """Abort sample uploads started more than VOICE_UPLOAD_ABANDON_SECONDS ago and never
    completed; their sample rows go (the profile keeps its finished recordings)."""
    settings = settings or get_settings()

    def abandon(session: Session, upload: MultipartUpload, cutoff: datetime) -> uploads.Verdict:
        sample_id = SAMPLE_UPLOAD.id_of_key(upload.key)
        sample = session.get(VoiceSample, sample_id) if sample_id else None
        if sample is None or sample.upload_id != upload.upload_id:
            return "orphan"
        if sample.created_at >= cutoff:
            return "keep"
        session.delete(sample)
        return "abandoned"

    def stranded(session: Session, open_ids: set[str], cutoff: datetime) -> int:
        rows = session.execute(
            select(VoiceSample.id, VoiceSample.upload_id).where(
                VoiceSample.upload_id.is_not(None), VoiceSample.created_at < cutoff
            )
        ).all()
        gone = [sample_id for sample_id, upload_id in rows if upload_id not in open_ids]
        if gone:
            session.execute(delete(VoiceSample).where(VoiceSample.id.in_(gone)))
        return len(gone)

    return uploads.reap_abandoned(SAMPLE_UPLOAD, settings, abandon=abandon, stranded=stranded, now=now)


uploads.register_reaper(SAMPLE_UPLOAD, reap_abandoned_uploads)
