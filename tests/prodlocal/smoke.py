"""`make prod-smoke`: start prod-local on free ports with a database of its own, drive the whole
journey through nginx over HTTPS (tests/prodlocal/journey.py), print one summary line, stop
everything. Exit 0 when every step passed; 1 otherwise (the failing step and the logs' tails on
stderr). Part of `make test` through tests/prodlocal/test_prod_smoke.py.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
import uuid
from pathlib import Path

from tests.prodlocal import journey
from tests.prodlocal.topology import ProdLocal, free_port


def smoke(root: Path, *, keep: bool = False) -> tuple[bool, str]:
    started = time.monotonic()
    topology = ProdLocal(
        root=root,
        https_port=free_port(),
        database=f"mamc_smoke_{uuid.uuid4().hex[:10]}",
        drop_database=True,
        log=lambda line: print(line, file=sys.stderr, flush=True),
    )
    steps: list[tuple[str, str, float]] = []
    try:
        topology.start()
        boot = time.monotonic() - started
        print(f"  topology up in {boot:.0f}s at {topology.base_url}", file=sys.stderr, flush=True)
        steps = journey.run(
            topology, root / "journey", log=lambda line: print(line, file=sys.stderr, flush=True)
        )
    except (journey.StepFailed, RuntimeError, TimeoutError) as exc:
        tails = "\n".join(
            f"--- {name}.log\n{topology.tail(name, 1500)}"
            for name in topology.components
            if topology.tail(name)
        )
        return False, f"prod-smoke FAILED after {len(steps)} step(s): {exc}\n{tails}"
    finally:
        topology.stop()
        if not keep:
            shutil.rmtree(root, ignore_errors=True)
    total = time.monotonic() - started
    return True, f"prod-smoke ok: {len(steps)} steps through nginx/TLS in {total:.0f}s — " + "; ".join(
        outcome for _, outcome, _ in steps
    )


def main() -> int:
    root = Path(tempfile.mkdtemp(prefix="mamc-prod-smoke-"))
    ok, summary = smoke(root)
    print(summary if ok else summary.splitlines()[0], flush=True)
    if not ok:
        print("\n".join(summary.splitlines()[1:]), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
