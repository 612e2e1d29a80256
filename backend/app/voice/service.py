"""Voice rules for the API: consent, voice profiles and their samples, dubs, publishing a dub as an
HLS audio rendition, and revoking (which deletes the profile and every audio made from it).

Heavy work never happens here: checking samples and dubbing are jobs (app/voice/jobs.py, queue
`studio`); this module commits the job row, then enqueues its task.
"""

from __future__ import annotations

import asyncio
import hashlib
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app import progress, uploads
from app.auth.models import User
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import Conflict, NotFound, ValidationFailed
from app.core.i18n import t
from app.core.ids import uuid7
from app.core.storage import UploadedPart, get_object_store
from app.media.models import Video
from app.notifications import Kind, notify, register_kind
from app.voice import keys
from app.voice.models import JobStatus, VoiceConsent, VoiceDub, VoiceProfile, VoiceSample
from app.worker.dispatch import enqueue

log = structlog.get_logger(__name__)

CHECK_PROFILE_TASK = "studio.voice_check_profile"
DUB_TASK = "studio.voice_dub"
LANGUAGES = ("it", "en")
CONSENT_PURPOSE = "dubbing"
CONSENT_VERSION = "1"
MAX_SCRIPT_SEGMENTS = 2000

PROGRESS_ACTIVE = frozenset({JobStatus.uploading.value, JobStatus.pending.value, JobStatus.running.value})
PROFILE_KIND = "voice_profile"
DUB_KIND = "voice_dub"


def progress_channel(kind: str, job_id: uuid.UUID | str) -> str:
    """kind: PROFILE_KIND or DUB_KIND. The studio's job runner publishes on its channel naming."""
    return progress.channel("studio", kind, job_id)


def job_state(job: VoiceProfile | VoiceDub) -> progress.State:
    return progress.state(job.status.value, job.progress, job.stage, job.failure_reason)


async def load_state(
    session: AsyncSession, model: type[VoiceProfile] | type[VoiceDub], job_id: uuid.UUID
) -> progress.State | None:
    row: VoiceProfile | VoiceDub | None = await session.get(model, job_id, populate_existing=True)
    return None if row is None else job_state(row)


# --- events: each notifies the instructor (issue 17); the page linked shows the outcome

VOICE_READY = register_kind(Kind("voice_ready"))
DUB_READY = register_kind(Kind("dub_ready"))


class _events:
    """Called by the worker (app/voice/jobs.py) once a job's outcome has landed, inside the
    transaction that stored it."""

    @staticmethod
    def profile_checked(session: Session, *, user_id: uuid.UUID, profile_id: uuid.UUID, ready: bool) -> None:
        """The recordings were checked: the voice is ready, or refused with reasons."""
        profile = session.get(VoiceProfile, profile_id)
        params = {"name": profile.name if profile is not None else ""}
        notify(session, user_id=user_id, kind=VOICE_READY.name, params=params, link="/studio/voice")

    @staticmethod
    def dub_finished(session: Session, *, user_id: uuid.UUID, dub_id: uuid.UUID, ready: bool) -> None:
        """A dub (or a fixed segment) is ready for review, or failed."""
        dub = session.get(VoiceDub, dub_id)
        video = session.get(Video, dub.video_id) if dub is not None else None
        params = {"title": video.title if video is not None else ""}
        notify(session, user_id=user_id, kind=DUB_READY.name, params=params, link="/studio/dubs")


# --- consent and profiles


def consent_text(lang: str) -> str:
    return t("voice.consent.text", lang)


SAMPLE_UPLOAD = uploads.UploadKind(
    name="voice",
    prefix="voice/samples/",
    key_of=keys.sample_source,
    max_bytes=lambda settings: settings.voice_sample_max_bytes,
    part_size=lambda settings: settings.voice_upload_part_size,
    abandon_after_seconds=lambda settings: settings.voice_upload_abandon_seconds,
    too_large=lambda limit: f"A voice sample may be at most {limit // (1024 * 1024)} MiB.",
    too_large_code="voice_sample_too_large",
    # MediaRecorder says audio/webm or audio/ogg (some browsers video/webm for an audio-only take).
    content_types=("audio/", "video/webm", "video/mp4", "video/ogg"),
    wrong_type="Upload a sound recording (WAV, WebM/Opus, Ogg, M4A or MP3).",
    wrong_type_code="voice_not_audio",
)


async def create_profile(
    session: AsyncSession, *, owner: User, name: str, consent: bool, lang: str
) -> VoiceProfile:
    """A new profile waiting for samples; the consent (who, when, what for, in which words) is
    recorded with it and nothing is made without one."""
    if not consent:
        raise ValidationFailed(
            "Agree to the use of your voice for dubbing your videos first.", code="voice_consent_required"
        )
    name = name.strip()
    if not name:
        raise ValidationFailed("Give the voice a name.", code="voice_name_required")
    now = utcnow()
    profile = VoiceProfile(
        owner_id=owner.id, name=name[:120], status=JobStatus.uploading, stage="samples", queued_at=None
    )
    session.add(profile)
    await session.flush()
    session.add(
        VoiceConsent(
            user_id=owner.id,
            profile_id=profile.id,
            purpose=CONSENT_PURPOSE,
            text_version=CONSENT_VERSION,
            lang=lang,
            text=consent_text(lang),
            granted_at=now,
        )
    )
    await session.commit()
    await session.refresh(profile)
    log.info("voice_profile_created", profile_id=str(profile.id))
    return profile


async def _own_profile(session: AsyncSession, profile_id: uuid.UUID, user: User) -> VoiceProfile:
    profile = await session.get(VoiceProfile, profile_id)
    if profile is None or profile.owner_id != user.id:
        raise NotFound("No such voice profile.", code="voice_profile_not_found")
    return profile


async def get_profile(session: AsyncSession, profile_id: uuid.UUID, user: User) -> VoiceProfile:
    return await _own_profile(session, profile_id, user)


async def list_profiles(session: AsyncSession, user: User) -> list[VoiceProfile]:
    stmt = select(VoiceProfile).where(VoiceProfile.owner_id == user.id).order_by(VoiceProfile.id)
    return list((await session.scalars(stmt)).all())


async def samples_of(session: AsyncSession, profile_id: uuid.UUID) -> list[VoiceSample]:
    stmt = select(VoiceSample).where(VoiceSample.profile_id == profile_id).order_by(VoiceSample.id)
    return list((await session.scalars(stmt)).all())


async def consent_of(session: AsyncSession, profile_id: uuid.UUID) -> VoiceConsent | None:
    stmt = select(VoiceConsent).where(VoiceConsent.profile_id == profile_id).limit(1)
    return (await session.scalars(stmt)).first()


@dataclass
class SampleTicket:
    sample: VoiceSample
    part_size: int
    part_count: int
    parts: list[tuple[int, str]]
    uploaded_parts: list[UploadedPart] = field(default_factory=list)
    expires_at: datetime | None = None


def _editable(profile: VoiceProfile) -> None:
    if profile.status not in (JobStatus.uploading, JobStatus.failed):
        raise Conflict(
            "This voice is being checked or is ready; make a new one to use other recordings.",
            code="voice_profile_locked",
        )


async def add_sample(
    session: AsyncSession,
    settings: Settings,
    profile_id: uuid.UUID,
    user: User,
    *,
    filename: str,
    content_type: str,
    size_bytes: int,
) -> SampleTicket:
    profile = await _own_profile(session, profile_id, user)
    _editable(profile)
    uploads.check_declared(SAMPLE_UPLOAD, settings, size_bytes=size_bytes, content_type=content_type)
    if not filename.strip():
        raise ValidationFailed("The file needs a name.", code="filename_required")
    if len(await samples_of(session, profile.id)) >= settings.voice_samples_per_profile:
        raise Conflict(
            f"A voice holds at most {settings.voice_samples_per_profile} recordings.",
            code="voice_too_many_samples",
        )
    sample_id = uuid7()
    upload = await uploads.start(
        SAMPLE_UPLOAD, settings, sample_id, size_bytes=size_bytes, content_type=content_type
    )
    sample = VoiceSample(
        id=sample_id,
        profile_id=profile.id,
        filename=filename.strip()[:255],
        content_type=content_type,
        size_bytes=size_bytes,
        part_size=upload.plan.part_size,
        source_key=upload.key,
        upload_id=upload.upload_id,
    )
    session.add(sample)
    if profile.status == JobStatus.failed:  # new recordings after a rejected check
        profile.status, profile.stage, profile.failure_reason = JobStatus.uploading, "samples", None
        profile.check = None
    await session.commit()
    signed = await uploads.sign(SAMPLE_UPLOAD, upload, range(1, upload.plan.count + 1), settings)
    return SampleTicket(
        sample, upload.plan.part_size, upload.plan.count, list(signed.parts), [], signed.expires_at
    )


async def resume_sample(
    session: AsyncSession, settings: Settings, profile_id: uuid.UUID, sample_id: uuid.UUID, user: User
) -> SampleTicket:
    """The parts stored so far and fresh URLs for the missing ones (resume after a break)."""
    profile = await _own_profile(session, profile_id, user)
    sample = await session.get(VoiceSample, sample_id)
    if sample is None or sample.profile_id != profile.id:
        raise NotFound("No such recording.", code="voice_sample_not_found")
    if sample.upload_id is None:
        raise Conflict("This recording's upload is already complete.", code="upload_already_completed")
    plan = uploads.PartPlan(sample.size_bytes, sample.part_size)
    upload = uploads.Upload(sample.source_key, sample.upload_id, plan)
    stored, signed = await uploads.resume(SAMPLE_UPLOAD, upload, settings)
    return SampleTicket(sample, plan.part_size, plan.count, list(signed.parts), stored, signed.expires_at)


async def complete_sample(
    session: AsyncSession,
    profile_id: uuid.UUID,
    sample_id: uuid.UUID,
    user: User,
    parts: Sequence[UploadedPart],
) -> VoiceSample:
    profile = await _own_profile(session, profile_id, user)
    sample = await session.get(VoiceSample, sample_id)
    if sample is None or sample.profile_id != profile.id:
        raise NotFound("No such recording.", code="voice_sample_not_found")
    if sample.upload_id is None:
        return sample
    plan = uploads.PartPlan(sample.size_bytes, sample.part_size)
    await uploads.complete(uploads.Upload(sample.source_key, sample.upload_id, plan), parts)
    sample.upload_id = None
    sample.uploaded_at = utcnow()
    await session.commit()
    await session.refresh(sample)
    return sample


async def delete_sample(
    session: AsyncSession, profile_id: uuid.UUID, sample_id: uuid.UUID, user: User
) -> None:
    profile = await _own_profile(session, profile_id, user)
    _editable(profile)
    sample = await session.get(VoiceSample, sample_id)
    if sample is None or sample.profile_id != profile.id:
        raise NotFound("No such recording.", code="voice_sample_not_found")
    await asyncio.to_thread(
        get_object_store().delete_prefix, keys.sample_source(sample.id).rsplit("/", 1)[0] + "/"
    )
    await session.delete(sample)
    await session.commit()


async def check_profile(session: AsyncSession, profile_id: uuid.UUID, user: User) -> VoiceProfile:
    """Queue the check of the uploaded recordings (speech, SNR, clipping, length, one speaker)."""
    profile = await _own_profile(session, profile_id, user)
    _editable(profile)
    samples = await samples_of(session, profile.id)
    if not samples:
        raise ValidationFailed("Record or upload at least one recording first.", code="voice_no_samples")
    if any(s.upload_id is not None for s in samples):
        raise Conflict("A recording is still uploading.", code="voice_sample_uploading")
    profile.status, profile.stage, profile.progress = JobStatus.pending, "queued", 0
    profile.failure_reason, profile.check, profile.run_count = None, None, 0
    profile.lease_id, profile.task_id, profile.queued_at, profile.finished_at = None, None, utcnow(), None
    await session.commit()
    enqueue(CHECK_PROFILE_TASK, str(profile.id))
    await session.refresh(profile)
    return profile


def reasons_text(check: dict[str, Any] | None, lang: str) -> list[str]:
    """The check's reasons (language-neutral keys) in `lang`, from the compute's catalogue."""
    if not check:
        return []
    from video_studio.i18n import studio_catalogue

    catalogue = studio_catalogue()
    return [catalogue.text(r["key"], lang, **r.get("params", {})) for r in check.get("reasons", [])]


async def revoke_profile(session: AsyncSession, profile_id: uuid.UUID, user: User) -> None:
    """Withdraw consent: the profile, its recordings and every dub made with it (their published
    renditions too) are deleted; the consent record stays, marked revoked."""
    profile = await session.get(VoiceProfile, profile_id, with_for_update=True)
    if profile is None or profile.owner_id != user.id:
        raise NotFound("No such voice profile.", code="voice_profile_not_found")
    samples = await samples_of(session, profile.id)
    dubs = list((await session.scalars(select(VoiceDub).where(VoiceDub.profile_id == profile.id))).all())
    prefixes = [keys.sample_source(s.id).rsplit("/", 1)[0] + "/" for s in samples]
    for dub in dubs:
        prefixes += [keys.dub_prefix(dub.id), keys.rendition_prefix(dub.media_prefix, dub.id)]
    await _delete_prefixes(prefixes)
    now = utcnow()
    for consent in (
        await session.scalars(select(VoiceConsent).where(VoiceConsent.profile_id == profile.id))
    ).all():
        consent.revoked_at = now
        consent.profile_id = None
    await session.execute(delete(VoiceDub).where(VoiceDub.profile_id == profile.id))
    await session.execute(delete(VoiceSample).where(VoiceSample.profile_id == profile.id))
    await session.delete(profile)
    await session.commit()
    for dub in dubs:  # end open progress streams
        progress.publish(progress_channel(DUB_KIND, dub.id), progress.state("failed", 0, "deleted", None))
    log.info("voice_profile_revoked", profile_id=str(profile_id), dubs=len(dubs))


async def _delete_prefixes(prefixes: Sequence[str]) -> None:
    store = get_object_store()

    def remove() -> None:
        for prefix in prefixes:
            store.delete_prefix(prefix)

    await asyncio.to_thread(remove)


# --- dubs


async def _script_for(
    session: AsyncSession, video_id: uuid.UUID, script: dict[str, Any] | None
) -> tuple[str, dict[str, Any]]:
    """The uploaded script, else the knowledge transcript of the video."""
    if script is None:
        from app.knowledge.service import video_transcript

        transcript = await video_transcript(session, video_id)
        if not transcript or not transcript.get("segments"):
            raise Conflict(
                "This video has no transcript yet; upload a script or wait for its knowledge extraction.",
                code="voice_no_transcript",
            )
        script, source = transcript, "knowledge"
    else:
        source = "uploaded"
    segments = []
    for k, seg in enumerate(script.get("segments") or []):
        try:
            start, end, text = float(seg["start"]), float(seg["end"]), str(seg["text"]).strip()
        except (KeyError, TypeError, ValueError):
            raise ValidationFailed(
                f"Script segment {k + 1} needs start, end (seconds) and text.", code="voice_bad_script"
            ) from None
        if not (0 <= start < end) or not text:
            raise ValidationFailed(
                f"Script segment {k + 1} needs 0 <= start < end and some text.", code="voice_bad_script"
            )
        segments.append({"id": int(seg.get("id", k)), "start": start, "end": end, "text": text})
    if not segments:
        raise ValidationFailed("The script has no segments.", code="voice_bad_script")
    if len(segments) > MAX_SCRIPT_SEGMENTS:
        raise ValidationFailed("The script has too many segments.", code="voice_bad_script")
    language = script.get("language")
    return source, {"language": language if isinstance(language, str) else None, "segments": segments}


async def create_dub(
    session: AsyncSession,
    *,
    owner: User,
    video_id: uuid.UUID,
    profile_id: uuid.UUID,
    language: str,
    script: dict[str, Any] | None,
) -> VoiceDub:
    from app.media import service as media_service

    if language not in LANGUAGES:
        raise ValidationFailed("Dubs are made in Italian (it) or English (en).", code="voice_bad_language")
    profile = await _own_profile(session, profile_id, owner)
    if profile.status != JobStatus.ready or profile.profile is None:
        raise Conflict("This voice is not ready yet.", code="voice_profile_not_ready")
    video = await media_service.get_video_summary(session, video_id)
    if video.owner_id != owner.id:
        raise NotFound("No such video.", code="video_not_found")
    if video.status != "published" or not video.media_prefix:
        raise Conflict("Only a published video can be dubbed.", code="video_not_published")
    source_key = await media_service.get_source_object_key(session, video_id)
    script_source, cleaned = await _script_for(session, video_id, script)
    dub = VoiceDub(
        owner_id=owner.id,
        video_id=video_id,
        profile_id=profile.id,
        language=language,
        source_key=source_key,
        media_prefix=video.media_prefix,
        script_source=script_source,
        script=cleaned,
        action="dub",
        status=JobStatus.pending,
        stage="queued",
        queued_at=utcnow(),
    )
    session.add(dub)
    await session.commit()
    log.info("voice_dub_requested", dub_id=str(dub.id), video_id=str(video_id), language=language)
    enqueue(DUB_TASK, str(dub.id))
    await session.refresh(dub)
    return dub


async def _own_dub(session: AsyncSession, dub_id: uuid.UUID, user: User, *, lock: bool = False) -> VoiceDub:
    dub = await session.get(VoiceDub, dub_id, with_for_update=lock)
    if dub is None or dub.owner_id != user.id:
        raise NotFound("No such dub.", code="voice_dub_not_found")
    return dub


async def get_dub(session: AsyncSession, dub_id: uuid.UUID, user: User) -> VoiceDub:
    return await _own_dub(session, dub_id, user)


async def list_dubs(session: AsyncSession, user: User, video_id: uuid.UUID | None) -> list[VoiceDub]:
    stmt = select(VoiceDub).where(VoiceDub.owner_id == user.id)
    if video_id is not None:
        stmt = stmt.where(VoiceDub.video_id == video_id)
    return list((await session.scalars(stmt.order_by(VoiceDub.id))).all())


async def redo_segment(
    session: AsyncSession, dub_id: uuid.UUID, user: User, *, segment_id: int, text: str | None
) -> VoiceDub:
    """Synthesize one segment again (with edited text) and re-mix; a job like the dub."""
    dub = await _own_dub(session, dub_id, user, lock=True)
    if dub.status != JobStatus.ready or not dub.report:
        raise Conflict("Wait until the dub is ready.", code="voice_dub_not_ready")
    if not any(s["id"] == segment_id for s in dub.report.get("segments", [])):
        raise NotFound("The dub has no such segment.", code="voice_segment_not_found")
    if text is not None and not text.strip():
        raise ValidationFailed("The new text is empty.", code="voice_empty_text")
    dub.action, dub.redo_segment, dub.redo_text = "redo", segment_id, text.strip() if text else None
    dub.status, dub.stage, dub.progress, dub.failure_reason = JobStatus.pending, "queued", 0, None
    dub.lease_id, dub.task_id, dub.run_count, dub.queued_at = None, None, 0, utcnow()
    await session.commit()
    enqueue(DUB_TASK, str(dub.id))
    await session.refresh(dub)
    return dub


async def publish_dub(session: AsyncSession, dub_id: uuid.UUID, user: User, *, publish: bool) -> VoiceDub:
    """Offer (or withdraw) the dub as an audio language of the video; one published dub per language."""
    from app.media import service as media_service

    dub = await _own_dub(session, dub_id, user, lock=True)
    if not publish:
        dub.published_at = None
        await session.commit()
        await session.refresh(dub)
        return dub
    if dub.status != JobStatus.ready or not dub.rendition_key:
        raise Conflict("Wait until the dub is ready.", code="voice_dub_not_ready")
    video = await media_service.get_video_summary(session, dub.video_id)
    if video.media_prefix != dub.media_prefix:
        raise Conflict(
            "The video was processed again since this dub was made; dub it again.", code="voice_dub_outdated"
        )
    others = await session.scalars(
        select(VoiceDub).where(
            VoiceDub.video_id == dub.video_id,
            VoiceDub.language == dub.language,
            VoiceDub.id != dub.id,
            VoiceDub.published_at.is_not(None),
        )
    )
    for other in others.all():
        other.published_at = None
    dub.published_at = utcnow()
    await session.commit()
    await session.refresh(dub)
    log.info("voice_dub_published", dub_id=str(dub.id), language=dub.language)
    return dub


async def segment_audio_url(
    session: AsyncSession, settings: Settings, dub_id: uuid.UUID, user: User, segment_id: int
) -> str:
    dub = await _own_dub(session, dub_id, user)
    segment = next((s for s in (dub.report or {}).get("segments", []) if s["id"] == segment_id), None)
    if segment is None:
        raise NotFound("The dub has no such segment.", code="voice_segment_not_found")
    if not segment.get("audio"):
        raise NotFound(
            "This segment has no dubbed audio (it is untranslated).", code="voice_segment_no_audio"
        )
    key = keys.dub_work(dub.id, segment["audio"])
    return await asyncio.to_thread(get_object_store().presign_get, key, settings.voice_url_ttl_seconds)


# --- playback: the master playlist with the published dubs


async def dubbed_master(session: AsyncSession, video_id: uuid.UUID, prefix: str, master_key: str) -> str:
    """Playback's hook: `master_key` plus one `EXT-X-MEDIA:TYPE=AUDIO` per published dub made on
    this media prefix. The combined playlist's key is derived from what it combines, so it is
    written once and never rewritten (playlists are cached by key)."""
    rows = (
        await session.execute(
            select(VoiceDub.language, VoiceDub.rendition_key, VoiceDub.script).where(
                VoiceDub.video_id == video_id,
                VoiceDub.published_at.is_not(None),
                VoiceDub.rendition_key.is_not(None),
            )
        )
    ).all()
    # The original track speaks the video's language; a script's language is what the dub was
    # made from, which may already be the target's (an uploaded translation).
    spoken = await session.scalar(select(Video.language).where(Video.id == video_id))
    published = sorted(
        (str(lang), str(key), spoken or (script or {}).get("language"))
        for lang, key, script in rows
        if key and str(key).startswith(prefix + "hls/")
    )
    if not published:
        return master_key
    digest = hashlib.sha256(repr((master_key, published)).encode()).hexdigest()[:16]
    key = f"{prefix}hls/master-dub-{digest}.m3u8"
    store = get_object_store()

    def write() -> None:
        from video_studio.hls_master import with_audio_rendition

        if store.head(key) is not None:
            return
        text = store.get_bytes(master_key).decode("utf-8")
        for lang, rendition, original in published:
            uri = rendition.removeprefix(prefix + "hls/")
            text = with_audio_rendition(text, uri, language=lang, original_language=original)
        store.put_bytes(key, text.encode(), "application/vnd.apple.mpegurl")

    await asyncio.to_thread(write)
    return key


# --- user data rights (#17)


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    consents = session.scalars(select(VoiceConsent).where(VoiceConsent.user_id == user_id)).all()
    profiles = session.scalars(select(VoiceProfile).where(VoiceProfile.owner_id == user_id)).all()
    dubs = session.scalars(select(VoiceDub).where(VoiceDub.owner_id == user_id)).all()
    return {
        "consents": [
            {
                "purpose": c.purpose,
                "text": c.text,
                "lang": c.lang,
                "granted_at": c.granted_at.isoformat(),
                "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None,
            }
            for c in consents
        ],
        "profiles": [
            {"id": str(p.id), "name": p.name, "status": p.status.value, "voice": p.profile} for p in profiles
        ],
        "dubs": [
            {
                "id": str(d.id),
                "video_id": str(d.video_id),
                "language": d.language,
                "report": d.report,
                "published": d.published_at is not None,
            }
            for d in dubs
        ],
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Every profile, recording and dub of the user, with their objects; consents are deleted."""
    store = get_object_store()
    profiles = session.scalars(select(VoiceProfile).where(VoiceProfile.owner_id == user_id)).all()
    ids = [p.id for p in profiles]
    for sample in session.scalars(select(VoiceSample).where(VoiceSample.profile_id.in_(ids))).all():
        store.delete_prefix(keys.sample_source(sample.id).rsplit("/", 1)[0] + "/")
    for dub in session.scalars(select(VoiceDub).where(VoiceDub.owner_id == user_id)).all():
        store.delete_prefix(keys.dub_prefix(dub.id))
        store.delete_prefix(keys.rendition_prefix(dub.media_prefix, dub.id))
    session.execute(delete(VoiceDub).where(VoiceDub.owner_id == user_id))
    session.execute(delete(VoiceSample).where(VoiceSample.profile_id.in_(ids)))
    session.execute(delete(VoiceConsent).where(VoiceConsent.user_id == user_id))
    session.execute(delete(VoiceProfile).where(VoiceProfile.owner_id == user_id))
