"""Run make targets in parallel lanes, for `make test`: each lane runs its targets in order, the
lanes run side by side (they share no state: each backend profile has its own database, Redis db
and VAR_DIR; the JS steps touch only their own packages).

    python tests/make_lanes.py "lint typecheck test-services" "test-contract test-web test-mobile"

- Each step's output (stdout and stderr) goes to a file and is printed whole, under a header,
  when the step ends, so lanes never interleave line by line.
- The first failing step fails the run: its output is printed, the other lanes' running steps
  are interrupted (SIGINT, so pytest tears down its databases; SIGKILL 30 s later), and the exit
  status is that step's.
- While steps run, a "still running" line every MAKE_LANES_NOTICE_SECONDS (300).
- MAKE_LANES=1 runs every lane one after the other (the old sequential order).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

MAKE = os.environ.get("MAKE", "make")
GRACE_S = 30.0
STILL_RUNNING_EVERY_S = float(os.environ.get("MAKE_LANES_NOTICE_SECONDS", "300"))


def _interruptible() -> None:
    """A step started from a background job (CI's runner) inherits SIGINT ignored, so the stop
    signal did nothing and the step was killed 30 s later without its clean-up: restore it."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@dataclass
class Lane:
    targets: list[str]
    current: subprocess.Popen[bytes] | None = None
    step: str = ""
    step_started: float = 0.0
    failed: tuple[str, int] | None = None
    done: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)


class Runner:
    def __init__(self, lanes: list[list[str]], workdir: Path) -> None:
        self.lanes = [Lane(targets) for targets in lanes]
        self.workdir = workdir
        self.print_lock = threading.Lock()
        self.stop = threading.Event()

    def _print_step(self, target: str, log: Path, status: str, seconds: float) -> None:
        with self.print_lock:
            out = sys.stdout
            out.write(f"\n===== make {target}: {status} after {seconds:.0f} s =====\n")
            out.flush()
            with log.open("rb") as f:
                while chunk := f.read(1 << 16):
                    sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            out.write(f"===== end of make {target} ({status}) =====\n")
            out.flush()

    def _run_lane(self, lane: Lane) -> None:
        for target in lane.targets:
            if self.stop.is_set():
                break
            log = self.workdir / f"{target}.log"
            started = time.monotonic()
            with log.open("wb") as sink, lane.lock:
                if self.stop.is_set():
                    break
                with self.print_lock:
                    print(f"----- make {target}: started", flush=True)
                lane.step, lane.step_started = target, started
                lane.current = subprocess.Popen(
                    [MAKE, "--no-print-directory", target],
                    stdout=sink,
                    stderr=subprocess.STDOUT,
                    stdin=subprocess.DEVNULL,
                    start_new_session=True,  # its own process group: the whole step can be stopped
                    preexec_fn=_interruptible,
                )
            code = lane.current.wait()
            seconds = time.monotonic() - started
            if code != 0 and not self.stop.is_set():
                lane.failed = (target, code)
                self.stop.set()
                self._print_step(target, log, f"FAILED (exit {code})", seconds)
                break
            if code != 0:  # interrupted because another lane failed
                self._print_step(target, log, "stopped (another step failed)", seconds)
                break
            self._print_step(target, log, "passed", seconds)
        lane.done = True

    def _still_running(self) -> None:
        now = time.monotonic()
        running = [
            f"make {lane.step} ({now - lane.step_started:.0f} s)"
            for lane in self.lanes
            if not lane.done and lane.current is not None and lane.current.poll() is None
        ]
        if running:
            with self.print_lock:
                print(f"----- still running: {', '.join(running)}", flush=True)

    def _interrupt_others(self) -> None:
        running = [lane.current for lane in self.lanes if not lane.done and lane.current is not None]
        for proc in running:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGINT)
        deadline = time.monotonic() + GRACE_S
        for proc in running:
            try:
                proc.wait(timeout=max(0.0, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def run(self) -> int:
        threads = [threading.Thread(target=self._run_lane, args=(lane,), daemon=True) for lane in self.lanes]
        for thread in threads:
            thread.start()
        notice_at = time.monotonic() + STILL_RUNNING_EVERY_S
        try:
            while any(thread.is_alive() for thread in threads):
                if time.monotonic() >= notice_at:  # a sign of life while steps are buffered
                    notice_at += STILL_RUNNING_EVERY_S
                    self._still_running()
                if self.stop.wait(0.5):
                    with self._all_locks():
                        pass  # no lane is between deciding to start a step and starting it
                    self._interrupt_others()
                    break
        except KeyboardInterrupt:
            self.stop.set()
            self._interrupt_others()
            return 130
        for thread in threads:
            thread.join()
        for lane in self.lanes:
            if lane.failed:
                target, code = lane.failed
                print(f"\nmake test: FAILED at make {target} (exit {code})", flush=True)
                return code
        print("\nmake test: every step passed", flush=True)
        return 0

    def _all_locks(self) -> _Locks:
        return _Locks([lane.lock for lane in self.lanes])


class _Locks:
    def __init__(self, locks: list[threading.Lock]) -> None:
        self.locks = locks

    def __enter__(self) -> None:
        for lock in self.locks:
            lock.acquire()

    def __exit__(self, *_: object) -> None:
        for lock in self.locks:
            lock.release()


def main(argv: list[str]) -> int:
    lanes = [arg.split() for arg in argv if arg.split()]
    if not lanes:
        print(__doc__, file=sys.stderr)
        return 2
    if os.environ.get("MAKE_LANES") == "1":
        lanes = [[target for lane in lanes for target in lane]]
    with tempfile.TemporaryDirectory(prefix="make-lanes-") as tmp:
        return Runner(lanes, Path(tmp)).run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
