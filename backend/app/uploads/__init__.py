"""Resumable presigned multipart uploads, shared by every domain that takes files (video
uploads, studio attempts, knowledge documents, voice samples).

- app/uploads/flow.py — `UploadKind` (a domain's configuration) and the flow: start, sign,
  resume, complete (declared-size check), abort, and `reap_abandoned` for the beat task;
- app/uploads/parts.py — the part plan, per-part signed sizes and the completion check;
- app/uploads/reaper.py — the one abandoned-upload reaper behind `reap_abandoned`;
- app/uploads/tasks.py — the one beat task: every kind registered with `register_reaper`.

See README "Shared mechanisms" for declaring a new kind.
"""

from app.uploads.flow import (
    KindReaper,
    Signed,
    Upload,
    UploadKind,
    abort,
    check_declared,
    complete,
    reap_abandoned,
    reap_every_kind,
    register_reaper,
    registered_kinds,
    resume,
    sign,
    start,
)
from app.uploads.parts import PartPlan
from app.uploads.reaper import ReapReport, Verdict

__all__ = [
    "KindReaper",
    "PartPlan",
    "ReapReport",
    "Signed",
    "Upload",
    "UploadKind",
    "Verdict",
    "abort",
    "check_declared",
    "complete",
    "reap_abandoned",
    "reap_every_kind",
    "register_reaper",
    "registered_kinds",
    "resume",
    "sign",
    "start",
]
