from __future__ import annotations

import os
from typing import Any

from app.worker.celery_app import celery_app, route_task
from app.worker.dispatch import enqueue


def test_tasks_route_to_the_queue_named_by_their_prefix() -> None:
    assert route_task("media.process_video") == {"queue": "media"}
    assert route_task("studio.analyse_attempt") == {"queue": "studio"}
    assert route_task("default.send_email") == {"queue": "default"}
    assert route_task("something.else") == {"queue": "default"}


def test_every_task_acks_late_and_is_requeued_if_its_worker_dies() -> None:
    assert celery_app.conf.task_acks_late is True
    assert celery_app.conf.task_reject_on_worker_lost is True
    assert celery_app.conf.worker_prefetch_multiplier == 1


def test_beat_schedule_names_registered_tasks() -> None:
    celery_app.loader.import_default_modules()
    for entry in celery_app.conf.beat_schedule.values():
        assert entry["task"] in celery_app.tasks, entry


def test_a_real_worker_process_runs_the_smoke_task(celery_worker: Any) -> None:
    task_id = enqueue("default.ping", "hello")
    result = celery_app.AsyncResult(task_id).get(timeout=60)
    assert result["echo"] == "hello"
    assert result["pid"] != os.getpid()
    assert result["pid"] in _process_tree(celery_worker.process.pid)


def _process_tree(root: int) -> set[int]:
    pids = {root}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
            except (OSError, ValueError, IndexError):
                continue
            if ppid == root:
                pids.add(int(entry))
    return pids
