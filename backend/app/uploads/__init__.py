"""Resumable presigned multipart uploads, shared by every domain that takes files (video
uploads, studio attempts; next documents and voice samples).

- app/uploads/flow.py — `UploadKind` (a domain's configuration) and the flow: start, sign,
  resume, complete (declared-size check), abort, and `reap_abandoned` for the beat task;
- app/uploads/parts.py — the part plan, per-part signed sizes and the completion check;
- app/uploads/reaper.py — the one abandoned-upload reaper behind `reap_abandoned`.

See README "Shared mechanisms" for declaring a new kind.
"""

from app.uploads.flow import (
    Signed,
    Upload,
    UploadKind,
    abort,
    check_declared,
    complete,
    reap_abandoned,
    resume,
    sign,
    start,
)
from app.uploads.parts import PartPlan
from app.uploads.reaper import ReapReport, Verdict

__all__ = [
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
    "resume",
    "sign",
    "start",
]
