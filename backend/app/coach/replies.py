"""The worker's side: answering a question and transcribing a voice question.

A reply: claim the pending row (a reply already finished is never redone; one left streaming by
a dead worker starts again from the beginning, offset 0), moderate the question with the keyed
provider (the offline word list already ran in the API), retrieve passages, stream the model's
reply — token batches published every COACH_STREAM_FLUSH_SECONDS, the growing text written to
the row every COACH_STORE_EVERY_SECONDS — then finish the row (text, sources, tokens), add the
tokens to the user's month, and publish `done`. No session is held while the model talks, so one
worker thread per chat costs no database connection while it waits.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from tempfile import TemporaryDirectory
from typing import Final

import structlog
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.coach import events as stream
from app.coach import retrieval, service, speech
from app.coach.models import (
    CoachConversation,
    CoachMessage,
    CoachTranscription,
    MessageStatus,
    Role,
    TranscriptionStatus,
)
from app.coach.prompt import system_prompt
from app.core.clock import utcnow
from app.core.config import Settings, get_settings
from app.core.i18n import normalize_language, t
from app.core.storage import get_object_store
from app.db.session import sync_session
from app.jobs import engine as jobs
from video_studio.providers.base import ChatModel, ChatTurn, Moderator, Passage, ProviderError, SpeechToText
from video_studio.providers.factory import make_chat_model, make_moderator, make_speech_to_text

log = structlog.get_logger(__name__)

MIN_CONFIDENT_DETECTION: Final = 0.75


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return str(getter()) if getter else None


def chat_model(settings: Settings) -> ChatModel:
    """COACH_PROVIDER, `auto` picking the first keyed vendor (OpenAI, then Anthropic)."""
    openai_key, anthropic_key = _secret(settings.openai_api_key), _secret(settings.anthropic_api_key)
    provider = settings.coach_provider
    if provider == "auto":
        provider = "openai" if openai_key else "anthropic" if anthropic_key else "offline"
    if provider == "openai":
        return make_chat_model(
            "openai", api_key=openai_key, base_url=settings.openai_base_url, model=settings.coach_openai_model
        )
    if provider == "anthropic":
        return make_chat_model(
            "anthropic",
            api_key=anthropic_key,
            base_url=settings.anthropic_base_url,
            model=settings.coach_anthropic_model,
        )
    return make_chat_model("offline")


def moderator(settings: Settings) -> Moderator:
    return make_moderator(api_key=_secret(settings.openai_api_key), base_url=settings.openai_base_url)


def speech_to_text(settings: Settings) -> SpeechToText:
    key = _secret(settings.openai_api_key)
    provider = settings.coach_stt_provider
    if provider == "auto":
        provider = "openai" if key else "offline"
    return make_speech_to_text(provider, api_key=key, base_url=settings.openai_base_url or None)


def detect_language(text: str, fallback: str) -> str:
    """The question's language when the detector is sure of it (it/en), else `fallback`."""
    try:
        from video_studio.knowledge.language import detect_language as detect
    except ImportError:  # the knowledge stack is not installed here
        return fallback
    guess = detect(text)
    if guess.language in ("it", "en") and guess.confidence >= MIN_CONFIDENT_DETECTION:
        return guess.language
    return fallback


@dataclass(frozen=True)
class _Job:
    reply_id: uuid.UUID
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    question: str
    language: str
    turns: tuple[ChatTurn, ...]
    speak: bool
    lease: str


REPLY_JOBS = jobs.JobTable(
    CoachMessage,
    domain="coach",
    task="coach.reply",
    running=MessageStatus.streaming.value,
    queued=MessageStatus.pending.value,
)
"""A reply is a job of app/jobs: claimed with a lease, its heartbeat is its progress (the growing
text stored every COACH_STORE_EVERY_SECONDS), and the reaper (`reap_lost_replies`) finds replies
whose queue message was lost or whose worker went silent for COACH_REPLY_LEASE_SECONDS."""


def _stale_before(settings: Settings) -> datetime:
    return utcnow() - timedelta(seconds=settings.coach_reply_lease_seconds)


def _claim(reply_id: uuid.UUID, settings: Settings) -> _Job | None:
    with sync_session() as session:
        lease = jobs.claim(
            session, REPLY_JOBS, reply_id, stale_before=_stale_before(settings), values={"text": ""}
        )
        if lease is None:  # finished, failed, or held by a live run
            return None
        reply = session.get(CoachMessage, reply_id, populate_existing=True)
        assert reply is not None
        conversation = session.get(CoachConversation, reply.conversation_id)
        question = session.get(CoachMessage, reply.reply_to) if reply.reply_to else None
        if conversation is None or question is None:
            return None
        earlier = session.scalars(
            select(CoachMessage)
            .where(CoachMessage.conversation_id == conversation.id, CoachMessage.id < question.id)
            .where(CoachMessage.status == MessageStatus.done.value)
            .order_by(CoachMessage.id.desc())
            .limit(settings.coach_history_turns)
        ).all()
        turns = [ChatTurn(m.role, m.text) for m in reversed(earlier) if m.text]
        turns.append(ChatTurn(Role.user.value, question.text))
        return _Job(
            reply.id,
            conversation.id,
            conversation.user_id,
            question.text,
            reply.language,
            tuple(turns),
            reply.speak,
            lease,
        )


def _store(job: _Job, text: str) -> None:
    """The growing text, which is also the run's heartbeat; LeaseLost once the reaper took it."""
    with sync_session() as session:
        jobs.beat(session, REPLY_JOBS, job.reply_id, job.lease, text=text)


def _finish(
    job: _Job,
    *,
    text: str,
    status: MessageStatus,
    passages: list[Passage],
    model: ChatModel | None,
    tokens: tuple[int, int] = (0, 0),
    failure: str | None = None,
) -> None:
    with sync_session() as session:
        reply = session.get(CoachMessage, job.reply_id, with_for_update=True)
        if reply is None or reply.status != MessageStatus.streaming.value or reply.lease_id != job.lease:
            raise jobs.LeaseLost(str(job.reply_id))  # reaped meanwhile: another run owns it now
        reply.text = text
        reply.lease_id = None
        reply.heartbeat_at = utcnow()
        reply.status = status.value
        reply.sources = [p.source() for p in passages]
        reply.provider = model.name if model else None
        reply.model = model.model if model else None
        reply.input_tokens, reply.output_tokens = tokens
        reply.failure_reason = failure
        reply.finished_at = utcnow()
        service.add_usage(session, job.user_id, sum(tokens))
        event = stream.done_event(reply)
        final_token = stream.token_event(reply)
    stream.publish(job.conversation_id, "token", final_token)  # offset 0: clients keep what they have
    stream.publish(job.conversation_id, "done", event)


class _Publisher:
    """Batches tokens: published at most COACH_STREAM_FLUSH_SECONDS apart, stored less often."""

    def __init__(self, job: _Job, settings: Settings) -> None:
        self.job, self.settings = job, settings
        self.text = ""
        self.published = 0
        self.stored_at = self.flushed_at = time.monotonic()

    def add(self, piece: str) -> None:
        self.text += piece
        now = time.monotonic()
        if now - self.flushed_at >= self.settings.coach_stream_flush_seconds:
            self.flush()
        if now - self.stored_at >= self.settings.coach_store_every_seconds:
            _store(self.job, self.text)
            self.stored_at = now

    def flush(self) -> None:
        if len(self.text) > self.published:
            stream.publish(
                self.job.conversation_id,
                "token",
                {
                    "message_id": str(self.job.reply_id),
                    "text": self.text[self.published :],
                    "offset": self.published,
                },
            )
            self.published = len(self.text)
        self.flushed_at = time.monotonic()


def run_reply(reply_id: uuid.UUID, *, last_attempt: bool = True) -> str:
    """Answer one question. Raises ProviderError (retryable) unless `last_attempt`: then the reply
    fails with its reason. Returns the reply's final status ("lost" when the reaper took it)."""
    settings = get_settings()
    job = _claim(reply_id, settings)
    if job is None:
        return "skipped"
    try:
        return _answer(job, settings, last_attempt=last_attempt)
    except jobs.LeaseLost:
        log.warning("coach_reply_lost", reply_id=str(reply_id))
        return "lost"


def _answer(job: _Job, settings: Settings, *, last_attempt: bool) -> str:
    reply_id = job.reply_id
    language = detect_language(job.question, job.language)
    try:
        categories = moderator(settings).flagged(job.question)
    except ProviderError as exc:  # moderation down: the offline word list already passed it
        log.warning("coach_moderation_unavailable", error=exc.code)
        categories = ()
    if categories:
        _finish(
            job,
            text=t("coach.message_rejected", language),
            status=MessageStatus.rejected,
            passages=[],
            model=None,
        )
        return MessageStatus.rejected.value
    with sync_session() as session:
        passages = retrieval.retrieve(
            session, student_id=job.user_id, question=job.question, language=language
        )
    model = chat_model(settings)
    publisher = _Publisher(job, settings)
    tokens_in = tokens_out = 0
    try:
        for chunk in model.stream(
            system=system_prompt(language),
            turns=job.turns,
            passages=passages,
            language=language,
            max_tokens=settings.coach_max_reply_tokens,
        ):
            if chunk.text:
                publisher.add(chunk.text)
            tokens_in = chunk.input_tokens if chunk.input_tokens is not None else tokens_in
            tokens_out = chunk.output_tokens if chunk.output_tokens is not None else tokens_out
    except ProviderError as exc:
        log.warning("coach_reply_failed", reply_id=str(reply_id), provider=model.name, error=exc.code)
        if exc.retryable and not last_attempt:
            with sync_session() as session:  # hand it back so the retried task can claim it
                jobs.release(session, REPLY_JOBS, reply_id, lease=job.lease)
            raise
        _finish(
            job, text=publisher.text, status=MessageStatus.failed, passages=passages, model=model,
            failure=t("coach.reply_failed", language),
        )  # fmt: skip
        return MessageStatus.failed.value
    publisher.flush()
    _finish(
        job,
        text=publisher.text,
        status=MessageStatus.done,
        passages=passages,
        model=model,
        tokens=(tokens_in, tokens_out),
    )
    if job.speak:
        _speak(job, publisher.text, language, settings)
    return MessageStatus.done.value


def _speak(job: _Job, text: str, language: str, settings: Settings) -> None:
    """The finished reply as speech (stored, then a `speech` event); best effort: the text stands."""
    key = f"coach/speech/{job.reply_id}.wav"
    try:
        with TemporaryDirectory(prefix="coach-speech-") as tmp:
            wav = speech.synthesize(text, language, Path(tmp) / "reply.wav", settings=settings)
            get_object_store().put_file(key, wav, "audio/wav")
    except ProviderError as exc:
        log.warning("coach_speech_failed", reply_id=str(job.reply_id), error=exc.code)
        return
    with sync_session() as session:
        reply = session.get(CoachMessage, job.reply_id)
        if reply is None:
            return
        reply.speech_key = key
    stream.publish(job.conversation_id, "speech", stream.speech_event(job.reply_id, key))


# --- voice questions ---------------------------------------------------------------------------------


def _fail_transcription(row: CoachTranscription, code: str) -> None:
    row.status = TranscriptionStatus.failed.value
    row.error_code = code
    row.finished_at = utcnow()


def run_transcription(transcription_id: uuid.UUID) -> str:
    """Decode (16 kHz mono WAV, at most the limit plus a little), refuse empty or too long
    audio, transcribe, publish the transcript on the conversation's stream, drop the audio."""
    from video_studio.providers.audio import speech_wav
    from video_studio.transcode.ffmpeg import FfmpegFailed

    settings = get_settings()
    with sync_session() as session:
        row = session.get(CoachTranscription, transcription_id)
        if row is None or row.status != TranscriptionStatus.pending.value:
            return "skipped"
        key, hint, conversation_id = row.audio_key, row.language_hint, row.conversation_id
    store = get_object_store()
    text, language, confidence, duration, error = "", hint, None, None, None
    with TemporaryDirectory(prefix="coach-audio-") as tmp:
        source, wav_path = Path(tmp) / Path(key).name, Path(tmp) / "speech.wav"
        store.download(key, source)
        try:
            speech_wav(source, wav_path, max_seconds=settings.coach_audio_max_seconds + 1.0, timeout_s=120)
            duration = service.wav_seconds(wav_path.read_bytes())
        except FfmpegFailed:
            duration = None
        if duration is None:
            error = "audio_unreadable"
        elif duration > settings.coach_audio_max_seconds:
            error = "audio_too_long"
        elif duration < 0.1:
            error = "audio_empty"
        else:
            try:
                transcript = speech_to_text(settings).transcribe(wav_path, language=hint)
            except ProviderError as exc:
                log.warning(
                    "coach_transcription_failed", transcription_id=str(transcription_id), error=exc.code
                )
                error = "stt_failed"
            else:
                text = transcript.text.strip()
                language = normalize_language(transcript.language or hint)
                scored = [
                    (s.end - s.start, s.confidence) for s in transcript.segments if s.confidence is not None
                ]
                total = sum(d for d, _ in scored)
                confidence = round(sum(d * (c or 0.0) for d, c in scored) / total, 3) if total > 0 else None
                if not text:
                    error = "no_speech"
    with sync_session() as session:
        row = session.get(CoachTranscription, transcription_id, with_for_update=True)
        if row is None:
            return "gone"
        row.duration_s = round(duration, 2) if duration is not None else None
        row.language = language
        if error:
            _fail_transcription(row, error)
        else:
            row.status = TranscriptionStatus.done.value
            row.text, row.confidence, row.finished_at = text, confidence, utcnow()
        event = stream.transcript_event(row)
        status = row.status
    store.delete(key)
    stream.publish(conversation_id, "transcript", event)
    return status


# --- the reaper (beat: default.coach.reap_lost_replies)


@dataclass
class ReapedReplies:
    requeued: list[uuid.UUID]
    failed: list[uuid.UUID]


def reap_lost_replies(
    settings: Settings | None = None, *, only: Collection[uuid.UUID] | None = None
) -> ReapedReplies:
    """Replies whose queue message was lost (pending for COACH_REPLY_LOST_SECONDS) or whose run
    made no progress for COACH_REPLY_LEASE_SECONDS go back to the queue; after
    COACH_REPLY_MAX_RUNS runs one fails with a clear reason in its language instead. `only`: those
    ids (a test reaps its own rows)."""
    settings = settings or get_settings()
    now = utcnow()
    failed: list[tuple[uuid.UUID, uuid.UUID]] = []

    def decide(session: Session, reply: CoachMessage) -> bool:
        if reply.run_count < settings.coach_reply_max_runs:
            return True
        reply.status = MessageStatus.failed.value
        reply.failure_reason = t("coach.reply_lost", reply.language)
        reply.lease_id = None
        reply.finished_at = now
        failed.append((reply.conversation_id, reply.id))
        return False

    requeued = jobs.reap(
        [REPLY_JOBS],
        stale_before=now - timedelta(seconds=settings.coach_reply_lease_seconds),
        lost_before=now - timedelta(seconds=settings.coach_reply_lost_seconds),
        only=only,
        decide=decide,
    )
    jobs.requeue(requeued)
    for conversation_id, reply_id in failed:  # end the open streams with the reason
        with sync_session() as session:
            reply = session.get(CoachMessage, reply_id)
            if reply is None:
                continue
            done, final_token = stream.done_event(reply), stream.token_event(reply)
        stream.publish(conversation_id, "token", final_token)
        stream.publish(conversation_id, "done", done)
    if requeued or failed:
        log.warning("coach_replies_reaped", requeued=len(requeued), failed=len(failed))
    return ReapedReplies([job_id for _, job_id in requeued], [reply_id for _, reply_id in failed])
