"""Voice HTTP API (/api/v1/voice): consent, voice profiles and their recordings, dubs."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Header, status

from app.core.errors import (
    Conflict,
    NotFound,
    PayloadTooLarge,
    RateLimited,
    ValidationFailed,
    error_responses,
)
from app.core.i18n import normalize_language
from app.core.storage import UploadedPart
from app.deps import InstructorUser, SessionDep, SettingsDep
from app.progress import stream as sse
from app.studio.schemas import PartUrlOut
from app.uploads.schemas import UploadedPartOut
from app.voice import service
from app.voice.models import VoiceDub, VoiceProfile
from app.voice.schemas import (
    AudioUrlOut,
    CompleteUpload,
    ConsentOut,
    DubCreate,
    DubOut,
    ProfileCreate,
    ProfileOut,
    PublishIn,
    SampleCreate,
    SampleOut,
    SampleUploadOut,
    SegmentFix,
    UploadOut,
)

router = APIRouter(prefix="/voice", tags=["voice"])
AcceptLanguage = Annotated[str | None, Header()]


@router.get("/consent", response_model=ConsentOut)
async def consent(accept_language: AcceptLanguage = None) -> ConsentOut:
    """The words an instructor agrees to before a voice profile is made."""
    lang = normalize_language(accept_language)
    return ConsentOut(
        purpose=service.CONSENT_PURPOSE,
        version=service.CONSENT_VERSION,
        lang=lang,
        text=service.consent_text(lang),
    )


async def _profile_out(session: SessionDep, profile: VoiceProfile, lang: str) -> ProfileOut:
    samples = await service.samples_of(session, profile.id)
    consent_row = await service.consent_of(session, profile.id)
    stats = (profile.profile or {}).get("stats", {})
    return ProfileOut(
        id=profile.id,
        name=profile.name,
        status=profile.status.value,
        progress=profile.progress,
        stage=profile.stage,
        failure_reason=profile.failure_reason,
        reasons=service.reasons_text(profile.check, lang),
        samples=[SampleOut.model_validate(s) for s in samples],
        checks=[
            {k: v for k, v in c.items() if k != "reasons"} for c in (profile.check or {}).get("samples", [])
        ],
        speech_s=profile.speech_s,
        f0_min_hz=stats.get("f0_min_hz"),
        f0_max_hz=stats.get("f0_max_hz"),
        consent_given_at=consent_row.granted_at if consent_row else None,
        created_at=profile.created_at,
    )


@router.post(
    "/profiles",
    status_code=status.HTTP_201_CREATED,
    response_model=ProfileOut,
    responses=error_responses(ValidationFailed),
)
async def create_profile(
    body: ProfileCreate, user: InstructorUser, session: SessionDep, accept_language: AcceptLanguage = None
) -> ProfileOut:
    """A new voice (consent recorded: who, when, for what use, the words shown). Then add 1-5
    minutes of recordings and ask for the check."""
    lang = normalize_language(accept_language)
    profile = await service.create_profile(
        session, owner=user, name=body.name, consent=body.consent, lang=lang
    )
    return await _profile_out(session, profile, lang)


@router.get("/profiles", response_model=list[ProfileOut])
async def list_profiles(
    user: InstructorUser, session: SessionDep, accept_language: AcceptLanguage = None
) -> list[ProfileOut]:
    lang = normalize_language(accept_language)
    return [await _profile_out(session, p, lang) for p in await service.list_profiles(session, user)]


@router.get("/profiles/{profile_id}", response_model=ProfileOut, responses=error_responses(NotFound))
async def get_profile(
    profile_id: uuid.UUID, user: InstructorUser, session: SessionDep, accept_language: AcceptLanguage = None
) -> ProfileOut:
    profile = await service.get_profile(session, profile_id, user)
    return await _profile_out(session, profile, normalize_language(accept_language))


@router.delete(
    "/profiles/{profile_id}", status_code=status.HTTP_204_NO_CONTENT, responses=error_responses(NotFound)
)
async def revoke_profile(profile_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> None:
    """Withdraw consent: deletes the voice, its recordings and every dub made with it."""
    await service.revoke_profile(session, profile_id, user)


@router.post(
    "/profiles/{profile_id}/samples",
    status_code=status.HTTP_201_CREATED,
    response_model=SampleUploadOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed, PayloadTooLarge),
)
async def add_sample(
    profile_id: uuid.UUID,
    body: SampleCreate,
    user: InstructorUser,
    session: SessionDep,
    settings: SettingsDep,
) -> SampleUploadOut:
    """Start the upload of one recording (PUT each part to its URL, then complete)."""
    ticket = await service.add_sample(
        session,
        settings,
        profile_id,
        user,
        filename=body.filename,
        content_type=body.content_type,
        size_bytes=body.size_bytes,
    )
    return _sample_ticket(ticket)


@router.get(
    "/profiles/{profile_id}/samples/{sample_id}/upload",
    response_model=SampleUploadOut,
    responses=error_responses(NotFound, Conflict),
)
async def resume_sample(
    profile_id: uuid.UUID,
    sample_id: uuid.UUID,
    user: InstructorUser,
    session: SessionDep,
    settings: SettingsDep,
) -> SampleUploadOut:
    """Resume an interrupted upload: the parts already stored and fresh URLs for the missing ones."""
    return _sample_ticket(await service.resume_sample(session, settings, profile_id, sample_id, user))


def _sample_ticket(ticket: service.SampleTicket) -> SampleUploadOut:
    return SampleUploadOut(
        sample=SampleOut.model_validate(ticket.sample),
        upload=UploadOut(
            part_size=ticket.part_size,
            part_count=ticket.part_count,
            parts=[PartUrlOut(part_number=n, url=url) for n, url in ticket.parts],
            uploaded_parts=[
                UploadedPartOut(part_number=p.part_number, etag=p.etag, size=p.size)
                for p in ticket.uploaded_parts
            ],
            expires_at=ticket.expires_at,
        ),
    )


@router.post(
    "/profiles/{profile_id}/samples/{sample_id}/complete",
    response_model=SampleOut,
    responses=error_responses(NotFound, ValidationFailed),
)
async def complete_sample(
    profile_id: uuid.UUID,
    sample_id: uuid.UUID,
    body: CompleteUpload,
    user: InstructorUser,
    session: SessionDep,
) -> SampleOut:
    parts = [UploadedPart(part_number=p.part_number, etag=p.etag) for p in body.parts]
    return SampleOut.model_validate(
        await service.complete_sample(session, profile_id, sample_id, user, parts)
    )


@router.delete(
    "/profiles/{profile_id}/samples/{sample_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    responses=error_responses(NotFound, Conflict),
)
async def delete_sample(
    profile_id: uuid.UUID, sample_id: uuid.UUID, user: InstructorUser, session: SessionDep
) -> None:
    await service.delete_sample(session, profile_id, sample_id, user)


@router.post(
    "/profiles/{profile_id}/check",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ProfileOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed),
)
async def check_profile(
    profile_id: uuid.UUID, user: InstructorUser, session: SessionDep, accept_language: AcceptLanguage = None
) -> ProfileOut:
    """Check the recordings (speech, noise, clipping, length, one speaker) and make the voice."""
    profile = await service.check_profile(session, profile_id, user)
    return await _profile_out(session, profile, normalize_language(accept_language))


@router.get(
    "/profiles/{profile_id}/events",
    response_class=sse.ProgressStream,
    responses=error_responses(NotFound, RateLimited),
)
async def profile_events(
    profile_id: uuid.UUID, user: InstructorUser, session: SessionDep
) -> sse.ProgressStream:
    """`progress` events while the recordings are checked, then one `end` event."""
    await service.get_profile(session, profile_id, user)
    await session.close()
    return await sse.progress_response(
        owner=user.id,
        channel=service.progress_channel(service.PROFILE_KIND, profile_id),
        load_state=lambda db: service.load_state(db, VoiceProfile, profile_id),
        active=service.PROGRESS_ACTIVE,
    )


# --- dubs


def _dub_out(dub: VoiceDub) -> DubOut:
    out = DubOut.model_validate(dub)
    out.published = dub.published_at is not None
    return out


@router.post(
    "/dubs",
    status_code=status.HTTP_201_CREATED,
    response_model=DubOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed),
)
async def create_dub(body: DubCreate, user: InstructorUser, session: SessionDep) -> DubOut:
    """Dub one of your published videos into it/en in one of your voices (progress: /events)."""
    dub = await service.create_dub(
        session,
        owner=user,
        video_id=body.video_id,
        profile_id=body.profile_id,
        language=body.language,
        script=body.script,
    )
    return _dub_out(dub)


@router.get("/dubs", response_model=list[DubOut])
async def list_dubs(
    user: InstructorUser, session: SessionDep, video_id: uuid.UUID | None = None
) -> list[DubOut]:
    return [_dub_out(d) for d in await service.list_dubs(session, user, video_id)]


@router.get("/dubs/{dub_id}", response_model=DubOut, responses=error_responses(NotFound))
async def get_dub(dub_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> DubOut:
    return _dub_out(await service.get_dub(session, dub_id, user))


@router.get(
    "/dubs/{dub_id}/events",
    response_class=sse.ProgressStream,
    responses=error_responses(NotFound, RateLimited),
)
async def dub_events(dub_id: uuid.UUID, user: InstructorUser, session: SessionDep) -> sse.ProgressStream:
    """`progress` events while the dub (or a fixed segment) is made, then one `end` event."""
    await service.get_dub(session, dub_id, user)
    await session.close()
    return await sse.progress_response(
        owner=user.id,
        channel=service.progress_channel(service.DUB_KIND, dub_id),
        load_state=lambda db: service.load_state(db, VoiceDub, dub_id),
        active=service.PROGRESS_ACTIVE,
    )


@router.get(
    "/dubs/{dub_id}/segments/{segment_id}/audio",
    response_model=AudioUrlOut,
    responses=error_responses(NotFound),
)
async def segment_audio(
    dub_id: uuid.UUID, segment_id: int, user: InstructorUser, session: SessionDep, settings: SettingsDep
) -> AudioUrlOut:
    """A short-lived link to one dubbed segment's audio (WAV)."""
    return AudioUrlOut(url=await service.segment_audio_url(session, settings, dub_id, user, segment_id))


@router.post(
    "/dubs/{dub_id}/segments/{segment_id}/redo",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DubOut,
    responses=error_responses(NotFound, Conflict, ValidationFailed),
)
async def redo_segment(
    dub_id: uuid.UUID, segment_id: int, body: SegmentFix, user: InstructorUser, session: SessionDep
) -> DubOut:
    """Synthesize one segment again (with the edited text) and re-mix the dub."""
    return _dub_out(await service.redo_segment(session, dub_id, user, segment_id=segment_id, text=body.text))


@router.post("/dubs/{dub_id}/publish", response_model=DubOut, responses=error_responses(NotFound, Conflict))
async def publish_dub(
    dub_id: uuid.UUID, body: PublishIn, user: InstructorUser, session: SessionDep
) -> DubOut:
    """Offer the dub as an audio language in the video's player (publish false: withdraw it)."""
    return _dub_out(await service.publish_dub(session, dub_id, user, publish=body.publish))
