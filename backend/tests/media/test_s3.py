"""The same flow against S3 (moto's server speaking the S3 API on a free port): presigned
multipart parts PUT straight to "S3", processing outputs in the bucket, and the embedded media
handler streaming them to ffmpeg."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import boto3
import httpx
import pytest
from pydantic import SecretStr

from app.auth.models import User
from app.core.storage import S3ObjectStore, get_object_store
from app.media import service
from app.media.models import VideoStatus
from tests.media.helpers import create_video, ffmpeg_read, upload_file, video_row

pytestmark = pytest.mark.slow
BUCKET = "mamc-media-test"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def s3(settings: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    from moto.server import ThreadedMotoServer

    # Parts of any size (real S3 wants >= 5 MiB but for the last one; our clips are small).
    monkeypatch.setattr("moto.s3.models.S3_UPLOAD_PART_MIN_SIZE", 1024)
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=BUCKET)
    for name, value in {
        "s3_bucket": BUCKET,
        "s3_endpoint_url": endpoint,
        "s3_region": "us-east-1",
        "s3_access_key_id": "testing",
        "s3_secret_access_key": SecretStr("testing"),
        "media_part_size_bytes": 64 * 1024,
    }.items():
        monkeypatch.setattr(settings, name, value)
    get_object_store.cache_clear()
    try:
        yield client
    finally:
        get_object_store.cache_clear()
        server.stop()


async def test_s3_multipart_upload_processing_and_playback(
    client: httpx.AsyncClient,
    auth_headers: Callable[[User], dict[str, str]],
    instructor: User,
    admin: User,
    make_clip: Callable[..., Path],
    s3: Any,
    live_server: str,
    tmp_path: Path,
) -> None:
    assert isinstance(get_object_store(), S3ObjectStore)
    headers = auth_headers(instructor)
    data = make_clip().read_bytes()
    video = await create_video(client, headers, price_cents=900)
    opened = await client.post(
        f"/api/v1/videos/{video['id']}/upload",
        json={"filename": "a.mp4", "size_bytes": len(data)},
        headers=headers,
    )
    signed = parse_qs(urlsplit(opened.json()["parts"][0]["url"]).query)["X-Amz-SignedHeaders"][0]
    assert "content-length" in signed.split(";")  # S3 refuses a part of any other size
    done = await upload_file(client, headers, video["id"], data)  # parts PUT to moto directly
    assert done is not None and done.status_code == 202, done.text

    row = video_row(video["id"])
    assert row.status == VideoStatus.ready, row.failure_reason
    source = s3.get_object(Bucket=BUCKET, Key=service.source_key(row.id))["Body"].read()
    assert source == data
    listed = s3.list_objects_v2(Bucket=BUCKET, Prefix=f"{row.media_prefix}hls/")["Contents"]
    assert {o["Key"].split("/")[-2] for o in listed if o["Key"].endswith(".ts")} == {"480p", "360p"}

    assert (await client.post(f"/api/v1/videos/{video['id']}/submit", headers=headers)).status_code == 200
    assert (
        await client.post(f"/api/v1/admin/videos/{video['id']}/approve", headers=auth_headers(admin))
    ).status_code == 200
    playback = await client.get(f"/api/v1/videos/{video['id']}/playback", headers=headers)
    assert playback.status_code == 200
    played = ffmpeg_read(playback.json()["url"], tmp_path / "played.ts")
    assert played.returncode == 0, played.stderr.decode()
    assert (tmp_path / "played.ts").stat().st_size > 10_000
