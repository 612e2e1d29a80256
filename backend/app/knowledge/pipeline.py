"""The knowledge domain's only seam into the platform's shared mechanisms (jobs, uploads).

Nothing here is a new mechanism:
- Jobs: a KnowledgeJob carries the job engine's JobColumns (app/jobs) and is registered with the
  studio's runner of row-jobs (app/studio/jobs.py `_run` on the engine: claim + lease, progress +
  heartbeat thread, the reaper, transient retries, failure reasons). `run_job` is that runner
  with the knowledge body.
- Uploads: documents use the part plan, signing and completion check of app/uploads/parts.py
  and the object store.
- Sources: a video's original upload comes from app.media.service.get_source_object_key.

Still to do: documents as an `UploadKind` of app/uploads (resume and the abandoned-upload reaper
come with it), and knowledge's own runner instead of registering with the studio's.
"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy.ext.asyncio import AsyncSession

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.storage import UploadedPart, get_object_store
from app.jobs import engine as jobs
from app.knowledge.models import KnowledgeJob
from app.studio import jobs as studio_jobs
from app.uploads.parts import PartPlan, parts_to_complete, presign_parts

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


# --- uploads (presigned multipart, the platform's flow)


async def start_multipart(key: str, content_type: str) -> str:
    return await asyncio.to_thread(get_object_store().create_multipart, key, content_type)


async def presign(
    settings: Settings, key: str, upload_id: str, size: int, part_size: int, numbers: Sequence[int]
) -> tuple[list[tuple[int, str]], datetime]:
    ttl = settings.s3_presign_ttl_seconds
    signed = await asyncio.to_thread(
        presign_parts, get_object_store(), key, upload_id, PartPlan(size, part_size), numbers, ttl
    )
    return [(int(n), str(url)) for n, url in signed], utcnow() + timedelta(seconds=ttl)


async def complete(key: str, upload_id: str, size: int, part_size: int, parts: Sequence[UploadedPart]) -> int:
    """Assemble the parts; the stored size."""
    store = get_object_store()
    checked = await asyncio.to_thread(
        parts_to_complete, store, key, upload_id, PartPlan(size, part_size), list(parts)
    )
    await asyncio.to_thread(store.complete_multipart, key, upload_id, checked)
    info = await asyncio.to_thread(store.head, key)
    return info.size if info is not None else 0


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


def _body(job: Any, progress: Any, workdir: Path, settings: Settings) -> dict[str, Any]:
    """Download, extract, store the KnowledgeDoc and captions, write the unreviewed items."""
    from app.knowledge import extraction
    from video_studio.knowledge import Options, captions, extract
    from video_studio.providers import ProviderError

    store = get_object_store()
    progress.set(2, "downloading")
    source = workdir / ("video" if job.video_id is not None else "document")  # messages name it
    store.download(job.source_key, source)
    extracting = progress.within(5, 90, "extracting")
    try:
        doc = extract(
            source,
            stt=_speech_to_text(settings),
            languages=tuple(settings.knowledge_languages),
            options=Options(ocr=settings.knowledge_ocr),
            on_progress=lambda fraction, _stage: extracting(fraction),
        )
    except ProviderError as exc:
        if exc.retryable:
            raise ConnectionError(str(exc)) from exc  # the task retries with backoff
        raise BadInput(str(exc)) from exc
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
