"""Prometheus metrics for the API and the workers.

API: `app.core.http_metrics.install_metrics(app)` adds an ASGI middleware (request count and
latency by method, route template and status) and GET /metrics; it lives apart so that workers,
which import this module, never load the web framework.
Workers: `install_celery_metrics()` connects Celery signals (task durations by task and state,
failures, retries) and, when WORKER_METRICS_PORT is set, serves /metrics from the worker.
Queue depth: `celery_queue_length{queue}` is read from the Redis broker (LLEN) at scrape time
when REDIS_URL/CELERY_BROKER_URL points at Redis.

Several processes (gunicorn workers, Celery's prefork children): set PROMETHEUS_MULTIPROC_DIR to
an empty, writable directory for every process of the container; /metrics then aggregates them.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterable, Sequence
from typing import Any

import structlog
from prometheus_client import (
    REGISTRY,
    CollectorRegistry,
    Counter,
    Histogram,
    generate_latest,
)
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

from app.worker.queues import QUEUES

log = structlog.get_logger(__name__)

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
TASK_BUCKETS = (0.05, 0.1, 0.5, 1.0, 5.0, 15.0, 60.0, 300.0, 900.0, 1800.0, 3600.0)

HTTP_REQUESTS = Counter("http_requests_total", "HTTP requests handled.", ("method", "route", "status"))
HTTP_LATENCY = Histogram(
    "http_request_duration_seconds",
    "Time from request start to the end of the response body.",
    ("method", "route", "status"),
    buckets=LATENCY_BUCKETS,
)
TASK_DURATION = Histogram(
    "celery_task_duration_seconds",
    "Celery task run time by final state.",
    ("task", "state"),
    buckets=TASK_BUCKETS,
)
TASK_FAILURES = Counter("celery_task_failures_total", "Celery tasks that raised.", ("task",))
TASK_RETRIES = Counter("celery_task_retries_total", "Celery task retries requested.", ("task",))

# --- queue depth -------------------------------------------------------------------------------


class QueueDepthCollector(Collector):
    """`celery_queue_length{queue}` from a Redis broker, read at scrape time."""

    def __init__(self, redis_url: str, queues: Sequence[str]) -> None:
        self.redis_url = redis_url
        self.queues = tuple(queues)
        self._client: Any = None

    def _redis(self) -> Any:
        if self._client is None:
            import redis

            self._client = redis.Redis.from_url(self.redis_url, socket_timeout=2, socket_connect_timeout=2)
        return self._client

    def collect(self) -> Iterable[GaugeMetricFamily]:
        gauge = GaugeMetricFamily(
            "celery_queue_length",
            "Messages waiting in a Celery queue (broker LLEN).",
            labels=("queue",),
        )
        up = GaugeMetricFamily("celery_broker_up", "1 when the broker answered the last scrape.")
        try:
            client = self._redis()
            pipe = client.pipeline()
            for queue in self.queues:
                pipe.llen(queue)
            for queue, length in zip(self.queues, pipe.execute(), strict=True):
                gauge.add_metric([queue], float(length))
            up.add_metric([], 1.0)
        except Exception as exc:  # a scrape must not fail because the broker is down
            log.warning("queue_depth_unavailable", error=type(exc).__name__)
            up.add_metric([], 0.0)
        yield gauge
        yield up


def _broker_redis_url() -> str:
    from app.core.config import get_settings

    settings = get_settings()
    url = settings.effective_broker_url
    return url if url.startswith(("redis://", "rediss://")) else ""


_extra_collectors: list[Collector] = []


def _scrape_registry() -> CollectorRegistry:
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)  # type: ignore[no-untyped-call]
        return registry
    return REGISTRY


def render_latest() -> bytes:
    """Exposition text: this process's (or all processes') metrics plus scrape-time collectors."""
    body = generate_latest(_scrape_registry())
    if _extra_collectors:
        extra = CollectorRegistry(auto_describe=False)
        for collector in _extra_collectors:
            extra.register(collector)
        body += generate_latest(extra)
    return body


def install_queue_depth(redis_url: str | None = None, queues: Sequence[str] | None = None) -> None:
    url = _broker_redis_url() if redis_url is None else redis_url
    if not url:
        return
    _extra_collectors[:] = [c for c in _extra_collectors if not isinstance(c, QueueDepthCollector)]
    _extra_collectors.append(QueueDepthCollector(url, queues or QUEUES))


# --- workers -----------------------------------------------------------------------------------


_task_started: dict[str, float] = {}
_celery_installed = False


def _task_name(sender: Any, task: Any = None) -> str:
    source = task if task is not None else sender
    return str(getattr(source, "name", None) or source or "unknown")


def _on_prerun(task_id: str | None = None, **_: Any) -> None:
    if task_id:
        _task_started[task_id] = time.perf_counter()


def _on_postrun(task_id: str | None = None, task: Any = None, state: str | None = None, **kw: Any) -> None:
    started = _task_started.pop(task_id or "", None)
    if started is not None:
        TASK_DURATION.labels(_task_name(kw.get("sender"), task), state or "UNKNOWN").observe(
            time.perf_counter() - started
        )


def _on_failure(sender: Any = None, **_: Any) -> None:
    TASK_FAILURES.labels(_task_name(sender)).inc()


def _on_retry(sender: Any = None, **_: Any) -> None:
    TASK_RETRIES.labels(_task_name(sender)).inc()


_serve_port: int | None = None


def _on_worker_ready(**_: Any) -> None:
    from prometheus_client import start_http_server

    if _serve_port:
        install_queue_depth()
        start_http_server(_serve_port, registry=_combined_registry())
        log.info("worker_metrics_serving", port=_serve_port)


def install_celery_metrics(serve_port: int | None = None) -> None:
    """Connect the Celery signal handlers (once). With `serve_port`, the worker's main process
    serves /metrics on that port when it is ready (all prefork children included when
    PROMETHEUS_MULTIPROC_DIR is set)."""
    global _celery_installed, _serve_port
    from celery import signals

    _serve_port = serve_port or None
    if _celery_installed:
        return
    _celery_installed = True
    signals.task_prerun.connect(_on_prerun, weak=False)
    signals.task_postrun.connect(_on_postrun, weak=False)
    signals.task_failure.connect(_on_failure, weak=False)
    signals.task_retry.connect(_on_retry, weak=False)
    signals.worker_ready.connect(_on_worker_ready, weak=False)


class _Combined(Collector):
    def collect(self) -> Iterable[Any]:
        yield from _scrape_registry().collect()
        for collector in _extra_collectors:
            yield from collector.collect()


def _combined_registry() -> CollectorRegistry:
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_Combined())
    return registry
