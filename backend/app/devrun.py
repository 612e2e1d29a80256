"""`python -m app run`: the whole platform in one terminal (API, worker, beat); Ctrl-C stops it all.

Used by `make run`. Each part can also run alone (see the README): this only supervises them.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

BACKEND_DIR = Path(__file__).resolve().parents[1]


def _commands(host: str, port: int, worker_concurrency: int) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "api": [
            python, "-m", "uvicorn", "app.main:app", "--host", host, "--port", str(port), "--proxy-headers",
        ],
        "worker": [
            python, "-m", "celery", "-A", "app.worker.celery_app:celery_app", "worker",
            "-Q", "default,media,studio,coach", "-c", str(worker_concurrency), "-l", "INFO",
            "--without-gossip", "--without-mingle",
        ],
        "beat": [python, "-m", "celery", "-A", "app.worker.celery_app:celery_app", "beat", "-l", "INFO"],
    }  # fmt: skip


def run(host: str = "127.0.0.1", port: int = 8000, worker_concurrency: int = 2) -> int:
    processes: dict[str, subprocess.Popen[bytes]] = {}
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    for name, command in _commands(host, port, worker_concurrency).items():
        # Own process groups: Ctrl-C reaches only us, and we stop children in order.
        processes[name] = subprocess.Popen(
            command, cwd=BACKEND_DIR, env=os.environ.copy(), start_new_session=True
        )
    print(f"platform running at http://{host}:{port} (Ctrl-C to stop)", flush=True)
    exit_code = 0
    while not stopping:
        for name, process in processes.items():
            if process.poll() is not None:
                print(f"{name} exited with code {process.returncode}; stopping the platform", file=sys.stderr)
                exit_code = process.returncode or 1
                stopping = True
        time.sleep(0.5)
    for process in processes.values():
        if process.poll() is None:
            process.terminate()  # each leader shuts its own children down (Celery: warm shutdown)
    deadline = time.monotonic() + 20
    for process in processes.values():
        try:
            process.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
    print("platform stopped", flush=True)
    return exit_code
