"""The coach's rules: conversations, questions (recorded here, answered by the worker: replies.py),
voice transcriptions, the monthly token budget, retention and the user's data export.

No HTTP here. What costs money (a provider's tokens) is only reachable by verified accounts (the
router's guard), counted per user and calendar month (UTC) in `coach_usage`, and refused once
COACH_MONTHLY_TOKEN_BUDGET is spent. The offline answerer and offline speech recognition bill
nothing.
"""

from __future__ import annotations

import asyncio
import io
import uuid
import wave
from datetime import datetime, timedelta
from typing import Any, Final

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.auth.models import User
from app.coach.models import (
    CoachConversation,
    CoachMessage,
    CoachTranscription,
    CoachUsage,
    MessageStatus,
    Role,
    TranscriptionStatus,
)
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import DomainError, NotFound, PayloadTooLarge, RateLimited, ValidationFailed
from app.core.i18n import normalize_language, t
from app.core.pagination import apply_cursor, page_of
from app.core.storage import get_object_store
from app.db.session import async_session_scope
from app.worker.dispatch import enqueue_after_commit
from video_studio.providers.moderation_offline import WordListModerator

MAX_QUESTION_CHARS: Final = 4000
TITLE_CHARS: Final = 80


class UnsupportedAudio(DomainError):
    status_code = 415
    code = "audio_unsupported"


class BudgetExhausted(RateLimited):
    code = "coach_budget_exhausted"


# --- budget -----------------------------------------------------------------------------------


def month_key(now: datetime) -> str:
    return now.strftime("%Y-%m")


def next_month_start(now: datetime) -> datetime:
    first = now.replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return (first + timedelta(days=32)).replace(day=1)


async def tokens_used(session: AsyncSession, user_id: uuid.UUID, now: datetime | None = None) -> int:
    row = await session.get(CoachUsage, (user_id, month_key(now or utcnow())))
    return row.tokens if row else 0


async def check_budget(session: AsyncSession, settings: Settings, user: User) -> None:
    now = utcnow()
    if await tokens_used(session, user.id, now) >= settings.coach_monthly_token_budget:
        reset = next_month_start(now)
        raise BudgetExhausted(
            t("coach.budget_exhausted", user.language, date=reset.date().isoformat()),
            headers={"Retry-After": str(int((reset - now).total_seconds()))},
        )


def add_usage(session: Session, user_id: uuid.UUID, tokens: int, now: datetime | None = None) -> None:
    """Add provider tokens to the user's month. One atomic UPDATE (replies finish concurrently:
    a read-then-write would lose additions); the month's first addition inserts the row."""
    if tokens <= 0:
        return
    month = month_key(now or utcnow())
    add = (
        update(CoachUsage)
        .where(CoachUsage.user_id == user_id, CoachUsage.month == month)
        .values(tokens=CoachUsage.tokens + tokens)
    )
    if _rowcount(session.execute(add)):
        return
    try:
        with session.begin_nested():
            session.add(CoachUsage(user_id=user_id, month=month, tokens=tokens))
    except IntegrityError:  # another reply inserted the month's row first
        session.execute(add)


def _rowcount(result: object) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


# --- conversations and messages ------------------------------------------------------------------


async def create_conversation(session: AsyncSession, user: User, language: str | None) -> CoachConversation:
    conversation = CoachConversation(user_id=user.id, language=normalize_language(language or user.language))
    session.add(conversation)
    await session.commit()
    return conversation


async def get_conversation(
    session: AsyncSession, user: User, conversation_id: uuid.UUID
) -> CoachConversation:
    """The user's own conversation (anyone else's is 404, as if it did not exist)."""
    conversation = await session.get(CoachConversation, conversation_id)
    if conversation is None or conversation.user_id != user.id:
        raise NotFound(t("coach.conversation_not_found", user.language), code="conversation_not_found")
    return conversation


async def list_conversations(
    session: AsyncSession, user: User, *, limit: int, cursor: str | None
) -> tuple[list[CoachConversation], str | None]:
    stmt = select(CoachConversation).where(CoachConversation.user_id == user.id)
    rows = (await session.scalars(apply_cursor(stmt, CoachConversation.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


async def delete_conversation(session: AsyncSession, user: User, conversation_id: uuid.UUID) -> None:
    conversation = await get_conversation(session, user, conversation_id)
    await session.delete(conversation)
    await session.commit()


def rejected_categories(text: str) -> tuple[str, ...]:
    """The offline word list (video_studio.providers.moderation_offline says what it catches)."""
    return WordListModerator().flagged(text)


async def post_message(
    session: AsyncSession,
    settings: Settings,
    user: User,
    conversation_id: uuid.UUID,
    text: str,
    language: str | None,
    *,
    speak: bool = False,
) -> CoachMessage:
    """Record the question and a pending reply, and hand the reply to the `coach` queue."""
    conversation = await get_conversation(session, user, conversation_id)
    text = text.strip()
    if not text:
        raise ValidationFailed(t("coach.empty_question", user.language), code="empty_question")
    if len(text) > MAX_QUESTION_CHARS:
        raise ValidationFailed(
            t("coach.question_too_long", user.language, max=MAX_QUESTION_CHARS), code="question_too_long"
        )
    if rejected_categories(text):
        raise ValidationFailed(t("coach.message_rejected", user.language), code="message_rejected")
    await check_budget(session, settings, user)
    lang = normalize_language(language or conversation.language or user.language)
    now = utcnow()
    question = CoachMessage(
        conversation_id=conversation.id,
        role=Role.user.value,
        text=text,
        language=lang,
        created_at=now,
        finished_at=now,
    )
    session.add(question)
    await session.flush()
    reply = CoachMessage(
        conversation_id=conversation.id,
        role=Role.assistant.value,
        status=MessageStatus.pending.value,
        language=lang,
        reply_to=question.id,
        speak=speak,
        created_at=now,
        queued_at=now,
    )
    session.add(reply)
    if not conversation.title:
        conversation.title = text[:TITLE_CHARS]
    conversation.language = lang
    conversation.updated_at = now
    await session.flush()
    enqueue_after_commit(session, "coach.reply", str(reply.id))
    await session.commit()
    return reply


async def list_messages(
    session: AsyncSession, user: User, conversation_id: uuid.UUID, *, limit: int, cursor: str | None
) -> tuple[list[CoachMessage], str | None]:
    """Newest first; `cursor` pages back in time."""
    await get_conversation(session, user, conversation_id)
    stmt = select(CoachMessage).where(CoachMessage.conversation_id == conversation_id)
    rows = (await session.scalars(apply_cursor(stmt, CoachMessage.id, limit=limit, cursor=cursor))).all()
    return page_of(rows, limit)


# --- voice questions -----------------------------------------------------------------------------

AUDIO_TYPES: Final = {
    "audio/webm": "webm", "video/webm": "webm", "audio/ogg": "ogg", "audio/opus": "ogg",
    "audio/wav": "wav", "audio/x-wav": "wav", "audio/wave": "wav", "audio/vnd.wave": "wav",
    "audio/mp4": "m4a", "audio/m4a": "m4a", "audio/x-m4a": "m4a", "audio/aac": "m4a",
}  # fmt: skip


def sniff_audio(data: bytes) -> str | None:
    """The container the bytes are in (webm, ogg, wav, m4a), from their magic numbers."""
    if data.startswith(b"\x1a\x45\xdf\xa3"):
        return "webm"
    if data.startswith(b"OggS"):
        return "ogg"
    if data.startswith(b"RIFF") and data[8:12] == b"WAVE":
        return "wav"
    if data[4:8] == b"ftyp":
        return "m4a"
    return None


def wav_seconds(data: bytes) -> float | None:
    try:
        with wave.open(io.BytesIO(data)) as reader:
            rate = reader.getframerate()
            return reader.getnframes() / rate if rate else None
    except (wave.Error, EOFError):
        return None


def check_audio(settings: Settings, user: User, data: bytes, content_type: str) -> str:
    """The container, or the reason the audio is refused (empty, too big, not audio, too long)."""
    lang = user.language
    if not data:
        raise ValidationFailed(t("coach.audio.empty", lang), code="audio_empty")
    if len(data) > settings.coach_audio_max_bytes:
        raise PayloadTooLarge(
            t("coach.audio.too_large", lang, mb=settings.coach_audio_max_bytes // (1024 * 1024)),
            code="audio_too_large",
        )
    declared = AUDIO_TYPES.get(content_type.split(";", 1)[0].strip().lower())
    kind = sniff_audio(data)
    if declared is None or kind is None:
        raise UnsupportedAudio(t("coach.audio.unsupported", lang))
    if kind == "wav":
        seconds = wav_seconds(data)
        if seconds is None:
            raise UnsupportedAudio(t("coach.audio.unsupported", lang))
        if seconds > settings.coach_audio_max_seconds:
            raise ValidationFailed(
                t("coach.audio.too_long", lang, seconds=int(settings.coach_audio_max_seconds)),
                code="audio_too_long",
            )
        if seconds < 0.1:
            raise ValidationFailed(t("coach.audio.empty", lang), code="audio_empty")
    return kind


def audio_key(transcription_id: uuid.UUID, kind: str) -> str:
    return f"coach/audio/{transcription_id}.{kind}"


async def create_transcription(
    session: AsyncSession,
    settings: Settings,
    user: User,
    conversation_id: uuid.UUID,
    data: bytes,
    content_type: str,
    language: str | None,
) -> CoachTranscription:
    conversation = await get_conversation(session, user, conversation_id)
    kind = check_audio(settings, user, data, content_type)
    row = CoachTranscription(
        user_id=user.id,
        conversation_id=conversation.id,
        content_type=content_type[:100],
        size_bytes=len(data),
        language_hint=normalize_language(language) if language else None,
        audio_key="",
    )
    row.id = uuid.uuid4()
    row.audio_key = audio_key(row.id, kind)
    await asyncio.to_thread(get_object_store().put_bytes, row.audio_key, data, content_type)
    session.add(row)
    enqueue_after_commit(session, "coach.transcribe", str(row.id))
    await session.commit()
    return row


async def get_transcription(
    session: AsyncSession, user: User, transcription_id: uuid.UUID
) -> CoachTranscription:
    row = await session.get(CoachTranscription, transcription_id)
    if row is None or row.user_id != user.id:
        raise NotFound(t("coach.transcription_not_found", user.language), code="transcription_not_found")
    return row


async def wait_for_transcription(
    user_id: uuid.UUID, transcription_id: uuid.UUID, seconds: float
) -> CoachTranscription:
    """The row once the worker finished it, or as it is after `seconds`. Each look is a short
    session of its own: the request's session (and the user loaded in it) stays untouched."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while True:
        async with async_session_scope() as session:
            row = await session.get(CoachTranscription, transcription_id)
        if row is None or row.user_id != user_id:
            raise NotFound("No such voice question.", code="transcription_not_found")
        if row.status != TranscriptionStatus.pending.value or loop.time() >= deadline:
            return row
        await asyncio.sleep(0.1)


def transcription_error(row: CoachTranscription) -> dict[str, str] | None:
    if row.status != TranscriptionStatus.failed.value or not row.error_code:
        return None
    key = f"coach.audio.{row.error_code.removeprefix('audio_')}"
    return {"code": row.error_code, "message": t(key, row.language or row.language_hint, seconds=60)}


# --- retention and the user's data -------------------------------------------------------------------


def purge_expired(session: Session, settings: Settings, now: datetime | None = None) -> int:
    """Delete conversations untouched for COACH_RETENTION_DAYS (their messages go with them)."""
    cutoff = (now or utcnow()) - timedelta(days=settings.coach_retention_days)
    result = session.execute(delete(CoachConversation).where(CoachConversation.updated_at < cutoff))
    return _rowcount(result)


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def export_user_data(session: Session, user_id: uuid.UUID) -> dict[str, Any]:
    """Everything the coach keeps about the user (the privacy registry's contract, COMMON #17):
    conversations with their messages, voice transcriptions (text, not audio) and monthly usage."""
    conversations = session.scalars(
        select(CoachConversation).where(CoachConversation.user_id == user_id).order_by(CoachConversation.id)
    ).all()
    out = []
    for conversation in conversations:
        messages = session.scalars(
            select(CoachMessage)
            .where(CoachMessage.conversation_id == conversation.id)
            .order_by(CoachMessage.id)
        ).all()
        out.append(
            {
                "id": str(conversation.id),
                "title": conversation.title,
                "language": conversation.language,
                "created_at": conversation.created_at.isoformat(),
                "messages": [
                    {
                        "role": m.role,
                        "text": m.text,
                        "status": m.status,
                        "language": m.language,
                        "sources": m.sources,
                        "provider": m.provider,
                        "input_tokens": m.input_tokens,
                        "output_tokens": m.output_tokens,
                        "created_at": m.created_at.isoformat(),
                    }
                    for m in messages
                ],
            }
        )
    transcriptions = session.scalars(
        select(CoachTranscription)
        .where(CoachTranscription.user_id == user_id)
        .order_by(CoachTranscription.id)
    ).all()
    usage = session.scalars(
        select(CoachUsage).where(CoachUsage.user_id == user_id).order_by(CoachUsage.month)
    )
    return {
        "conversations": out,
        "transcriptions": [
            {
                "conversation_id": str(row.conversation_id),
                "status": row.status,
                "text": row.text,
                "language": row.language,
                "duration_s": row.duration_s,
                "created_at": _iso(row.created_at),
            }
            for row in transcriptions
        ],
        "usage": [{"month": u.month, "tokens": u.tokens} for u in usage],
    }


def erase_user_data(session: Session, user_id: uuid.UUID) -> None:
    """Erase what the coach keeps about the user (the privacy registry's contract): the stored
    audio (voice questions, spoken replies), conversations, messages, transcriptions and usage.
    Nothing here is money. The caller commits (the privacy registry erases every domain in one
    transaction); stored objects go after the rows are flushed."""
    conversation_ids = select(CoachConversation.id).where(CoachConversation.user_id == user_id)
    keys = [
        *session.scalars(select(CoachTranscription.audio_key).where(CoachTranscription.user_id == user_id)),
        *session.scalars(
            select(CoachMessage.speech_key).where(
                CoachMessage.conversation_id.in_(conversation_ids), CoachMessage.speech_key.is_not(None)
            )
        ),
    ]
    # Explicit deletes (not only ON DELETE CASCADE): SQLite enforces foreign keys per connection.
    session.execute(delete(CoachTranscription).where(CoachTranscription.user_id == user_id))
    session.execute(delete(CoachMessage).where(CoachMessage.conversation_id.in_(conversation_ids)))
    session.execute(delete(CoachConversation).where(CoachConversation.user_id == user_id))
    session.execute(delete(CoachUsage).where(CoachUsage.user_id == user_id))
    session.flush()
    store = get_object_store()
    for key in keys:
        if key:
            store.delete(key)
