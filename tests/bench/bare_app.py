"""The bare baselines of bench_hot_paths.py: FastAPI returning pre-encoded bodies, nothing else.

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


_BODIES = Path(os.environ.get("BARE_BODIES_DIR", "."))
for _path in sorted(_BODIES.glob("*.json")):
    app.add_api_route(f"/bare/{_path.stem}", _route(_path.read_bytes()), methods=["GET"])

if (_BODIES / "playlist.m3u8").is_file():
    _PLAYLIST = (_BODIES / "playlist.m3u8").read_bytes()

    @app.get("/api/v1/media/t/{token}/{key:path}")
    async def playlist(token: str, key: str) -> Response:
        """The rewritten playlist as our app serves it, from memory: what the framework alone costs
        behind the same nginx location."""
        return Response(_PLAYLIST, media_type="application/vnd.apple.mpegurl")
