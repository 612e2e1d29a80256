"""UUIDv7 ids sort in creation order, also within one millisecond."""

from __future__ import annotations

import itertools

from app.core.ids import uuid7


def test_ids_made_in_a_burst_are_strictly_increasing_and_stay_version_7() -> None:
    ids = [uuid7() for _ in range(20_000)]  # many share a millisecond
    assert all(a.int < b.int for a, b in itertools.pairwise(ids))
    assert {i.version for i in ids} == {7} and {i.variant for i in ids} == {"specified in RFC 4122"}
