# Ops targets, included by the Makefile (`include ops.mk`). Owner: ops (issue 7).
#   make backup                 pg_dump + object manifest -> archive + .sha256 in the backup store, prune
#   make restore FILE=<path|name|latest> [DATABASE_URL=...]   into an EMPTY database only (exit 2 otherwise)
#   make backups                list stored archives
#   make load                   the seed's load shapes on prod-local (Locust + wrk), bounded, loopback
#                               -> a table per endpoint, var/load/summary.txt (tests/load/run_load.py)
#   make nginx-check            install nginx if missing, then the nginx/compose tests
UV ?= uv

.PHONY: backup restore backups load nginx-ensure nginx-check ops-test

backup:
	cd backend && $(UV) run python -m app.ops backup

restore:
	@test -n "$(FILE)" || { echo "usage: make restore FILE=<archive path | backup name | latest>" >&2; exit 2; }
	cd backend && $(UV) run python -m app.ops restore "$(if $(wildcard $(FILE)),$(abspath $(FILE)),$(FILE))"

backups:
	cd backend && $(UV) run python -m app.ops list

load: install system-deps
	$(UV) run --frozen python tests/load/run_load.py

nginx-ensure:
	bash nginx/ensure-nginx.sh

nginx-check: nginx-ensure
	$(UV) run pytest tests/ops -q

ops-test: nginx-ensure
	$(UV) run pytest tests/ops backend/tests/ops -q
