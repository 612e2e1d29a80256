"""Multipart uploads, shared by every domain that takes them (media videos, studio attempts):
planning the parts, signing them, checking what arrived, and reaping abandoned uploads.

Parts: a client declares the file's size; `PartPlan` cuts it into parts of a fixed size (the last
one shorter). Each part is signed for its exact byte count — S3 checks the signed Content-Length,
the embedded store (app/storage/router.py) streams the body to disk and refuses a byte more or
less — and `parts_to_complete` checks, before assembling, that the stored parts are exactly the
plan: every part present once and the total equal to the declared size. A mismatch is a 422 and
leaves the upload open (nothing stored is lost; the client sends the part again).

Reaping (worker side, beat tasks: sync sessions, blocking store calls):

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
import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal

import structlog
from sqlalchemy.orm import Session

from app.core.errors import NotFound, ValidationFailed
from app.core.storage import MultipartUpload, ObjectStore, UploadedPart, get_object_store
from app.db.session import sync_session

log = structlog.get_logger(__name__)

S3_MAX_PARTS = 10_000


@dataclass(frozen=True)
class PartPlan:
    """A declared file size cut into parts of `part_size` bytes (the last one holds the rest)."""

    total_bytes: int
    part_size: int

    @classmethod
    def for_size(cls, total_bytes: int, preferred_part_size: int) -> PartPlan:
        """Parts of `preferred_part_size`, larger when the file would need more than S3 allows."""
        part_size = max(preferred_part_size, 1, math.ceil(total_bytes / S3_MAX_PARTS))
        return cls(total_bytes, part_size)

    @property
    def count(self) -> int:
        return max(1, math.ceil(self.total_bytes / self.part_size))

    def part_bytes(self, part_number: int) -> int:
        """The exact size of one part."""
        if not 1 <= part_number <= self.count:
            raise ValidationFailed(f"Part numbers go from 1 to {self.count}.", code="invalid_parts")
        return min(self.part_size, self.total_bytes - (part_number - 1) * self.part_size)


def presign_parts(
    store: ObjectStore, key: str, upload_id: str, plan: PartPlan, numbers: Iterable[int], ttl_seconds: int
) -> list[tuple[int, str]]:
    """(part number, URL) for each part, every URL signed for its part's exact size."""
    return [(n, store.presign_part(key, upload_id, n, ttl_seconds, size=plan.part_bytes(n))) for n in numbers]


def parts_to_complete(
    store: ObjectStore, key: str, upload_id: str, plan: PartPlan, chosen: list[UploadedPart] | None
) -> list[UploadedPart]:
    """The parts to assemble (the client's list, or every stored part), checked against the
    plan: each part 1..count once and each of its planned size — so together exactly the declared
    size. Raises ValidationFailed (422); the upload stays open."""
    stored = {p.part_number: p for p in store.list_parts(key, upload_id)}
    numbers = [p.part_number for p in chosen] if chosen is not None else sorted(stored)
    if numbers != list(range(1, plan.count + 1)):
        missing = sorted(set(range(1, plan.count + 1)) - set(numbers))
        raise ValidationFailed(
            f"Every part from 1 to {plan.count} is needed, once each and in order.",
            code="invalid_parts",
            details={"missing": missing[:100]},
        )
    for n in numbers:  # the planned sizes add up to the declared size
        have = stored.get(n)
        if have is None:
            raise ValidationFailed(
                f"Part {n} has not been uploaded.", code="invalid_parts", details={"missing": [n]}
            )
        if have.size != plan.part_bytes(n):
            raise ValidationFailed(
                f"Part {n} holds {have.size} bytes instead of {plan.part_bytes(n)}; send it again.",
                code="upload_size_mismatch",
                details={"part_number": n, "expected": plan.part_bytes(n), "received": have.size},
            )
    if chosen is None:
        return [stored[n] for n in numbers]
    return list(chosen)


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
