"""Sortable, non-sequential ids (UUIDv7, RFC 9562).

Ids made by one process are strictly increasing, also within one millisecond (RFC 9562 §6.2,
method 3: the random bits of the previous id plus one), so "order by id" is creation order for
rows one process writes in a burst (a question and its reply, references made in one request).
"""

from __future__ import annotations

import os
import threading
import time
import uuid

_RAND_B = (1 << 62) - 1
_lock = threading.Lock()
_last = 0


def _fresh() -> int:
    unix_ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    value = (unix_ms & ((1 << 48) - 1)) << 80
    value |= 0x7 << 76  # version
    value |= ((rand >> 62) & 0xFFF) << 64  # rand_a (12 bits)
    value |= 0b10 << 62  # variant
    value |= rand & _RAND_B  # rand_b
    return value


def uuid7() -> uuid.UUID:
    global _last
    value = _fresh()
    with _lock:
        if value <= _last:  # the same millisecond (or the clock stepped back): count up
            value = _last + 1 if (_last & _RAND_B) != _RAND_B else (_last | _RAND_B) + (1 << 64) - _RAND_B
        _last = value
    return uuid.UUID(int=value)
