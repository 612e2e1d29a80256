"""Durable background jobs, shared by every domain (app/jobs/engine.py says how and why).

A new domain declares a job kind: a table (its own row mixing in `JobColumns`, or a history
table whose columns it names), a `JobTable` naming them and the Celery task that runs one job,
then drives a run with `claim` → `Lease.keepalive` + `beat` → `settle` (or `release` for a retry),
works in `run_dir`, writes outputs under `output_prefix`, and schedules `reap` + `requeue`.
See README "Shared mechanisms". Import the modules (`from app.jobs import engine`,
`from app.jobs.models import JobColumns`): this package imports nothing, so a model module can
mix in `JobColumns` without loading the worker side.
"""
