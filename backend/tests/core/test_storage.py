"""Both object stores behind one interface: the local store and S3 (moto's real S3 server)."""

from __future__ import annotations

import hashlib
import uuid
from collections.abc import Iterator
from pathlib import Path

import boto3
import httpx
import pytest
from moto.server import ThreadedMotoServer

from app.core.config import Settings
from app.core.errors import NotFound, PermissionDenied, ValidationFailed
from app.core.storage import (
    LocalObjectStore,
    ObjectStore,
    S3ObjectStore,
    UploadedPart,
    build_object_store,
    get_object_store,
)


@pytest.fixture(scope="module")
def moto_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_settings(endpoint: str) -> Settings:
    bucket = f"media-{uuid.uuid4().hex[:8]}"
    boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="test",
        aws_secret_access_key="test",
    ).create_bucket(Bucket=bucket)
    return Settings(
        s3_bucket=bucket,
        s3_endpoint_url=endpoint,
        s3_access_key_id="test",
        s3_secret_access_key="test",  # type: ignore[arg-type]
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> ObjectStore:
    if request.param == "local":
        return LocalObjectStore(tmp_path / "objects", base_url="http://testserver", secret=b"k" * 32)
    return build_object_store(s3_settings(request.getfixturevalue("moto_endpoint")))


def test_put_get_head_list_delete(store: ObjectStore, tmp_path: Path) -> None:
    store.put_bytes("videos/a/poster.jpg", b"jpeg", "image/jpeg")
    source = tmp_path / "seg.ts"
    source.write_bytes(b"x" * 1000)
    store.put_file("videos/a/hls/720p/seg_00000.ts", source)
    assert store.get_bytes("videos/a/poster.jpg") == b"jpeg"
    head = store.head("videos/a/hls/720p/seg_00000.ts")
    assert head is not None and head.size == 1000
    assert store.head("videos/a/missing") is None
    assert sorted(o.key for o in store.list_objects("videos/a/")) == [
        "videos/a/hls/720p/seg_00000.ts",
        "videos/a/poster.jpg",
    ]
    store.put_bytes("videos/a/poster.jpg", b"jpeg2")  # same key overwrites
    assert store.get_bytes("videos/a/poster.jpg") == b"jpeg2"
    assert store.delete_prefix("videos/a/") == 2
    assert list(store.list_objects("videos/a/")) == []
    with pytest.raises(NotFound):
        store.get_bytes("videos/a/poster.jpg")


def test_multipart_upload_through_presigned_urls_resumes_and_retries(store: ObjectStore, app: object) -> None:
    if isinstance(store, LocalObjectStore):
        store = get_object_store()  # the store the app's upload routes verify against
    data = [bytes([i]) * (5 * 1024 * 1024) for i in range(2)] + [b"tail"]
    key = "uploads/v1/source.mp4"
    upload_id = store.create_multipart(key, "video/mp4")

    def put(part_number: int, body: bytes) -> str:
        url = store.presign_part(key, upload_id, part_number, ttl_seconds=300, size=len(body))
        if isinstance(store, LocalObjectStore):
            transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
            import asyncio

            async def send() -> httpx.Response:
                async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
                    return await client.put(url.replace("http://testserver", ""), content=body)

            resp = asyncio.run(send())
        else:
            resp = httpx.put(url, content=body)
        assert resp.status_code == 200, resp.text
        return resp.headers["ETag"].strip('"')

    etags = {1: put(1, data[0])}
    etags[2] = put(2, b"\xff" * len(data[1]))  # corrupted first try
    etags[2] = put(2, data[1])  # a retried part replaces the earlier attempt
    listed = store.list_parts(key, upload_id)  # an interrupted client resumes from this list
    assert [p.part_number for p in listed] == [1, 2]
    etags[3] = put(3, data[2])
    store.complete_multipart(key, upload_id, [UploadedPart(n, etags[n]) for n in (1, 2, 3)])
    body = store.get_bytes(key)
    assert hashlib.sha256(body).digest() == hashlib.sha256(b"".join(data)).digest()


def test_completing_with_a_wrong_etag_is_refused(store: ObjectStore) -> None:
    key = "uploads/v2/source.mp4"
    upload_id = store.create_multipart(key, "video/mp4")
    with pytest.raises((ValidationFailed, NotFound)):
        store.complete_multipart(key, upload_id, [UploadedPart(1, "0" * 32)])


def test_local_signatures_reject_tampering_and_expiry(tmp_path: Path) -> None:
    store = LocalObjectStore(tmp_path, base_url="http://x", secret=b"s" * 32)
    token = store.sign({"p": "get", "k": "a/b", "exp": 9e12})
    assert store.verify(token, purpose="get")["k"] == "a/b"
    body, mac = token.split(".")
    with pytest.raises(PermissionDenied):
        store.verify(f"{body}x.{mac}", purpose="get")
    with pytest.raises(PermissionDenied):
        store.verify(token, purpose="part")
    expired = store.sign({"p": "get", "k": "a/b", "exp": 1})
    with pytest.raises(PermissionDenied) as excinfo:
        store.verify(expired, purpose="get")
    assert excinfo.value.code == "signature_expired"


@pytest.mark.parametrize("key", ["../etc/passwd", "/abs", "a//b", "a/./b", ""])
def test_keys_cannot_escape_the_store(tmp_path: Path, key: str) -> None:
    store = LocalObjectStore(tmp_path, base_url="http://x", secret=b"s" * 32)
    with pytest.raises(ValidationFailed):
        store.put_bytes(key, b"x")


def test_s3_store_is_chosen_when_a_bucket_is_configured(moto_endpoint: str) -> None:
    assert isinstance(build_object_store(s3_settings(moto_endpoint)), S3ObjectStore)
