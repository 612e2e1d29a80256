"""The two Redis instances of docker-compose.prod.yml, run for real with the compose command lines
(only `maxmemory` scaled down so a test can fill them): the cache evicts old entries and keeps
serving writes, the broker refuses new tasks when full and never drops a queued one."""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis
import yaml
from ops_support import REPO, free_port, stop_process, wait_for_port  # type: ignore[import-not-found]

SMALL = "4mb"


def compose_command(service: str) -> list[str]:
    compose = yaml.safe_load((REPO / "docker-compose.prod.yml").read_text())
    command: list[str] = list(compose["services"][service]["command"])
    command[command.index("--maxmemory") + 1] = SMALL
    return command


@pytest.fixture
def start_redis(tmp_path: Path) -> Iterator[Callable[[str], redis.Redis]]:
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.skip("redis-server is not installed (Debian: apt-get install redis-server)")
    started: list[subprocess.Popen[bytes]] = []

    def start(service: str) -> redis.Redis:
        port = free_port()
        data = tmp_path / service
        data.mkdir()
        command = [binary, *compose_command(service)[1:], "--port", str(port), "--bind", "127.0.0.1"]
        command += ["--dir", str(data), "--save", ""] if "--save" not in command else ["--dir", str(data)]
        proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        started.append(proc)
        wait_for_port(port, proc=proc)
        return redis.Redis(host="127.0.0.1", port=port)

    yield start
    for proc in started:
        stop_process(proc)


def test_the_cache_evicts_ttl_entries_but_keeps_namespace_generations(
    start_redis: Callable[[str], redis.Redis],
) -> None:
    cache = start_redis("redis-cache")
    assert cache.config_get("maxmemory-policy")["maxmemory-policy"] == "volatile-lru"
    cache.incr("mamc:cache:gen:catalog")  # app/core/cache.py: no TTL
    page = b"x" * 20_000
    for n in range(1000):  # ~20 MB of cache pages into 4 MB: every write still succeeds
        cache.set(f"mamc:cache:catalog:1:page-{n}", page, ex=60)
    assert cache.get("mamc:cache:gen:catalog") == b"1"
    assert cache.exists("mamc:cache:catalog:1:page-0") == 0  # the oldest were evicted
    assert cache.exists("mamc:cache:catalog:1:page-999") == 1
    assert int(cache.info("stats")["evicted_keys"]) > 0


def test_the_broker_refuses_new_tasks_when_full_and_keeps_every_queued_one(
    start_redis: Callable[[str], redis.Redis],
) -> None:
    broker = start_redis("redis")
    assert broker.config_get("maxmemory-policy")["maxmemory-policy"] == "noeviction"
    assert broker.config_get("appendonly")["appendonly"] == "yes"
    message = b"{" + b"t" * 10_000 + b"}"  # one Celery message
    queued = 0
    with pytest.raises(redis.exceptions.ResponseError, match="maxmemory"):
        for _ in range(2000):
            broker.lpush("media", message)
            queued += 1
    assert queued > 100
    assert broker.llen("media") == queued  # nothing queued was dropped
    assert int(broker.info("stats")["evicted_keys"]) == 0
