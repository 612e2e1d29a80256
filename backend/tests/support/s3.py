"""Pointing the app's object store at moto's S3 server (a real S3 protocol endpoint) for a test."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import boto3
from pydantic import SecretStr

from app.core.config import Settings
from app.core.storage import get_object_store


@contextmanager
def moto_server(bucket: str) -> Iterator[tuple[str, Any, Any]]:
    """moto's S3 server on a free port with `bucket` created: (endpoint, boto3 client, server)."""
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    client = boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    client.create_bucket(Bucket=bucket)
    try:
        yield endpoint, client, server
    finally:
        server.stop()


@contextmanager
def moto_s3(settings: Settings, bucket: str = "mamc-test") -> Iterator[Any]:
    """Start moto's server on a free port, create `bucket`, switch the settings (and the cached
    store) to it; yields a boto3 client of that server. Everything is undone afterwards."""
    with moto_server(bucket) as (endpoint, client, _server), _pointing(settings, bucket, endpoint):
        yield client


@contextmanager
def _pointing(settings: Settings, bucket: str, endpoint: str) -> Iterator[None]:
    patch: dict[str, Any] = {
        "s3_bucket": bucket,
        "s3_endpoint_url": endpoint,
        "s3_region": "us-east-1",
        "s3_access_key_id": "testing",
        "s3_secret_access_key": SecretStr("testing"),
    }
    saved = {name: getattr(settings, name) for name in patch}
    for name, value in patch.items():
        setattr(settings, name, value)
    get_object_store.cache_clear()
    try:
        yield
    finally:
        for name, value in saved.items():
            setattr(settings, name, value)
        get_object_store.cache_clear()
