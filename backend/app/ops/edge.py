"""The S3 bucket policy that lets the nginx edge read published media, and nobody else.

With MEDIA_SIGNER=nginx and S3, nginx checks each /media/ signature itself and then fetches the
object from the bucket (NGINX_MEDIA_ORIGIN) without AWS credentials. The bucket stays private:
this policy allows anonymous GETs of the processed media only (HLS, trailer, posters, sprites),
never an original upload (`videos/<id>/source/`), and only from the edge's network
(its addresses, or the VPC endpoint it reaches S3 through). `python -m app.ops edge-policy`
prints it for S3_BUCKET; docs/DEPLOYMENT_GUIDE.md shows how to apply it.
"""

from __future__ import annotations

from typing import Any

# What a player fetches through the edge (app/media/processing.py writes them under
# videos/<video>/<job>/; custom posters under videos/<video>/poster/). Originals
# (videos/<video>/source/) match none of these.
PUBLISHED_MEDIA = ("videos/*/hls/*", "videos/*/trailer/*", "videos/*/poster*", "videos/*/sprite.*")


def edge_read_policy(
    bucket: str, *, source_cidrs: list[str] | None = None, vpc_endpoint: str | None = None
) -> dict[str, Any]:
    condition: dict[str, Any] = {}
    if vpc_endpoint:
        condition["StringEquals"] = {"aws:SourceVpce": vpc_endpoint}
    if source_cidrs:
        condition["IpAddress"] = {"aws:SourceIp": list(source_cidrs)}
    if not condition:
        raise ValueError("name the edge: its source addresses (CIDR) or its VPC endpoint")
    statement = {
        "Sid": "EdgeReadsPublishedMedia",
        "Effect": "Allow",
        "Principal": "*",
        "Action": "s3:GetObject",
        "Resource": [f"arn:aws:s3:::{bucket}/{pattern}" for pattern in PUBLISHED_MEDIA],
        "Condition": condition,
    }
    return {"Version": "2012-10-17", "Statement": [statement]}
