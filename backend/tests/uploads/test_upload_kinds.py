"""The one multipart flow (app/uploads) serves any kind declared as configuration: here a
document kind no domain has yet, through the real store (embedded or S3 stand-in) and its part
URLs, plus the two kinds that exist (videos, studio attempts)."""

from __future__ import annotations

import uuid
from datetime import timedelta

import httpx
import pytest
from sqlalchemy.orm import Session

from app import uploads
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from app.core.storage import MultipartUpload, UploadedPart, get_object_store
from app.media.service import VIDEO_UPLOAD, source_key
from app.studio import keys
from app.studio.service import ATTEMPT_UPLOAD
from tests.media.helpers import put_part

KIB = 1024


def _document_kind(prefix: str) -> uploads.UploadKind:
    return uploads.UploadKind(
        name="documents-test",
        prefix=prefix,
        key_of=lambda doc_id: f"{prefix}{doc_id}/original",
        max_bytes=lambda settings: 64 * KIB,
        part_size=lambda settings: 16 * KIB,
        abandon_after_seconds=lambda settings: 3600,
        too_large=lambda limit: f"Documents may be at most {limit} bytes.",
        too_large_code="document_too_large",
        content_types=("application/pdf",),
        wrong_type="Upload a PDF.",
        wrong_type_code="not_a_pdf",
    )


def test_each_kind_checks_its_own_declared_type_and_size(settings: Settings) -> None:
    docs = _document_kind("docs-test/")
    plan = uploads.check_declared(docs, settings, size_bytes=40 * KIB, content_type="application/pdf")
    assert (plan.count, plan.part_size, plan.part_bytes(3)) == (3, 16 * KIB, 8 * KIB)
    with pytest.raises(ValidationFailed) as wrong:
        uploads.check_declared(docs, settings, size_bytes=KIB, content_type="video/mp4")
    assert wrong.value.code == "not_a_pdf"
    with pytest.raises(PayloadTooLarge) as big:
        uploads.check_declared(docs, settings, size_bytes=64 * KIB + 1, content_type="application/pdf")
    assert big.value.code == "document_too_large"
    with pytest.raises(ValidationFailed) as empty:
        uploads.check_declared(docs, settings, size_bytes=0, content_type="application/pdf")
    assert empty.value.code == "empty_file"
    # the two kinds that exist keep their codes (the web client's messages follow them)
    with pytest.raises(ValidationFailed) as not_video:
        uploads.check_declared(ATTEMPT_UPLOAD, settings, size_bytes=KIB, content_type="image/png")
    assert not_video.value.code == "not_a_video"
    limit = settings.media_max_upload_bytes
    with pytest.raises(PayloadTooLarge) as video_big:
        uploads.check_declared(VIDEO_UPLOAD, settings, size_bytes=limit + 1, content_type="video/mp4")
    assert video_big.value.code == "upload_too_large"


def test_an_upload_key_leads_back_to_its_row_only_for_its_own_kind() -> None:
    row = uuid.uuid4()
    assert VIDEO_UPLOAD.id_of_key(source_key(row)) == row
    assert ATTEMPT_UPLOAD.id_of_key(keys.attempt_source(row)) == row
    assert VIDEO_UPLOAD.id_of_key(keys.attempt_source(row)) is None
    assert ATTEMPT_UPLOAD.id_of_key(source_key(row)) is None
    assert ATTEMPT_UPLOAD.id_of_key(keys.attempt_overlay(row)) is None
    assert ATTEMPT_UPLOAD.id_of_key(f"studio/attempts/{str(row).upper()}/source") is None


async def test_a_new_kind_gets_start_resume_size_check_complete_and_abort(
    client: httpx.AsyncClient, settings: Settings
) -> None:
    docs = _document_kind(f"docs-{uuid.uuid4().hex[:8]}/")
    doc_id = uuid.uuid4()
    data = bytes(range(256)) * 160  # 40 KiB: parts of 16, 16 and 8 KiB
    upload = await uploads.start(docs, settings, doc_id, size_bytes=len(data), content_type="application/pdf")
    assert upload.key == f"{docs.prefix}{doc_id}/original" and upload.plan.count == 3
    first = await uploads.sign(docs, upload, [1], settings)
    assert (await put_part(client, first.parts[0][1], data[: 16 * KIB])).status_code == 200

    stored, rest = await uploads.resume(docs, upload, settings)
    assert [p.part_number for p in stored] == [1] and [n for n, _ in rest.parts] == [2, 3]
    with pytest.raises(ValidationFailed) as out_of_range:
        await uploads.sign(docs, upload, [4], settings)
    assert out_of_range.value.code == "invalid_parts"
    for number, url in rest.parts:
        chunk = data[(number - 1) * 16 * KIB : number * 16 * KIB]
        assert (await put_part(client, url, chunk)).status_code == 200

    assembled = await uploads.complete(upload, None)
    assert [p.part_number for p in assembled] == [1, 2, 3]
    store = get_object_store()
    assert store.get_bytes(upload.key) == data

    # A second upload, abandoned by its client: abort drops it (twice is fine).
    again = await uploads.start(docs, settings, uuid.uuid4(), size_bytes=KIB, content_type="application/pdf")
    await uploads.abort(again)
    await uploads.abort(again)
    assert again.upload_id not in {u.upload_id for u in store.list_multipart_uploads(docs.prefix)}
    with pytest.raises((NotFound, ValidationFailed)):  # the store no longer knows the upload
        await uploads.complete(again, [UploadedPart(1, "etag")])


async def test_the_one_reaper_serves_a_new_kind_through_its_callbacks(settings: Settings) -> None:
    docs = _document_kind(f"docs-{uuid.uuid4().hex[:8]}/")
    held, orphan = uuid.uuid4(), uuid.uuid4()
    kept = await uploads.start(docs, settings, held, size_bytes=KIB, content_type="application/pdf")
    lost = await uploads.start(docs, settings, orphan, size_bytes=KIB, content_type="application/pdf")
    marked: list[uuid.UUID] = []

    def abandon(session: Session, upload: MultipartUpload, cutoff: object) -> uploads.Verdict:
        row = docs.id_of_key(upload.key)
        if row == held:
            assert row is not None
            marked.append(row)
            return "abandoned"
        return "orphan"

    def stranded(session: Session, open_ids: set[str], cutoff: object) -> int:
        return 0

    later = utcnow() + timedelta(seconds=3600 + 60)
    report = uploads.reap_abandoned(docs, settings, abandon=abandon, stranded=stranded, now=later)
    assert marked == [held] and report.rows == 1 and report.errors == 0
    assert {u.upload_id for u in report.aborted} == {kept.upload_id, lost.upload_id}
    assert not list(get_object_store().list_multipart_uploads(docs.prefix))
