"""The baseline of `make load`'s catalog ratio: a bare FastAPI endpoint returning a pre-encoded
body of LOAD_BARE_BYTES bytes, run by gunicorn with the same backend/gunicorn.conf.py."""

from __future__ import annotations

import os

from fastapi import FastAPI
from fastapi.responses import Response

BODY = b'{"items":[' + b"0" * max(0, int(os.environ.get("LOAD_BARE_BYTES", "20000")) - 22) + b'],"n":1}'

app = FastAPI(openapi_url=None, docs_url=None, redoc_url=None)


@app.get("/hello")
async def hello() -> Response:
    return Response(BODY, media_type="application/json")
