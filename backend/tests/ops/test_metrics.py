"""Prometheus metrics: route templates (not raw paths) on the real app, Celery signal metrics from
real task runs, and queue depth from a real Redis (skipped when Redis is unreachable)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import httpx
import pytest
from celery import Celery
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families

from app.core import http_metrics, metrics


def _samples(text: str, name: str) -> list[tuple[dict[str, str], float]]:
    found = []
    for family in text_string_to_metric_families(text):
        for sample in family.samples:
            if sample.name == name:
                found.append((dict(sample.labels), float(sample.value)))
    return found


def _value(text: str, name: str, **labels: str) -> float:
    return sum(v for got, v in _samples(text, name) if all(got.get(k) == w for k, w in labels.items()))


async def test_requests_are_counted_by_route_template_and_status() -> None:
    app = FastAPI()
    http_metrics.install_metrics(app)
    route = f"/things-{uuid.uuid4().hex[:6]}/{{thing_id}}"

    @app.get(route)
    async def thing(thing_id: int) -> dict[str, int]:
        return {"id": thing_id}

    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        for i in range(3):
            assert (await client.get(route.replace("{thing_id}", str(i)))).status_code == 200
        assert (await client.get(route.replace("{thing_id}", "nope"))).status_code == 422
        assert (await client.get(f"/random-{uuid.uuid4().hex}")).status_code == 404
        scraped = await client.get("/metrics")

    assert scraped.status_code == 200
    assert scraped.headers["content-type"].startswith("text/plain")
    text = scraped.text
    assert _value(text, "http_requests_total", route=route, status="200", method="GET") == 3
    assert _value(text, "http_requests_total", route=route, status="422") == 1
    assert _value(text, "http_request_duration_seconds_count", route=route, status="200") == 3
    assert not any(
        "/random-" in labels.get("route", "") for labels, _ in _samples(text, "http_requests_total")
    ), "raw paths must not become labels"
    assert _value(text, "http_requests_total", route=http_metrics.UNMATCHED_ROUTE, status="404") >= 1


async def test_platform_app_exposes_metrics_for_health() -> None:
    from app.main import create_app

    app = create_app()
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        before = _value((await client.get("/metrics")).text, "http_requests_total", route="/health")
        assert (await client.get("/health")).status_code == 200
        after = _value((await client.get("/metrics")).text, "http_requests_total", route="/health")
    assert after == before + 1
    assert "/metrics" not in app.openapi()["paths"]


def test_celery_task_durations_failures_and_retries_are_recorded() -> None:
    metrics.install_celery_metrics()
    worker = Celery("metrics-test", broker="memory://", backend="cache+memory://")
    worker.conf.task_always_eager = True
    suffix = uuid.uuid4().hex[:6]

    @worker.task(name=f"default.ok_{suffix}")
    def ok(x: int) -> int:
        return x * 2

    @worker.task(name=f"default.boom_{suffix}")
    def boom() -> None:
        raise RuntimeError("boom")

    assert ok.delay(21).get() == 42
    ok.delay(1).get()
    with pytest.raises(RuntimeError):
        boom.delay().get()

    text = metrics.render_latest().decode()
    assert (
        _value(text, "celery_task_duration_seconds_count", task=f"default.ok_{suffix}", state="SUCCESS") == 2
    )
    assert (
        _value(text, "celery_task_duration_seconds_count", task=f"default.boom_{suffix}", state="FAILURE")
        == 1
    )
    assert _value(text, "celery_task_failures_total", task=f"default.boom_{suffix}") == 1
    assert _value(text, "celery_task_failures_total", task=f"default.ok_{suffix}") == 0


@pytest.fixture
def redis_db() -> Iterator[str]:
    import redis

    url = "redis://127.0.0.1:6379/14"
    client = redis.Redis.from_url(url, socket_connect_timeout=1)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        pytest.skip("Redis unreachable on 127.0.0.1:6379")
    yield url
    client.close()


def test_queue_depth_is_read_from_the_redis_broker_at_scrape_time(redis_db: str) -> None:
    import redis

    client = redis.Redis.from_url(redis_db)
    queues = [f"ops-test-media-{uuid.uuid4().hex[:6]}", f"ops-test-studio-{uuid.uuid4().hex[:6]}"]
    try:
        client.rpush(queues[0], *[b"m"] * 5)
        metrics.install_queue_depth(redis_db, queues)
        text = metrics.render_latest().decode()
        assert _value(text, "celery_queue_length", queue=queues[0]) == 5
        assert _value(text, "celery_queue_length", queue=queues[1]) == 0
        assert _value(text, "celery_broker_up") == 1
        client.lpop(queues[0], 2)
        assert _value(metrics.render_latest().decode(), "celery_queue_length", queue=queues[0]) == 3

        metrics.install_queue_depth("redis://127.0.0.1:1/0", queues)  # nothing listens there
        down = metrics.render_latest().decode()
        assert _value(down, "celery_broker_up") == 0
    finally:
        client.delete(*queues)
        metrics._extra_collectors.clear()
        client.close()
