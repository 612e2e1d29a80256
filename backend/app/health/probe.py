"""`python -m app.health.probe [PATH]`: the API container's healthcheck.

GETs PATH (default /ready: database, broker and object store) from the gunicorn in this
container, on the port of GUNICORN_BIND (backend/gunicorn.conf.py; 8000 by default). Exit 0 when
it answers 200, 1 otherwise with one line on stderr. Standard library only, no app import: it
runs every few seconds.
"""

from __future__ import annotations

import os
import sys
import urllib.error
import urllib.request

TIMEOUT_SECONDS = 4.0


def probe_url(path: str = "/ready") -> str:
    bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000").split(",")[0].strip()
    port = bind.rsplit(":", 1)[1] if ":" in bind else "8000"
    return f"http://127.0.0.1:{port}{path}"


def main(argv: list[str]) -> int:
    url = probe_url(argv[1] if len(argv) > 1 else "/ready")
    try:
        with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as response:
            status = int(response.status)
    except urllib.error.HTTPError as exc:
        status = exc.code
    except OSError as exc:
        print(f"unhealthy: {url}: {exc}", file=sys.stderr)
        return 1
    if status != 200:
        print(f"unhealthy: {url} answered {status}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
