"""The embedded object store's HTTP face: the same presigned-part / presigned-GET flow as S3.

Only mounted when no S3 bucket is configured. Clients PUT part bytes to the URL the API signed,
read the ETag response header, and send the ETags back when completing, exactly as with S3.
A part's body is streamed to a file as it arrives (never held in memory whole) and must be
exactly the size its URL was signed for, as S3 enforces the signed Content-Length.
"""

from __future__ import annotations

from fastapi import APIRouter, Request, Response
from fastapi.responses import FileResponse
from starlette.concurrency import run_in_threadpool

from app.core.errors import NotFound, PermissionDenied
from app.core.storage import LocalObjectStore, PartTooLarge, get_object_store, guess_content_type

router = APIRouter(prefix="/storage", tags=["storage (embedded mode)"], include_in_schema=False)

WRITE_BATCH_BYTES = 1024 * 1024  # bytes gathered before one write in a worker thread


def _local_store() -> LocalObjectStore:
    store = get_object_store()
    if not isinstance(store, LocalObjectStore):
        raise NotFound("The embedded object store is not in use.")
    return store


@router.put("/parts")
async def upload_part(token: str, request: Request) -> Response:
    store = _local_store()
    claims = store.verify(token, purpose="part")
    size = claims.get("s")
    if not isinstance(size, int):  # signed before parts carried their size
        raise PermissionDenied("This upload link has expired; ask for a new one.", code="signature_expired")
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > size:
        raise PartTooLarge(f"Part {claims['n']} is larger than its declared {size} bytes.")
    writer = await run_in_threadpool(store.open_part, claims["k"], claims["u"], int(claims["n"]), size)
    batch = bytearray()
    try:
        async for chunk in request.stream():
            batch += chunk
            if len(batch) >= WRITE_BATCH_BYTES:
                await run_in_threadpool(writer.write, bytes(batch))
                batch.clear()
        await run_in_threadpool(writer.write, bytes(batch))
        etag = await run_in_threadpool(writer.commit)
    except BaseException:
        await run_in_threadpool(writer.discard)
        raise
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
