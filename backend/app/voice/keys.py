"""Object keys of the voice domain, all derived from row ids (a rerun overwrites its outputs)."""

from __future__ import annotations

import uuid


def sample_source(sample_id: uuid.UUID) -> str:
    return f"voice/samples/{sample_id}/original"


def dub_prefix(dub_id: uuid.UUID) -> str:
    return f"voice/dubs/{dub_id}/"


def dub_work(dub_id: uuid.UUID, name: str) -> str:
    """The dub's working files (dub.json, original.wav, mix.wav, segments/NNNN.wav)."""
    return f"{dub_prefix(dub_id)}work/{name}"


def rendition_prefix(media_prefix: str, dub_id: uuid.UUID) -> str:
    """Under the video's media prefix: the playback token and CDN cookies cover it."""
    return f"{media_prefix}hls/dubs/{dub_id}/"


def is_rendition(key: str) -> bool:
    """Whether `key` lies under some dub's rendition prefix: objects that revoking consent deletes."""
    return key.startswith("hls/dubs/") or "/hls/dubs/" in key


def rendition(media_prefix: str, dub_id: uuid.UUID, version: int) -> str:
    return f"{rendition_prefix(media_prefix, dub_id)}v{version}/index.m3u8"
