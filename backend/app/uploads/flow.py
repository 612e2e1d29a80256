"""The one presigned multipart upload flow, for every kind of upload (videos, studio attempts; next
documents and voice samples). The bytes go from the client straight to the object store: to S3
with presigned part URLs, or to the embedded store's part endpoint (app/storage/router.py) with
URLs it signs the same way. The API only starts, signs, checks and completes.

A domain declares an `UploadKind` (key layout, accepted content types, size and part limits,
abandonment age) and keeps on its own row what the flow hands back (`Upload`: key, upload id,
declared size and part size). Its service then calls, each in its own rules and transaction:

    start(kind, settings, row_id, ...)   -> Upload          check declared size/type, open it
    sign(kind, upload, numbers, settings) -> Signed         URLs for chosen parts (retry)
    resume(kind, upload, settings)       -> stored, Signed  what arrived, URLs for the rest
    complete(upload, parts)              -> parts           every part, each of its planned size
    abort(upload)

and, on the worker side, `reap_abandoned(kind, settings, abandon=..., stranded=...)`: the domain
says what happens to its row when its upload is abandoned (app/uploads/reaper.py). Each kind is
registered once with `register_reaper(kind, hook)`; the one beat task (app/uploads/tasks.py) runs
`reap_every_kind`, which reaps every registered kind at its own age, through its hook if it has one.
What happens on complete (queue a job, ...) is the domain's next step after `complete`.
"""

from __future__ import annotations

import asyncio
import contextlib
import uuid
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

import structlog

from app.core.clock import utcnow
from app.core.config import Settings
from app.core.errors import NotFound, PayloadTooLarge, ValidationFailed
from app.core.storage import UploadedPart, get_object_store
from app.uploads.parts import PartPlan, parts_to_complete, presign_parts
from app.uploads.reaper import Abandon, ReapReport, Stranded, reap_abandoned_uploads

log = structlog.get_logger(__name__)


@dataclass(frozen=True)
class UploadKind:
    """One kind of upload. `key_of(row_id)` must hold the row id as one path segment under
    `prefix`, so the reaper can find the row of an upload from its key."""

    name: str
    prefix: str
    key_of: Callable[[uuid.UUID], str]
    max_bytes: Callable[[Settings], int]
    part_size: Callable[[Settings], int]
    abandon_after_seconds: Callable[[Settings], int]
    too_large: Callable[[int], str]  # the message, given the limit in bytes
    too_large_code: str = "upload_too_large"
    content_types: tuple[str, ...] = ()  # accepted prefixes ("video/"); empty: any
    wrong_type: str = "This type of file cannot be uploaded here."
    wrong_type_code: str = "unsupported_type"
    allow_empty: bool = False
    bad_part_code: str = "invalid_parts"

    def id_of_key(self, key: str) -> uuid.UUID | None:
        """The row id of an upload's key (None for any other key)."""
        if not key.startswith(self.prefix):
            return None
        for segment in key[len(self.prefix) :].split("/"):
            try:
                row_id = uuid.UUID(segment)
            except ValueError:
                continue
            return row_id if self.key_of(row_id) == key else None
        return None


@dataclass(frozen=True)
class Upload:
    """What a row keeps of its open upload."""

    key: str
    upload_id: str
    plan: PartPlan


@dataclass(frozen=True)
class Signed:
    parts: list[tuple[int, str]]  # (part number, URL)
    expires_in: int
    expires_at: datetime


def check_declared(kind: UploadKind, settings: Settings, *, size_bytes: int, content_type: str) -> PartPlan:
    """The declared file against the kind's limits: its parts, or a 4xx."""
    if kind.content_types and not content_type.lower().startswith(kind.content_types):
        raise ValidationFailed(kind.wrong_type, code=kind.wrong_type_code)
    if size_bytes <= 0 and not kind.allow_empty:
        raise ValidationFailed("The file is empty.", code="empty_file")
    limit = kind.max_bytes(settings)
    if size_bytes > limit:
        raise PayloadTooLarge(
            kind.too_large(limit), code=kind.too_large_code, params={"limit_mib": f"{limit / 1024**2:.3g}"}
        )
    return PartPlan.for_size(size_bytes, kind.part_size(settings))


async def start(
    kind: UploadKind,
    settings: Settings,
    row_id: uuid.UUID,
    *,
    size_bytes: int,
    content_type: str,
    replacing: Upload | None = None,
) -> Upload:
    """Open a multipart upload for the row (dropping the one it replaces, if any)."""
    plan = check_declared(kind, settings, size_bytes=size_bytes, content_type=content_type)
    store = get_object_store()
    if replacing is not None:
        await abort(replacing)
    key = kind.key_of(row_id)
    upload_id = await asyncio.to_thread(store.create_multipart, key, content_type)
    return Upload(key, upload_id, plan)


async def sign(kind: UploadKind, upload: Upload, numbers: Iterable[int], settings: Settings) -> Signed:
    """Fresh URLs for the chosen parts, each signed for its part's exact size."""
    wanted = sorted(set(numbers))
    if wanted and (wanted[0] < 1 or wanted[-1] > upload.plan.count):
        raise ValidationFailed(f"Part numbers go from 1 to {upload.plan.count}.", code=kind.bad_part_code)
    ttl = settings.s3_presign_ttl_seconds
    store = get_object_store()
    signed = await asyncio.to_thread(
        presign_parts, store, upload.key, upload.upload_id, upload.plan, wanted, ttl
    )
    return Signed(signed, ttl, utcnow() + timedelta(seconds=ttl))


async def resume(kind: UploadKind, upload: Upload, settings: Settings) -> tuple[list[UploadedPart], Signed]:
    """The parts the store already holds, and URLs for the missing ones."""
    store = get_object_store()
    stored = await asyncio.to_thread(store.list_parts, upload.key, upload.upload_id)
    have = {p.part_number for p in stored}
    missing = [n for n in range(1, upload.plan.count + 1) if n not in have]
    return stored, await sign(kind, upload, missing, settings)


async def complete(upload: Upload, parts: Sequence[UploadedPart] | None) -> list[UploadedPart]:
    """Check the parts (the client's list, or every stored one) against the plan — so together
    exactly the declared size — and assemble them. A mismatch is a 422 and leaves the upload
    open; NotFound when the upload is gone (completed or aborted meanwhile)."""
    store = get_object_store()
    chosen = None if parts is None else sorted(parts, key=lambda p: p.part_number)
    checked = await asyncio.to_thread(
        parts_to_complete, store, upload.key, upload.upload_id, upload.plan, chosen
    )
    await asyncio.to_thread(store.complete_multipart, upload.key, upload.upload_id, checked)
    return checked


async def abort(upload: Upload) -> None:
    """Drop the upload and its staged parts (already gone is fine)."""
    with contextlib.suppress(NotFound):
        await asyncio.to_thread(get_object_store().abort_multipart, upload.key, upload.upload_id)


def reap_abandoned(
    kind: UploadKind,
    settings: Settings,
    *,
    abandon: Abandon,
    stranded: Stranded,
    now: datetime | None = None,
) -> ReapReport:
    """Abort this kind's uploads started more than its abandonment age ago and never completed;
    `abandon`/`stranded` mark their rows (app/uploads/reaper.py)."""
    cutoff = (now or utcnow()) - timedelta(seconds=kind.abandon_after_seconds(settings))
    return reap_abandoned_uploads(
        domain=kind.name, prefix=kind.prefix, cutoff=cutoff, abandon=abandon, stranded=stranded
    )


class KindReaper(Protocol):
    """A kind's cleanup hook: `reap_abandoned(kind, ...)` with the domain's own abandon/stranded."""

    def __call__(self, settings: Settings, *, now: datetime | None = None) -> ReapReport: ...


_REAPERS: dict[str, tuple[UploadKind, KindReaper | None]] = {}


def register_reaper(kind: UploadKind, hook: KindReaper | None = None) -> None:
    """Put `kind` under the one abandoned-upload beat task. Without a hook its stale uploads are
    only aborted in the store (no row holds them); with one, the hook marks the rows."""
    _REAPERS[kind.name] = (kind, hook)


def registered_kinds() -> list[UploadKind]:
    return [kind for kind, _ in _REAPERS.values()]


def _no_rows(kind: UploadKind, settings: Settings, *, now: datetime | None = None) -> ReapReport:
    return reap_abandoned(kind, settings, abandon=lambda *_: "orphan", stranded=lambda *_: 0, now=now)


def reap_every_kind(settings: Settings, *, now: datetime | None = None) -> dict[str, ReapReport]:
    """Reap every registered kind, each at its own abandonment age. A kind that fails is logged and
    counted (errors=1) and the others still run; the next run retries it."""
    reports: dict[str, ReapReport] = {}
    for name, (kind, hook) in list(_REAPERS.items()):
        try:
            reports[name] = hook(settings, now=now) if hook else _no_rows(kind, settings, now=now)
        except Exception:
            log.exception("upload_reap_kind_failed", domain=name)
            reports[name] = ReapReport(errors=1)
    return reports
