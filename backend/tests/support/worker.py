"""A real Celery worker process for integration tests (same environment as the tests)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

from app.worker.celery_app import QUEUES, celery_app

BACKEND_DIR = Path(__file__).resolve().parents[2]
_STARTED: list[WorkerProcess] = []


def running_workers() -> list[WorkerProcess]:
    """Worker processes this test session started that are still alive."""
    return [w for w in _STARTED if w.process is not None and w.process.poll() is None]


class WorkerProcess:
    def __init__(
        self, *, queues: tuple[str, ...] = QUEUES, concurrency: int = 1, log_dir: Path, pool: str = "prefork"
    ) -> None:
        self.queues = queues
        self.concurrency = concurrency
        self.pool = pool  # "threads" for I/O-bound queues (the coach worker in production)
        self.name = uuid.uuid4().hex[:8]
        # A queue only this worker consumes: its readiness ping cannot be answered by another one.
        self.ping_queue = f"ping-{self.name}"
        self.log_path = log_dir / f"worker-{self.name}.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.database_url: str | None = None  # the database the running process was started on

    def start(self, timeout: float = 90.0, *, wait: bool = True) -> None:
        """Spawn the worker and (unless `wait=False`: call wait_ready later) wait until it answers."""
        env = {**os.environ, "CELERY_TASK_ALWAYS_EAGER": "false", "PYTHONUNBUFFERED": "1"}
        self.database_url = env.get("DATABASE_URL")
        command = [
            sys.executable, "-m", "celery", "-A", "app.worker.celery_app:celery_app", "worker",
            "-Q", ",".join((*self.queues, self.ping_queue)), "-c", str(self.concurrency), "--pool", self.pool,
            "--without-gossip", "--without-mingle", "--without-heartbeat", "-l", "INFO",
            "-n", f"test-{self.name}@%h",
        ]  # fmt: skip
        log = self.log_path.open("ab")
        self.process = subprocess.Popen(
            command, cwd=BACKEND_DIR, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
        )
        if self not in _STARTED:
            _STARTED.append(self)
        if wait:
            try:
                self.wait_ready(timeout)
            except BaseException:  # never leave a worker behind that nobody will stop
                self.stop()
                raise

    def wait_ready(self, timeout: float) -> None:
        """The worker is ready when it answers a ping task; this also proves it consumes the broker."""
        previous = celery_app.conf.task_always_eager
        celery_app.conf.task_always_eager = False
        try:
            result = celery_app.send_task("default.ping", args=["ready?"], queue=self.ping_queue)
            deadline = time.monotonic() + timeout
            while time.monotonic() < deadline:
                if self.process is not None and self.process.poll() is not None:
                    raise RuntimeError(f"worker exited early:\n{self.logs()}")
                if result.ready():
                    pid = result.get(timeout=1)["pid"]
                    if not self._owns(pid):  # e.g. another test session on the same Redis db
                        raise RuntimeError(f"the ping was answered by a foreign worker (pid {pid})")
                    return
                time.sleep(0.2)
            raise TimeoutError(f"worker not ready after {timeout}s:\n{self.logs()}")
        finally:
            celery_app.conf.task_always_eager = previous

    def _owns(self, pid: int) -> bool:
        """The pid is this worker's main process or one of its pool children (same process group)."""
        try:
            return self.process is not None and os.getpgid(pid) == self.process.pid
        except ProcessLookupError:
            return False

    def logs(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crash would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait(timeout=10)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
