"""The cyclic garbage collector in an API worker: keep long-lived objects out of its full passes.

A full (generation 2) collection walks every tracked object that is not frozen; on a busy worker
it stalls the event loop, and with it every request in flight, for as long as it takes. That is
the p99 of the hot paths (issue 20). Measured per worker under `make bench` (GC callbacks, CPU
time): `gc.freeze()` at startup alone left ~27,000 objects in generation 2 — SQLAlchemy
configures its mappers lazily, at the first query (~11,600 objects), and the first requests
build further caches and pools — so each full pass still cost ~13 ms of CPU, every few thousand
requests.

- `freeze_startup()`: configure the mappers first, then collect and freeze (lifespan startup).
- `schedule_warm_freezes()`: collect and freeze again a few times once the worker has served
  its first requests, so what they built lazily is frozen too. A freeze moves every object alive
  at that moment out of the collector's reach for good; objects still in flight then are freed
  by their reference counts as usual (only a reference cycle among them would stay, once).
"""

from __future__ import annotations

import asyncio
import gc

from sqlalchemy.orm import configure_mappers

# Seconds after startup at which a worker freezes again what its first requests built.
WARM_FREEZE_AFTER_SECONDS: tuple[float, ...] = (15.0, 60.0, 300.0)


def freeze_long_lived() -> None:
    """Collect what is garbage now, then exempt every surviving object from later collections."""
    gc.collect()
    gc.freeze()


def freeze_startup() -> None:
    """Startup: the lazily built SQLAlchemy mapper state first, so that it is frozen too."""
    configure_mappers()
    freeze_long_lived()


def schedule_warm_freezes(
    loop: asyncio.AbstractEventLoop, delays: tuple[float, ...] = WARM_FREEZE_AFTER_SECONDS
) -> list[asyncio.TimerHandle]:
    """Freeze again at each delay (seconds from now); the handles cancel them at shutdown."""
    return [loop.call_later(delay, freeze_long_lived) for delay in delays]
