"""Gunicorn settings for the API: the image's CMD (backend/Dockerfile), `make prod-local`,
`make load` and `make bench` all start `gunicorn -c backend/gunicorn.conf.py app.main:app`.

Sizing (docs/DEPLOYMENT_GUIDE.md, "API processes"):
- workers: one uvicorn (asyncio) worker per usable core. An async worker keeps a core busy on
  its own; more processes than cores only add context switches and database connections.
  "Usable" honours the CPU affinity mask and a cgroup v2 quota (`cpu.max`, what a container's
  `cpus:` limit sets), so a 2-CPU container on a 16-core host runs 2 workers. WEB_CONCURRENCY
  overrides it.
- reuse_port: every worker opens its own listening socket with SO_REUSEPORT (Linux), so the
  kernel spreads new connections evenly across workers. With one shared socket, the asyncio
  worker that wakes first accepts a whole burst of keep-alive clients and keeps them.
- backlog: the kernel's queue of connections not yet accepted, per socket; net.core.somaxconn
  caps it (4096 on current kernels).
- keepalive: longer than nginx's upstream `keepalive_timeout` (60 s, nginx/prod.conf), so nginx
  always closes an idle upstream connection first and never reuses one we just closed.

Every value can be overridden from the environment (GUNICORN_*), as the image does for the bind
address; gunicorn's own GUNICORN_CMD_ARGS works too.
"""

from __future__ import annotations

import math
import os
from pathlib import Path


def usable_cpus() -> int:
    """Cores this process may use: the affinity mask, capped by a cgroup v2 CPU quota."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    try:
        quota, period = Path("/sys/fs/cgroup/cpu.max").read_text().split()[:2]
        if quota != "max":
            cores = min(cores, max(1, math.ceil(int(quota) / int(period))))
    except (OSError, ValueError):
        pass
    return max(1, cores)


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw else default


bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
worker_class = "uvicorn.workers.UvicornWorker"
workers = _env_int("WEB_CONCURRENCY", usable_cpus())
reuse_port = True
backlog = _env_int("GUNICORN_BACKLOG", 2048)
keepalive = _env_int("GUNICORN_KEEPALIVE", 75)
timeout = _env_int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _env_int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# The workers' liveness files: on tmpfs, so a slow container disk never looks like a hung worker.
worker_tmp_dir = "/dev/shm" if Path("/dev/shm").is_dir() else None
# JSON request logs come from the app itself (app.main); gunicorn's access log would double them.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")


def child_exit(server: object, worker: object) -> None:
    """Prometheus multiprocess mode: forget the gauges of a worker that exited."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(worker.pid)  # type: ignore[attr-defined]
