"""Coach HTTP API (/api/v1/coach): conversations, questions (202: the worker answers), the
conversation's live events (SSE), voice questions. Verified accounts only (replies cost money)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, File, Form, Query, Response, UploadFile, status
from fastapi.responses import JSONResponse
from sse_starlette.sse import EventSourceResponse

from app.coach import events, service, stream
from app.coach.models import CoachTranscription, TranscriptionStatus
from app.coach.schemas import (
    ConversationCreate,
    ConversationOut,
    ConversationPage,
    ExportOut,
    MessageAccepted,
    MessageCreate,
    MessageOut,
    MessagePage,
    TranscriptionOut,
    UsageOut,
)
from app.core import ratelimit
from app.core.clock import utcnow
from app.core.errors import NotFound, PayloadTooLarge, RateLimited, ValidationFailed, error_responses
from app.core.pagination import DEFAULT_LIMIT
from app.deps import CursorParam, LimitParam, SessionDep, SettingsDep, VerifiedUser

router = APIRouter(prefix="/coach", tags=["coach"])


@router.post("/conversations", status_code=status.HTTP_201_CREATED, response_model=ConversationOut)
async def create_conversation(
    body: ConversationCreate, user: VerifiedUser, session: SessionDep
) -> ConversationOut:
    return ConversationOut.model_validate(await service.create_conversation(session, user, body.language))


@router.get("/conversations", response_model=ConversationPage)
async def list_conversations(
    user: VerifiedUser, session: SessionDep, limit: LimitParam = DEFAULT_LIMIT, cursor: CursorParam = None
) -> ConversationPage:
    items, next_cursor = await service.list_conversations(session, user, limit=limit, cursor=cursor)
    return ConversationPage(items=[ConversationOut.model_validate(c) for c in items], next_cursor=next_cursor)


@router.delete("/conversations/{conversation_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_conversation(
    conversation_id: uuid.UUID, user: VerifiedUser, session: SessionDep
) -> Response:
    await service.delete_conversation(session, user, conversation_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/conversations/{conversation_id}/messages",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=MessageAccepted,
    responses=error_responses(RateLimited, ValidationFailed),
)
async def post_message(
    conversation_id: uuid.UUID,
    body: MessageCreate,
    user: VerifiedUser,
    session: SessionDep,
    settings: SettingsDep,
) -> MessageAccepted:
    """Ask a question. The reply streams on GET .../events (`token`, then `done` with its
    sources). 429 `rate_limited` past COACH_MESSAGES_PER_MINUTE / _PER_DAY, 429
    `coach_budget_exhausted` once the month's tokens are spent, 422 `message_rejected` for
    abusive text."""
    await ratelimit.limit("coach:minute", str(user.id), settings.coach_messages_per_minute, window_seconds=60)
    await ratelimit.limit("coach:day", str(user.id), settings.coach_messages_per_day, window_seconds=86400)
    reply = await service.post_message(
        session, settings, user, conversation_id, body.text, body.language, speak=body.speak
    )
    return MessageAccepted(message_id=reply.id)


@router.get("/conversations/{conversation_id}/messages", response_model=MessagePage)
async def list_messages(
    conversation_id: uuid.UUID,
    user: VerifiedUser,
    session: SessionDep,
    limit: LimitParam = DEFAULT_LIMIT,
    cursor: CursorParam = None,
) -> MessagePage:
    items, next_cursor = await service.list_messages(
        session, user, conversation_id, limit=limit, cursor=cursor
    )
    return MessagePage(items=[MessageOut.model_validate(m) for m in items], next_cursor=next_cursor)


@router.get(
    "/conversations/{conversation_id}/events",
    response_class=EventSourceResponse,
    responses=error_responses(RateLimited),
)
async def conversation_events(
    conversation_id: uuid.UUID,
    user: VerifiedUser,
    session: SessionDep,
    close_when_idle: Annotated[
        bool, Query(description="End the stream once nothing is being written")
    ] = False,
) -> EventSourceResponse:
    """`text/event-stream`: `token` {message_id, text, offset} as a reply is written, `done`
    {message_id, status, sources, error}, `transcript` {transcription_id, status, text, language,
    confidence, error} for voice questions; with close_when_idle, `end` once idle."""
    await service.get_conversation(session, user, conversation_id)
    await session.close()
    return await stream.conversation_stream(
        owner=user.id, conversation_id=conversation_id, close_when_idle=close_when_idle
    )


def _transcription_out(row: CoachTranscription) -> TranscriptionOut:
    return TranscriptionOut.model_validate(events.transcript_event(row))


@router.post(
    "/transcribe",
    response_model=TranscriptionOut,
    status_code=status.HTTP_202_ACCEPTED,
    responses={
        200: {"model": TranscriptionOut, "description": "Short audio: the transcript at once"},
        **error_responses(NotFound, PayloadTooLarge, RateLimited, ValidationFailed, 415),
    },
)
async def transcribe(
    user: VerifiedUser,
    session: SessionDep,
    settings: SettingsDep,
    conversation_id: Annotated[uuid.UUID, Form()],
    audio: Annotated[UploadFile, File(description="webm/opus, ogg, wav or m4a; at most 60 s")],
    language: Annotated[str | None, Form(max_length=5)] = None,
) -> Response:
    """A voice question → its transcript {text, language, confidence}: 200 when it is ready within
    COACH_TRANSCRIBE_WAIT_SECONDS, else 202 and the transcript follows as a `transcript` event on
    the conversation's stream (or GET /coach/transcriptions/{id}). Bad audio: 422 audio_empty /
    audio_too_long, 413 audio_too_large, 415 audio_unsupported (at once or in the event)."""
    await ratelimit.limit(
        "coach:transcribe", str(user.id), settings.coach_transcriptions_per_hour, window_seconds=3600
    )
    data = await audio.read(settings.coach_audio_max_bytes + 1)
    row = await service.create_transcription(
        session, settings, user, conversation_id, data, audio.content_type or "", language
    )
    row = await service.wait_for_transcription(user.id, row.id, settings.coach_transcribe_wait_seconds)
    code = status.HTTP_202_ACCEPTED if row.status == TranscriptionStatus.pending.value else status.HTTP_200_OK
    return JSONResponse(_transcription_out(row).model_dump(mode="json"), status_code=code)


@router.get("/transcriptions/{transcription_id}", response_model=TranscriptionOut)
async def get_transcription(
    transcription_id: uuid.UUID, user: VerifiedUser, session: SessionDep
) -> TranscriptionOut:
    return _transcription_out(await service.get_transcription(session, user, transcription_id))


@router.get("/usage", response_model=UsageOut)
async def usage(user: VerifiedUser, session: SessionDep, settings: SettingsDep) -> UsageOut:
    now = utcnow()
    return UsageOut(
        month=service.month_key(now),
        tokens_used=await service.tokens_used(session, user.id, now),
        monthly_budget=settings.coach_monthly_token_budget,
    )


@router.get("/export", response_model=ExportOut)
async def export(user: VerifiedUser, session: SessionDep) -> ExportOut:
    """Every conversation of yours with its messages, and your monthly usage (JSON)."""
    user_id = user.id
    return ExportOut.model_validate(await session.run_sync(lambda s: service.export_user_data(s, user_id)))
