"""One beat entry, one task, every upload kind: the abandoned-upload reaper runs for each kind the
app declares (videos, studio attempts, knowledge documents, voice samples, and any kind added
later), each at its own abandonment age and through its own cleanup hook."""

from __future__ import annotations

import sys
import uuid
from datetime import timedelta

import pytest

from app import uploads
from app.core.clock import utcnow
from app.core.config import Settings
from app.core.storage import get_object_store
from app.uploads import flow
from app.uploads.tasks import reap_abandoned
from app.worker.celery_app import BEAT_SCHEDULE, celery_app


def _declared_kinds() -> dict[str, uploads.UploadKind]:
    """Every UploadKind a module of the app declares, once every task module is loaded (as in a
    worker): a kind declared but never registered shows up here and not in the registry."""
    celery_app.loader.import_default_modules()
    found: dict[str, uploads.UploadKind] = {}
    for name, module in list(sys.modules.items()):
        if name == "app" or name.startswith("app."):
            for value in list(vars(module).values()):
                if isinstance(value, uploads.UploadKind):
                    found[value.name] = value
    return found


def test_every_declared_upload_kind_is_registered_with_the_one_reaper() -> None:
    declared = _declared_kinds()
    assert {"media", "studio", "knowledge", "voice"} <= set(declared)  # the scan sees the kinds
    assert {kind.name: kind for kind in uploads.registered_kinds()} == declared


def test_one_beat_entry_and_task_reap_abandoned_uploads() -> None:
    reapers = {name: entry["task"] for name, entry in BEAT_SCHEDULE.items() if "abandoned" in entry["task"]}
    assert reapers == {"uploads-reap-abandoned": "default.uploads.reap_abandoned"}
    celery_app.loader.import_default_modules()
    tasks = [name for name in celery_app.tasks if "reap_abandoned" in name]
    assert tasks == ["default.uploads.reap_abandoned"]


# Distinct ages per kind, so a kind reaped at another's age (or not at all) shows.
AGES = {
    "media_upload_abandon_seconds": 1000,
    "studio_upload_abandon_seconds": 2000,
    "knowledge_upload_abandon_seconds": 3000,
    "voice_upload_abandon_seconds": 4000,
}


def test_the_one_reaper_aborts_a_stale_upload_of_every_registered_kind_at_its_own_age(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    for field, seconds in AGES.items():
        monkeypatch.setattr(settings, field, seconds)
    celery_app.loader.import_default_modules()
    kinds = uploads.registered_kinds()
    ages = {kind.name: kind.abandon_after_seconds(settings) for kind in kinds}
    assert len(set(ages.values())) >= len(AGES)  # the kinds above really have distinct ages
    store = get_object_store()
    # An upload no row holds, under each kind's own key layout.
    started = {kind.name: store.create_multipart(kind.key_of(uuid.uuid4()), "video/mp4") for kind in kinds}

    def reaped() -> set[str]:
        return {
            kind.name
            for kind in kinds
            if started[kind.name] not in {u.upload_id for u in store.list_multipart_uploads(kind.prefix)}
        }

    start = utcnow()
    reports = uploads.reap_every_kind(settings, now=start)
    assert set(reports) == set(ages) and reaped() == set()  # no kind's age has passed yet
    for age in sorted(set(ages.values())):
        reports = uploads.reap_every_kind(settings, now=start + timedelta(seconds=age + 1))
        assert reaped() == {name for name, kind_age in ages.items() if kind_age <= age}, age
        assert all(report.errors == 0 for report in reports.values())
    assert reaped() == set(ages)


def test_the_beat_task_reaps_through_every_registered_kind_and_a_failing_kind_stops_no_other(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    celery_app.loader.import_default_modules()
    prefix = f"reap-test-{uuid.uuid4().hex[:8]}/"
    quick = uploads.UploadKind(
        name="reap-test",
        prefix=prefix,
        key_of=lambda row_id: f"{prefix}{row_id}/original",
        max_bytes=lambda s: 1024,
        part_size=lambda s: 1024,
        abandon_after_seconds=lambda s: -60,  # anything open is stale
        too_large=lambda limit: "too large",
    )

    def broken(settings: Settings, *, now: object = None) -> uploads.ReapReport:
        raise RuntimeError("store down")

    registry = dict(flow._REAPERS)
    monkeypatch.setattr(flow, "_REAPERS", {"broken": (quick, broken), **registry})
    uploads.register_reaper(quick)  # no hook: no row holds its uploads
    upload_id = get_object_store().create_multipart(quick.key_of(uuid.uuid4()), "application/pdf")

    assert reap_abandoned.apply().get() >= 1
    assert upload_id not in {u.upload_id for u in get_object_store().list_multipart_uploads(prefix)}
    assert uploads.reap_every_kind(settings)["broken"].errors == 1
