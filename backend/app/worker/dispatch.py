"""How services hand work to workers without holding Celery objects themselves.

A service calls `enqueue("media.process_video", str(video_id))` after its transaction commits.
Task names start with their queue (`default.`, `media.`, `studio.`); routing follows the prefix.
With CELERY_TASK_ALWAYS_EAGER (some tests), the task runs inline instead.
"""

from __future__ import annotations

from typing import Any

from app.worker.celery_app import celery_app


def enqueue(task_name: str, *args: Any, countdown: float | None = None, **kwargs: Any) -> str:
    if celery_app.conf.task_always_eager:
        if task_name not in celery_app.tasks:
            celery_app.loader.import_default_modules()
        result = celery_app.tasks[task_name].apply(args=args, kwargs=kwargs)
        return str(result.id)
    sent = celery_app.send_task(task_name, args=args, kwargs=kwargs, countdown=countdown)
    return str(sent.id)
