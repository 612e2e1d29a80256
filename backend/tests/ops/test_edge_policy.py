"""The bucket policy that lets the nginx edge read published media from a private bucket, checked
against moto's S3 server (which enforces resources and actions; the network condition is AWS's)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from app.core.config import Settings
from app.ops.edge import edge_read_policy
from tests.support.s3 import moto_s3

BACKEND = Path(__file__).resolve().parents[2]


def test_the_edge_reads_published_media_but_never_an_original_upload(settings: Settings) -> None:
    with moto_s3(settings, bucket="edge-policy") as s3:
        keys = {
            "videos/v1/j1/hls/360p/seg_00000.ts": True,
            "videos/v1/j1/hls/master.m3u8": True,
            "videos/v1/j1/trailer/master.m3u8": True,
            "videos/v1/j1/poster.jpg": True,
            "videos/v1/poster/custom.jpg": True,
            "videos/v1/j1/sprite.vtt": True,
            "videos/v1/source/original": False,
            "studio/attempts/a1/source": False,
        }
        for key in keys:
            s3.put_object(Bucket="edge-policy", Key=key, Body=b"x")
        endpoint = s3.meta.endpoint_url
        assert httpx.get(f"{endpoint}/edge-policy/videos/v1/j1/poster.jpg").status_code == 403  # private
        policy = edge_read_policy("edge-policy", source_cidrs=["127.0.0.1/32"])
        s3.put_bucket_policy(Bucket="edge-policy", Policy=json.dumps(policy))
        for key, readable in keys.items():
            status = httpx.get(f"{endpoint}/edge-policy/{key}").status_code
            assert status == (200 if readable else 403), key
        # the app's own credentials are unaffected (workers download originals)
        assert s3.get_object(Bucket="edge-policy", Key="videos/v1/source/original")["Body"].read() == b"x"
    assert policy["Statement"][0]["Condition"] == {"IpAddress": {"aws:SourceIp": ["127.0.0.1/32"]}}


def test_edge_policy_cli_prints_the_policy_or_refuses_without_a_network_condition() -> None:
    ok = subprocess.run(
        [sys.executable, "-m", "app.ops", "edge-policy", "--bucket", "b1", "--vpc-endpoint", "vpce-1a2b"],
        cwd=BACKEND,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert ok.returncode == 0, ok.stderr
    statement = json.loads(ok.stdout)["Statement"][0]
    assert statement["Condition"] == {"StringEquals": {"aws:SourceVpce": "vpce-1a2b"}}
    assert "arn:aws:s3:::b1/videos/*/hls/*" in statement["Resource"]
    refused = subprocess.run(
        [sys.executable, "-m", "app.ops", "edge-policy", "--bucket", "b1"],
        cwd=BACKEND,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert refused.returncode == 2 and refused.stderr.startswith("error:")
    with pytest.raises(ValueError):
        edge_read_policy("b1")
