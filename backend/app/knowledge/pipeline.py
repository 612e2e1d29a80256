"""The knowledge domain's only seam into the platform's shared mechanisms (jobs, uploads).

Nothing here is a new mechanism:
- Jobs: a KnowledgeJob carries the job engine's JobColumns (app/jobs) and is registered with the
  studio's runner of row-jobs (app/studio/jobs.py `_run` on the engine: claim + lease, progress +
  heartbeat thread, the reaper, transient retries, failure reasons). `run_job` is that runner
  with the knowledge body.
- Uploads: documents are an `UploadKind` of app/uploads (service.DOCUMENT_UPLOAD): start, sign,
  resume, complete, and the one abandoned-upload reaper (tasks.reap_abandoned_uploads).
- Sources: a video's original upload comes from app.media.service.get_source_object_key.

Still to do: knowledge's own runner instead of registering with the studio's.
"""

from __future__ import annotations

import json
import math
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any, cast

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app import uploads
from app.core.config import Settings, get_settings
from app.core.errors import NotFound
from app.core.storage import MultipartUpload, get_object_store
from app.db.session import sync_session
from app.jobs import engine as jobs
from app.jobs.models import JobStatus
from app.knowledge.models import KnowledgeDocument, KnowledgeJob
from app.studio import jobs as studio_jobs
from app.uploads import ReapReport, Verdict, reap_abandoned

EXTRACT_TASK = "studio.knowledge_extract"
KIND = "knowledge"

# Registered with the studio's job machinery: the reaper requeues stuck knowledge jobs too, and
# the task's retry/give-up path (fail_job, release_for_retry) finds the table by this kind.
studio_jobs.MODELS[KIND] = cast(studio_jobs.JobModel, KnowledgeJob)
studio_jobs.TABLES[KIND] = jobs.JobTable(KnowledgeJob, domain="knowledge", task=EXTRACT_TASK)

TRANSIENT_ERRORS = studio_jobs.TRANSIENT_ERRORS
BadInput = studio_jobs.BadInput


def doc_key(job_id: uuid.UUID) -> str:
    return f"knowledge/jobs/{job_id}/doc.json"


def captions_key(job_id: uuid.UUID, lang: str) -> str:
    return f"knowledge/jobs/{job_id}/captions.{lang}.vtt"


def document_source_key(document_id: uuid.UUID) -> str:
    return f"knowledge/documents/{document_id}/original"


async def video_source_key(session: AsyncSession, video_id: uuid.UUID) -> str:
    from app.media import service as media_service

    return await media_service.get_source_object_key(session, video_id)


# --- document uploads (app/uploads)

DOCUMENT_TYPES = ("application/pdf", "image/png", "image/jpeg", "image/webp")

DOCUMENT_UPLOAD = uploads.UploadKind(
    name="knowledge",
    prefix="knowledge/documents/",
    key_of=document_source_key,
    max_bytes=lambda settings: settings.knowledge_document_max_bytes,
    part_size=lambda settings: settings.studio_upload_part_size,
    abandon_after_seconds=lambda settings: settings.knowledge_upload_abandon_seconds,
    too_large=lambda limit: f"A document may be at most {limit // (1024 * 1024)} MiB.",
    too_large_code="document_too_large",
    content_types=DOCUMENT_TYPES,
    wrong_type="Upload a PDF or a picture (PNG, JPEG, WebP).",
    wrong_type_code="unsupported_document",
)


def reap_abandoned_uploads(settings: Settings | None = None, *, now: datetime | None = None) -> ReapReport:
    """Abort document uploads started more than KNOWLEDGE_UPLOAD_ABANDON_SECONDS ago and never
    completed (beat: default.knowledge.reap_abandoned_uploads). A document row exists only to hold
    its upload until completion (no job, no item refers to it yet), so its row is deleted."""
    settings = settings or get_settings()

    def drop(session: Session, document_id: uuid.UUID, upload_id: str) -> bool:
        result = session.execute(
            delete(KnowledgeDocument)
            .where(
                KnowledgeDocument.id == document_id,
                KnowledgeDocument.upload_id == upload_id,
                KnowledgeDocument.uploaded_at.is_(None),
            )
            .execution_options(synchronize_session=False)
        )
        return cast(int, getattr(result, "rowcount", 0)) == 1

    def abandon(session: Session, upload: MultipartUpload, cutoff: datetime) -> Verdict:
        document_id = DOCUMENT_UPLOAD.id_of_key(upload.key)
        document = session.get(KnowledgeDocument, document_id) if document_id else None
        if document is None or document.upload_id != upload.upload_id:
            return "orphan"
        if document.created_at >= cutoff:
            return "keep"
        return "abandoned" if drop(session, document.id, upload.upload_id) else "orphan"

    def stranded(session: Session, open_ids: set[str], cutoff: datetime) -> int:
        rows = session.execute(
            select(KnowledgeDocument.id, KnowledgeDocument.upload_id).where(
                KnowledgeDocument.upload_id.is_not(None), KnowledgeDocument.created_at < cutoff
            )
        ).all()
        gone = [(doc_id, upload_id) for doc_id, upload_id in rows if upload_id and upload_id not in open_ids]
        return len([doc_id for doc_id, upload_id in gone if drop(session, doc_id, upload_id)])

    return reap_abandoned(DOCUMENT_UPLOAD, settings, abandon=abandon, stranded=stranded, now=now)


# --- the worker


def run_job(job_id: uuid.UUID, task_id: str) -> str:
    return studio_jobs._run(KIND, job_id, task_id, _body)


def fail_job(job_id: uuid.UUID, reason: str) -> bool:
    return studio_jobs.fail_job(KIND, job_id, reason)


def release_for_retry(job_id: uuid.UUID, task_id: str) -> None:
    studio_jobs.release_for_retry(KIND, job_id, task_id)


def _speech_to_text(settings: Settings) -> Any:
    from video_studio.providers import make_speech_to_text

    key = settings.openai_api_key.get_secret_value() if settings.openai_api_key else None
    if settings.knowledge_stt_provider == "openai" and key:
        return make_speech_to_text(
            "openai",
            api_key=key,
            base_url=settings.openai_base_url or None,
            model=settings.knowledge_stt_model,
        )
    return make_speech_to_text("offline")


# The compute's stage names -> the stages a progress stream shows (web: knowledge.stage.*).
STAGES = {"speech": "transcribe", "ocr": "ocr", "text": "read", "labels": "classify", "done": "classify"}


def video_skeleton(video_id: uuid.UUID) -> Any | None:
    """The movement the platform already has for a video: the skeletons of its instructor's ready
    studio references (each a marked range, its times re-based to 0), put back on the video's
    timeline and merged. None when the video has no reference: extracting a skeleton of a whole
    lesson costs about its duration again on the studio worker (bench_skeleton), so motion
    evidence comes only from ranges an instructor marked."""
    from app.studio.models import StudioReference
    from video_studio.errors import StudioError
    from video_studio.skeleton.doc import make_doc, validate_doc

    with sync_session() as session:
        refs = session.execute(
            select(StudioReference.skeleton_key, StudioReference.t_start).where(
                StudioReference.video_id == video_id,
                StudioReference.status == JobStatus.ready,
                StudioReference.skeleton_key.is_not(None),
            )
        ).all()
    store = get_object_store()
    frames: dict[int, Any] = {}
    base: Any = None
    for key, t_start in refs:
        try:
            doc = validate_doc(json.loads(store.get_bytes(str(key))), "reference")
        except (NotFound, ValueError, StudioError):  # gone or unreadable: motion is only evidence
            continue
        base = base or doc
        for frame in doc["frames"]:
            frames.setdefault(frame["index"], {**frame, "t": round(frame["t"] + float(t_start), 6)})
    if base is None:
        return None
    ordered = sorted(frames.values(), key=lambda f: f["t"])
    return make_doc(base["fps"], base["width"], base["height"], ordered)


def _body(job: Any, progress: Any, workdir: Path, settings: Settings) -> dict[str, Any]:
    """Download, extract, store the KnowledgeDoc and captions, write the unreviewed items."""
    from app.knowledge import extraction
    from video_studio.knowledge import Options, captions, extract
    from video_studio.providers import ProviderError

    store = get_object_store()
    progress.set(2, "downloading")
    source = workdir / ("video" if job.video_id is not None else "document")  # messages name it
    store.download(job.source_key, source)
    progress.set(5, "extracting")

    def extracting(fraction: float, stage: str) -> None:
        if math.isfinite(fraction):
            percent = 5 + round(85 * min(max(fraction, 0.0), 1.0))
            shown = STAGES.get(stage, progress.stage_name)
            progress.set(percent, shown, force=shown != progress.stage_name)  # every stage is seen

    skeleton = video_skeleton(job.video_id) if job.video_id is not None else None
    try:
        doc = extract(
            source,
            skeleton=skeleton,
            stt=_speech_to_text(settings),
            languages=tuple(settings.knowledge_languages),
            options=Options(ocr=settings.knowledge_ocr),
            on_progress=extracting,
        )
    except ProviderError as exc:
        if exc.retryable:
            raise ConnectionError(str(exc)) from exc  # the task retries with backoff
        raise BadInput(str(exc), reason_code="speech_service_refused") from exc
    progress.set(92, "storing")
    store.put_bytes(doc_key(job.id), json.dumps(doc, separators=(",", ":")).encode(), "application/json")
    vtt = captions(doc)
    lang = doc["speech"]["language"] if doc["speech"] else None
    caption = None
    if vtt and lang:
        caption = (lang, captions_key(job.id, lang))
        store.put_bytes(caption[1], vtt.encode(), "text/vtt")
    extraction.store_results(job.id, cast(dict[str, Any], doc), caption)
    return extraction.job_values(cast(dict[str, Any], doc), doc_key(job.id))
