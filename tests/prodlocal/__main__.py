"""`make prod-local`: the production topology in the foreground on https://127.0.0.1:8443.

    python -m tests.prodlocal [--https-port 8443]

Every start begins empty: the database `mamc_prodlocal` is recreated (moto keeps objects in
memory only) and var/prod-local.env gets fresh secrets. Ctrl-C stops everything.
"""

from __future__ import annotations

import argparse
import signal
import sys
import time

from tests.prodlocal.topology import REPO, ProdLocal


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="make prod-local", description=__doc__)
    parser.add_argument("--https-port", type=int, default=8443)
    args = parser.parse_args(argv)
    topology = ProdLocal(
        root=REPO / "var" / "prod-local",
        https_port=args.https_port,
        env_file=REPO / "var" / "prod-local.env",
    )
    stopping = False

    def stop(*_: object) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, stop)
    signal.signal(signal.SIGTERM, stop)
    print("starting the production topology (nginx, gunicorn, 3 workers, beat, moto S3, stand-ins)...")
    try:
        topology.start()
    except (RuntimeError, TimeoutError) as exc:
        print(f"prod-local failed to start: {exc}", file=sys.stderr)
        return 1
    print(
        f"\nprod-local is up: {topology.base_url}  (self-signed: {topology.ca_file})\n"
        f"  settings   {topology.env_file}\n"
        f"  logs       {topology.logs}/<component>.log\n"
        f"  mail       {topology.mail_dir}/ (SendGrid stand-in)\n"
        f"  first admin: make admin ENV_FILE=var/prod-local.env EMAIL=you@example.com\n"
        "Ctrl-C stops it all.",
        flush=True,
    )
    last_refresh = time.monotonic()
    code = 0
    while not stopping:
        for name, component in topology.components.items():
            if not component.alive:
                print(
                    f"{name} exited; stopping prod-local (see {topology.logs / (name + '.log')})",
                    file=sys.stderr,
                )
                code, stopping = 1, True
                break
        if time.monotonic() - last_refresh > 600:
            topology.refresh_claims()
            last_refresh = time.monotonic()
        time.sleep(0.5)
    print("stopping prod-local...", flush=True)
    topology.stop()
    print("prod-local stopped")
    return code


if __name__ == "__main__":
    sys.exit(main())
