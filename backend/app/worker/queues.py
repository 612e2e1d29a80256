"""The Celery queues and the routing rule: a task's name starts with its queue.

Kept apart from celery_app (which builds the Celery app and wires the worker's metrics), so that
app.core.metrics can name the queues whose depth it reports without importing the Celery app.
"""

from __future__ import annotations

from typing import Any

QUEUES = ("default", "media", "studio", "coach")


def route_task(name: str, *_: Any, **__: Any) -> dict[str, str]:
    prefix = name.split(".", 1)[0]
    return {"queue": prefix if prefix in QUEUES else "default"}
