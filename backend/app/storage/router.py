"""The embedded object store's HTTP face: the same presigned-part / presigned-GET flow as S3.

Only mounted when no S3 bucket is configured. Clients PUT part bytes to the URL the API signed,
read the ETag response header, and send the ETags back when completing, exactly as with S3.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from app.core.errors import NotFound, PayloadTooLarge
from app.core.storage import LocalObjectStore, get_object_store, guess_content_type

router = APIRouter(prefix="/storage", tags=["storage (embedded mode)"], include_in_schema=False)

MAX_PART_BYTES = 5 * 1024 * 1024 * 1024


def _local_store() -> LocalObjectStore:
    store = get_object_store()
    if not isinstance(store, LocalObjectStore):
        raise NotFound("The embedded object store is not in use.")
    return store


@router.put("/parts")
async def upload_part(token: str, request: Request) -> Response:
    store = _local_store()
    claims = store.verify(token, purpose="part")
    buffered: list[bytes] = []
    size = 0

    async def _read() -> AsyncIterator[bytes]:
        async for chunk in request.stream():
            yield chunk

    async for chunk in _read():
        size += len(chunk)
        if size > MAX_PART_BYTES:
            raise PayloadTooLarge("A part may be at most 5 GiB.")
        buffered.append(chunk)
    etag = await run_in_threadpool(
        store.write_part, claims["k"], claims["u"], int(claims["n"]), iter(buffered)
    )
    return Response(status_code=200, headers={"ETag": f'"{etag}"'})


@router.get("/objects/{key:path}")
async def get_object(key: str, token: str) -> FileResponse:
    store = _local_store()
    claims = store.verify(token, purpose="get")
    if claims["k"] != key:
        raise NotFound("No such object.")
    path = store.path_for(key)
    if not path.is_file():
        raise NotFound("No such object.")
    return FileResponse(path, media_type=guess_content_type(key))
