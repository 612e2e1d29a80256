"""The bare baseline of bench_hot_paths.py: FastAPI returning pre-encoded bodies, nothing else.

Served by the same gunicorn command and settings as the real app. BARE_BODIES_DIR holds one file
per path (`catalog.json` → GET /bare/catalog): the real responses captured in the same run, so
both sides send bodies of the same size.
"""

from __future__ import annotations

import os
from collections.abc import Awaitable, Callable
from pathlib import Path

from fastapi import FastAPI, Response

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


def _route(body: bytes) -> Callable[[], Awaitable[Response]]:
    async def bare() -> Response:
        return Response(body, media_type="application/json")

    return bare


for _path in sorted(Path(os.environ.get("BARE_BODIES_DIR", ".")).glob("*.json")):
    app.add_api_route(f"/bare/{_path.stem}", _route(_path.read_bytes()), methods=["GET"])
