# Martial Arts Media Center — the two commands are `make run` and `make test`.
# Everything installs itself (idempotently): uv + the locked Python env, the web client's npm
# packages, and (for tests) Debian's nginx and chromium when running as root.

SHELL := /bin/bash
.DEFAULT_GOAL := help
ROOT := $(abspath $(dir $(lastword $(MAKEFILE_LIST))))
UV_VERSION := 0.13.9
UV := $(shell command -v uv 2>/dev/null || echo $(ROOT)/.tools/bin/uv)
PY := $(UV) run --frozen
WEB := $(ROOT)/frontend
SHARED := $(ROOT)/packages/shared
MOBILE := $(ROOT)/mobile
STAMP := $(ROOT)/var/.stamps

.PHONY: help install run api worker beat web migrate admin test test-services test-embedded test-shuffled \
        test-e2e test-web lint typecheck bench system-deps openapi clean prod-local prod-smoke test-contract \
        test-mobile mobile

help: ## list targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-16s %s\n", $$1, $$2}'

$(ROOT)/.tools/bin/uv:
	python3 -m venv $(ROOT)/.tools
	$(ROOT)/.tools/bin/pip install --quiet uv==$(UV_VERSION)

$(STAMP)/python: uv.lock pyproject.toml backend/pyproject.toml services/video_studio/pyproject.toml | $(UV)
	@mkdir -p $(STAMP)
	$(UV) sync --all-packages --frozen
	@touch $@

$(WEB)/node_modules/.package-lock.json: $(WEB)/package-lock.json
	cd $(WEB) && npm ci --no-audit --no-fund

$(SHARED)/node_modules/.package-lock.json: $(SHARED)/package-lock.json
	cd $(SHARED) && npm ci --no-audit --no-fund

$(MOBILE)/node_modules/.package-lock.json: $(MOBILE)/package-lock.json
	cd $(MOBILE) && npm ci --no-audit --no-fund

$(WEB)/dist/index.html: $(WEB)/node_modules/.package-lock.json $(shell find $(WEB)/src $(SHARED)/src $(WEB)/index.html $(WEB)/vite.config.ts -type f 2>/dev/null)
	cd $(WEB) && npm run build

install: $(STAMP)/python ## install Python deps (uv, locked) and build the web client if needed
	@if [ -f $(WEB)/package-lock.json ]; then $(MAKE) --no-print-directory $(WEB)/dist/index.html; fi

run: install ## migrate and start API + worker + beat + web at http://127.0.0.1:8000 (Ctrl-C stops)
	cd backend && $(PY) python -m app run

api: install ## run only the API (uvicorn, reload)
	cd backend && $(PY) python -m app migrate && $(PY) uvicorn app.main:app --reload --host 127.0.0.1 --port 8000

worker: install ## run only a Celery worker on every queue (QUEUES=media to pick)
	cd backend && $(PY) celery -A app.worker.celery_app:celery_app worker -Q $${QUEUES:-default,media,studio,coach} -l INFO

beat: install ## run only Celery beat (periodic jobs: reapers, token purge, backups)
	cd backend && $(PY) celery -A app.worker.celery_app:celery_app beat -l INFO

web: ## run the web client's dev server (hot reload, proxies /api to :8000)
	cd $(WEB) && npm ci --no-audit --no-fund && npm run dev

migrate: install ## apply database migrations
	cd backend && $(PY) python -m app migrate

admin: install ## create the first admin: make admin EMAIL=you@example.com [ENV_FILE=var/prod-local.env]
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=you@example.com [ENV_FILE=path]" >&2; exit 2; }
	@test -z "$(ENV_FILE)" || test -f "$(ENV_FILE)" || { echo "no such ENV_FILE: $(ENV_FILE)" >&2; exit 2; }
	cd backend && $(if $(ENV_FILE),set -a && . $(abspath $(ENV_FILE)) && set +a &&) \
	  $(PY) python -m app migrate && $(PY) python -m app create-admin --email "$(EMAIL)"

openapi: install ## write var/openapi.json (the web/mobile API client is generated from it)
	cd backend && $(PY) python -m app openapi -o $(ROOT)/var/openapi.json

test-contract: openapi $(SHARED)/node_modules/.package-lock.json ## the API types both clients import (packages/shared) match var/openapi.json
	cd $(SHARED) && OPENAPI_SOURCE=$(ROOT)/var/openapi.json node scripts/gen-api.mjs --check

system-deps: ## Debian packages the tests drive for real (nginx, chromium, redis, pgbouncer, wrk, espeak-ng); needs root
	@missing=""; command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx"; \
	  command -v chromium >/dev/null || missing="$$missing chromium"; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  [ -x /usr/sbin/pgbouncer ] || command -v pgbouncer >/dev/null || missing="$$missing pgbouncer"; \
	  command -v wrk >/dev/null || missing="$$missing wrk"; \
	  command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	  command -v espeak-ng >/dev/null || missing="$$missing espeak-ng"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ]; then \
	      created=0; [ -e /usr/sbin/policy-rc.d ] || { printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d; chmod +x /usr/sbin/policy-rc.d; created=1; }; \
	      apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; rc=$$?; \
	      [ $$created = 0 ] || rm -f /usr/sbin/policy-rc.d; [ $$rc = 0 ] || exit $$rc; \
	    else echo "note: install$$missing (Debian) to run the nginx and browser tests" >&2; fi; \
	  fi

lint: $(STAMP)/python ## ruff (lint + format check)
	$(PY) ruff check .
	$(PY) ruff format --check .

typecheck: $(STAMP)/python ## mypy (strict) on the backend and the studio package
	$(PY) mypy backend/app services/video_studio/src

# Two lanes side by side (they share no state: each pytest run has its own database, Redis db and
# VAR_DIR; the JS steps their own packages). Each step's output is printed whole when it ends; the
# first failure stops the other lane and fails the run. MAKE_LANES=1 runs them one after the other.
TEST_LANES := "lint typecheck test-services" "test-contract test-web test-mobile test-embedded"

test: install system-deps ## the whole suite: lint, types, both backend profiles, API contract, web + mobile tests
	@MAKE="$(MAKE)" python3 $(ROOT)/tests/make_lanes.py $(TEST_LANES)

test-services: $(STAMP)/python ## everything against real Postgres + Redis (embedded defaults if unreachable)
	$(PY) pytest

test-embedded: $(STAMP)/python ## the backend on embedded defaults (SQLite, filesystem broker, in-process cache)
	MAMC_TEST_PROFILE=embedded $(PY) pytest backend/tests -m "not slow"

test-shuffled: $(STAMP)/python ## backend tests in a random order on both profiles (SEED=n replays an order)
	$(PY) pytest backend/tests -p randomly $(if $(SEED),--randomly-seed=$(SEED))
	MAMC_TEST_PROFILE=embedded $(PY) pytest backend/tests -m "not slow" -p randomly $(if $(SEED),--randomly-seed=$(SEED))

prod-local: install system-deps ## the production topology natively, foreground, https://127.0.0.1:8443 (Ctrl-C stops)
	$(PY) python -m tests.prodlocal

prod-smoke: install system-deps ## start prod-local on free ports, drive the whole journey over HTTPS, stop
	$(PY) python -m tests.prodlocal.smoke

test-e2e: install system-deps ## browser journeys only (Playwright + Debian chromium against a platform it starts)
	$(PY) pytest tests/e2e

test-web: ## web client unit tests (Vitest)
	@if [ -f $(WEB)/package-lock.json ]; then $(MAKE) --no-print-directory $(WEB)/node_modules/.package-lock.json && cd $(WEB) && npm test; fi

test-mobile: $(MOBILE)/node_modules/.package-lock.json $(STAMP)/python ## mobile app: tsc, Jest, android + ios + web exports, web export smoke (Playwright)
	cd $(MOBILE) && npx tsc --noEmit && npx jest
	cd $(MOBILE) && rm -rf dist-android dist-ios dist \
	  && npx expo export --platform android --output-dir dist-android \
	  && npx expo export --platform ios --output-dir dist-ios \
	  && npx expo export --platform web --output-dir dist
	MAMC_MOBILE_DIST=$(MOBILE)/dist $(PY) pytest tests/e2e/test_mobile_web.py -q

mobile: $(MOBILE)/node_modules/.package-lock.json $(STAMP)/python ## Expo dev server for a phone on the same network (API URL from settings; MOBILE_API_URL overrides)
	@api="$${MOBILE_API_URL:-$$(cd backend && $(PY) python -c 'from app.core.config import get_settings; print(get_settings().app_base_url)')}"; \
	  lan="$$(hostname -I 2>/dev/null | awk '{print $$1}')"; \
	  case "$$api" in *://127.0.0.1*|*://localhost*) [ -z "$$lan" ] || api="$$(echo "$$api" | sed -E "s#://(127\.0\.0\.1|localhost)#://$$lan#")";; esac; \
	  echo "API for the app: $$api (start the platform on the network with the same address: cd backend && APP_BASE_URL=$$api ../.venv/bin/python -m app run --host 0.0.0.0)"; \
	  cd $(MOBILE) && EXPO_PUBLIC_API_URL="$$api" npx expo start --lan

bench: install ## benchmarks: each prints our figure, a bare baseline from the same run, and the ratio
	@for script in tests/bench/bench_*.py; do echo "== $$script"; $(PY) python $$script || exit 1; done

clean: ## remove local state (database, objects, outbox, broker) — keeps installs
	rm -rf var/mamc.db* var/objects var/outbox var/broker var/results var/celerybeat-schedule

-include ops.mk
