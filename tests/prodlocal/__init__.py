"""The production topology, started natively (no container engine runs on these machines).

`make prod-local` (python -m tests.prodlocal) runs, in the foreground, from the same settings,
commands and config files the images use:
  nginx with nginx/prod.conf (self-signed TLS on https://127.0.0.1:8443),
  gunicorn with the api image's CMD (backend/gunicorn.conf.py),
  one Celery worker per queue (default, media, studio) with the worker image's CMD, and beat,
  this machine's Postgres and Redis (broker and cache in Redis dbs of their own),
  moto's S3 server as the bucket (MEDIA_SIGNER=nginx: nginx proxies signed /media/ to it),
  the Stripe and SendGrid stand-ins (backend/tests/support), mail kept under var/prod-local/mail/.
Settings go to var/prod-local.env (`make admin ENV_FILE=var/prod-local.env EMAIL=...`).

`make prod-smoke` (python -m tests.prodlocal.smoke) starts the same topology on free ports and
drives the whole journey through nginx over HTTPS (tests/prodlocal/journey.py).
"""
