"""A full local disk is a 507 that leaves every stored object and part as it was. (Redis failing
under the cache and the rate limits: backend/tests/core/test_cache_and_rate_limits.py; the drills
in tests/faults do the same against the running topology.)"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from app.core.errors import InsufficientStorage
from app.core.storage import LocalObjectStore
from tests.support.tmpfs import tmpfs


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    """A 3 MiB tmpfs: a real filesystem that fills up."""
    with tmpfs(tmp_path / "store", "3m") as mount:
        yield mount


def test_a_full_disk_is_a_507_and_nothing_stored_before_is_lost(tiny_disk: Path) -> None:
    store = LocalObjectStore(tiny_disk, base_url="http://x", secret=b"k" * 32)
    store.put_bytes("videos/a/poster.jpg", b"\xff\xd8" + b"p" * 1000)
    upload = store.create_multipart("videos/b/source/original", "video/mp4")
    part = store.open_part("videos/b/source/original", upload, 1, 1024 * 1024)
    part.write(b"1" * 1024 * 1024)
    first = part.commit()
    part = store.open_part("videos/b/source/original", upload, 2, 4 * 1024 * 1024)
    with pytest.raises(InsufficientStorage) as full:
        for _ in range(4):
            part.write(b"2" * 1024 * 1024)
    assert full.value.status_code == 507 and full.value.code == "storage_full"
    with pytest.raises(InsufficientStorage):
        store.put_bytes("videos/c/poster.jpg", b"x" * 4 * 1024 * 1024)
    assert store.get_bytes("videos/a/poster.jpg").endswith(b"p" * 1000)
    parts = store.list_parts("videos/b/source/original", upload)
    assert [(p.part_number, p.etag) for p in parts] == [(1, first)]
    leftovers = [p.name for p in tiny_disk.rglob("*") if p.name.endswith(("tmp", "etag-tmp"))]
    assert leftovers == [], "a failed write left temporary files behind"
    assert store.head("videos/c/poster.jpg") is None
