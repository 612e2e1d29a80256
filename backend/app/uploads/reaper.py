"""Reaping abandoned uploads (worker side, the beat task: sync sessions, blocking store calls): the one
reaper every upload kind uses (app/uploads/flow.py `reap_abandoned`, run for every registered kind
by `reap_every_kind`).

A client that starts a multipart upload and never completes or aborts it leaves staged parts in the
store (S3 bills them) and a row stuck in its "uploading" state. For one domain's key prefix:

1. every open multipart upload the store says was initiated before `cutoff` goes to the domain's
   `abandon(session, upload, cutoff)`. If a row holds it and the row too says the upload started
   before `cutoff` (both clocks must agree: S3's and ours), the domain marks the row ("abandoned",
   locking it, so a concurrent completion either wins first or finds the upload gone); a younger
   row keeps it ("keep"); no row holding it makes it an orphan. After the commit, abandoned
   uploads and orphans are aborted in the store; an abort that fails is retried by the next run,
   which finds the upload again;
2. rows still "uploading" since before `cutoff` whose upload is no longer open in the store (a
   bucket lifecycle rule removed it) are marked by the domain's `stranded(session, open_ids, cutoff)`.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import structlog
from sqlalchemy.orm import Session

from app.core.errors import NotFound
from app.core.storage import MultipartUpload, get_object_store
from app.db.session import sync_session

log = structlog.get_logger(__name__)


Verdict = Literal["abandoned", "keep", "orphan"]
Abandon = Callable[[Session, MultipartUpload, datetime], Verdict]
"""abandon(session, upload, cutoff): "abandoned" (its row is now marked), "keep" (its row says it
is younger than cutoff) or "orphan" (no row holds it)."""
Stranded = Callable[[Session, set[str], datetime], int]
"""stranded(session, open_upload_ids, cutoff) -> rows marked whose upload is gone from the store."""


@dataclass
class ReapReport:
    aborted: list[MultipartUpload] = field(default_factory=list)  # stale uploads aborted in the store
    rows: int = 0  # rows marked abandoned (holding an aborted upload, or stranded)
    errors: int = 0  # uploads left for the next run


def reap_abandoned_uploads(
    *, domain: str, prefix: str, cutoff: datetime, abandon: Abandon, stranded: Stranded
) -> ReapReport:
    store = get_object_store()
    report = ReapReport()
    open_ids: set[str] = set()
    for upload in list(store.list_multipart_uploads(prefix)):
        open_ids.add(upload.upload_id)
        if upload.initiated >= cutoff:
            continue
        try:
            with sync_session() as session:
                verdict = abandon(session, upload, cutoff)
            if verdict == "keep":
                continue
            with contextlib.suppress(NotFound):  # completed or aborted meanwhile
                store.abort_multipart(upload.key, upload.upload_id)
        except Exception:
            report.errors += 1
            log.exception("upload_reap_failed", domain=domain, key=upload.key)
            continue
        open_ids.discard(upload.upload_id)
        report.aborted.append(upload)
        report.rows += int(verdict == "abandoned")
        log.warning(
            "upload_abandoned",
            domain=domain,
            key=upload.key,
            initiated=upload.initiated.isoformat(),
            orphan=verdict == "orphan",
        )
    with sync_session() as session:
        gone = stranded(session, open_ids, cutoff)
    if gone:
        log.warning("upload_rows_stranded", domain=domain, count=gone)
    report.rows += gone
    return report
