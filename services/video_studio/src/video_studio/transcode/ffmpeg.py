"""Running the bundled ffmpeg (imageio-ffmpeg is the only source; there is no ffprobe).

`run_ffmpeg` drains stderr on a thread (so a chatty ffmpeg never blocks on a full pipe), parses
`-progress pipe:1` from stdout, and kills the process if the caller's callback raises (a worker
cancelling a job) or the timeout passes.
"""

from __future__ import annotations

import collections
import functools
import os
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

ProgressCallback = Callable[[float, str], None]
"""`callback(fraction, stage)`: fraction in 0..1, never decreasing within one call of ours."""


@functools.cache
def ffmpeg_exe() -> str:
    """Path of the ffmpeg binary shipped with imageio-ffmpeg (IMAGEIO_FFMPEG_EXE overrides it)."""
    import imageio_ffmpeg

    return str(imageio_ffmpeg.get_ffmpeg_exe())


def input_url(path: str | os.PathLike[str]) -> str:
    """An absolute `file:` URL: a name starting with '-' or holding ':' is never read as an option
    or a protocol."""
    return "file:" + os.path.abspath(os.fspath(path))


# Inputs are untrusted uploads: only the local file may be opened (no http, no concat of
# other local files through a crafted playlist).
SAFE_INPUT_OPTIONS: tuple[str, ...] = ("-protocol_whitelist", "file")


@dataclass(frozen=True)
class FfmpegRun:
    returncode: int
    stderr: str
    elapsed_s: float


class FfmpegFailed(RuntimeError):
    """ffmpeg exited non-zero; `stderr_tail` holds its last lines."""

    def __init__(self, returncode: int, stderr_tail: str) -> None:
        super().__init__(f"ffmpeg exited with {returncode}: {stderr_tail.strip()[-2000:]}")
        self.returncode = returncode
        self.stderr_tail = stderr_tail


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration_s: float | None = None,
    on_progress: Callable[[float], None] | None = None,
    timeout_s: float | None = None,
    check: bool = True,
    stderr_lines: int = 400,
) -> FfmpegRun:
    """Run `ffmpeg -hide_banner -nostdin <args>`.

    With `on_progress` and `duration_s`, `-progress pipe:1 -nostats` is added and the callback
    gets `out_time / duration` (clamped to 0..1, monotonic) as ffmpeg reports it.
    """
    cmd = [ffmpeg_exe(), "-hide_banner", "-nostdin"]
    want_progress = on_progress is not None and duration_s is not None and duration_s > 0
    if want_progress:
        cmd += ["-progress", "pipe:1", "-nostats"]
    cmd += list(args)
    started = time.monotonic()
    proc = subprocess.Popen(
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE if want_progress else subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    tail: collections.deque[str] = collections.deque(maxlen=stderr_lines)
    assert proc.stderr is not None

    def drain() -> None:
        assert proc.stderr is not None
        for raw in proc.stderr:
            tail.append(raw.decode("utf-8", "replace").rstrip("\n"))

    reader = threading.Thread(target=drain, daemon=True)
    reader.start()
    timer: threading.Timer | None = None
    timed_out = threading.Event()
    if timeout_s is not None:

        def kill() -> None:
            timed_out.set()
            proc.kill()

        timer = threading.Timer(timeout_s, kill)
        timer.daemon = True
        timer.start()
    try:
        if want_progress:
            assert proc.stdout is not None and on_progress is not None and duration_s is not None
            best = 0.0
            for raw in proc.stdout:
                key, _, value = raw.decode("ascii", "replace").strip().partition("=")
                # out_time_us and (misnamed, also microseconds) out_time_ms; "N/A" early on.
                if key in ("out_time_us", "out_time_ms"):
                    try:
                        micro = int(value)
                    except ValueError:
                        continue
                    fraction = min(1.0, max(0.0, micro / 1e6 / duration_s))
                    if fraction > best:
                        best = fraction
                        on_progress(best)
        returncode = proc.wait()
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    finally:
        if timer is not None:
            timer.cancel()
        reader.join(timeout=5)
    stderr = "\n".join(tail)
    if timed_out.is_set():
        raise FfmpegFailed(returncode, f"timed out after {timeout_s} s\n{stderr}")
    if check and returncode != 0:
        raise FfmpegFailed(returncode, stderr)
    return FfmpegRun(returncode=returncode, stderr=stderr, elapsed_s=time.monotonic() - started)
