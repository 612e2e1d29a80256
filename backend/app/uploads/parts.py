"""The parts of a multipart upload: planning them, signing them, checking what arrived.

Parts: a client declares the file's size; `PartPlan` cuts it into parts of a fixed size (the last
one shorter). Each part is signed for its exact byte count — S3 checks the signed Content-Length,
the embedded store (app/storage/router.py) streams the body to disk and refuses a byte more or
less — and `parts_to_complete` checks, before assembling, that the stored parts are exactly the
plan: every part present once and the total equal to the declared size. A mismatch is a 422 and
leaves the upload open (nothing stored is lost; the client sends the part again).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.errors import ValidationFailed
from app.core.storage import ObjectStore, UploadedPart

S3_MAX_PARTS = 10_000


@dataclass(frozen=True)
class PartPlan:
    """A declared file size cut into parts of `part_size` bytes (the last one holds the rest)."""

    total_bytes: int
    part_size: int

    @classmethod
    def for_size(cls, total_bytes: int, preferred_part_size: int) -> PartPlan:
        """Parts of `preferred_part_size`, larger when the file would need more than S3 allows."""
        part_size = max(preferred_part_size, 1, math.ceil(total_bytes / S3_MAX_PARTS))
        return cls(total_bytes, part_size)

    @property
    def count(self) -> int:
        return max(1, math.ceil(self.total_bytes / self.part_size))

    def part_bytes(self, part_number: int) -> int:
        """The exact size of one part."""
        if not 1 <= part_number <= self.count:
            raise ValidationFailed(f"Part numbers go from 1 to {self.count}.", code="invalid_parts")
        return min(self.part_size, self.total_bytes - (part_number - 1) * self.part_size)


def presign_parts(
    store: ObjectStore, key: str, upload_id: str, plan: PartPlan, numbers: Iterable[int], ttl_seconds: int
) -> list[tuple[int, str]]:
    """(part number, URL) for each part, every URL signed for its part's exact size."""
    return [(n, store.presign_part(key, upload_id, n, ttl_seconds, size=plan.part_bytes(n))) for n in numbers]


def parts_to_complete(
    store: ObjectStore, key: str, upload_id: str, plan: PartPlan, chosen: list[UploadedPart] | None
) -> list[UploadedPart]:
    """The parts to assemble (the client's list, or every stored part), checked against the
    plan: each part 1..count once and each of its planned size — so together exactly the declared
    size. Raises ValidationFailed (422); the upload stays open."""
    stored = {p.part_number: p for p in store.list_parts(key, upload_id)}
    numbers = [p.part_number for p in chosen] if chosen is not None else sorted(stored)
    if numbers != list(range(1, plan.count + 1)):
        missing = sorted(set(range(1, plan.count + 1)) - set(numbers))
        raise ValidationFailed(
            f"Every part from 1 to {plan.count} is needed, once each and in order.",
            code="invalid_parts",
            details={"missing": missing[:100]},
        )
    for n in numbers:  # the planned sizes add up to the declared size
        have = stored.get(n)
        if have is None:
            raise ValidationFailed(
                f"Part {n} has not been uploaded.", code="invalid_parts", details={"missing": [n]}
            )
        if have.size != plan.part_bytes(n):
            raise ValidationFailed(
                f"Part {n} holds {have.size} bytes instead of {plan.part_bytes(n)}; send it again.",
                code="upload_size_mismatch",
                params={"part": n, "received": have.size, "expected": plan.part_bytes(n)},
                details={"part_number": n, "expected": plan.part_bytes(n), "received": have.size},
            )
    if chosen is None:
        return [stored[n] for n in numbers]
    return list(chosen)
