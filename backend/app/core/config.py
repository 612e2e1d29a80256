"""One Settings object for the API, the workers and the CLI.

Every field is documented in .env.example with its default. Unset outside services fall back to
embedded defaults: SQLite, a local object store, a filesystem Celery broker, in-process cache and
rate limits, a console/file email outbox, sandbox payments and offline AI.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, computed_field, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(REPO_ROOT / ".env"),
        env_file_encoding="utf-8",
        extra="ignore",
        env_ignore_empty=True,  # `NAME=` in .env means "use the default", as .env.example shows
    )

    # --- application
    app_env: Literal["development", "test", "production"] = "development"
    app_base_url: str = "http://127.0.0.1:8000"
    # Unset: generated once into VAR_DIR/secret_key (never in production, which refuses to start).
    secret_key: SecretStr = SecretStr("")
    var_dir: Path = REPO_ROOT / "var"
    log_level: str = "INFO"
    log_format: Literal["console", "json"] = "console"
    sentry_dsn: SecretStr | None = None
    sentry_release: str | None = None
    sentry_traces_sample_rate: float = 0.0
    frontend_dist_dir: Path = REPO_ROOT / "frontend" / "dist"

    # --- database / broker / cache
    database_url: str = ""
    redis_url: str = ""
    redis_socket_timeout_seconds: float = 1.0  # each cache / rate-limit call gives up after this
    redis_connect_timeout_seconds: float = 1.0
    redis_max_connections: int = 1024  # per API process: above every request it may have in flight
    redis_failures_before_bypass: int = 3  # failed Redis calls in a row before it is skipped ...
    redis_retry_after_seconds: float = 5.0  # ... for this long (caches read the database)
    celery_broker_url: str = ""
    celery_task_always_eager: bool = False
    # SQLAlchemy pool per process (API worker, Celery pool child, CLI); see DEPLOYMENT_GUIDE sizing
    db_pool_size: int = 5
    db_max_overflow: int = 5
    db_pool_timeout_seconds: float = 10.0  # wait this long for a free connection, then fail
    db_pool_recycle_seconds: int = 1800  # reconnect connections older than this
    db_pgbouncer: bool = False  # behind PgBouncer (transaction pooling): no prepared statements
    # Celery: hard time limit per queue (the pool child is killed; the job reaper takes over)
    celery_time_limit_default_seconds: int = 600
    celery_time_limit_media_seconds: int = 14400
    celery_time_limit_studio_seconds: int = 1800
    celery_time_limit_coach_seconds: int = 300  # one reply or one transcription
    # Redis broker: an unacknowledged message is redelivered after this; must exceed every limit
    celery_visibility_timeout_seconds: int = 21600

    # --- auth
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    refresh_reuse_grace_seconds: int = 10  # a just-rotated refresh token may be retried this long
    email_token_ttl_hours: int = 48
    password_reset_ttl_minutes: int = 60
    password_min_length: int = 10

    # --- rate limits (requests per window)
    rate_limit_enabled: bool = True
    rate_limit_login_per_ip: int = 20
    rate_limit_login_per_account: int = 10
    rate_limit_register_per_ip: int = 10
    rate_limit_window_seconds: int = 60
    # Proxies whose X-Forwarded-For is believed (uvicorn's/gunicorn's syntax: addresses or networks,
    # comma-separated; "*" = anyone, refused in production). The same variable configures them.
    forwarded_allow_ips: str = "127.0.0.1,::1"

    # --- object storage
    local_storage_dir: Path | None = None
    s3_bucket: str = ""
    s3_region: str = "us-east-1"
    s3_endpoint_url: str = ""
    s3_access_key_id: str = ""
    s3_secret_access_key: SecretStr | None = None
    s3_presign_ttl_seconds: int = 3600

    # --- email
    sendgrid_api_key: SecretStr | None = None
    sendgrid_api_base: str = "https://api.sendgrid.com"
    email_from: str = "no-reply@martialarts.local"
    outbox_dir: Path | None = None

    # --- payments (filled in by the commerce domain)
    stripe_secret_key: SecretStr | None = None
    stripe_webhook_secret: SecretStr | None = None
    stripe_api_base: str = ""

    # --- commerce
    stripe_api_version: str = ""  # pin a Stripe API version; empty = the library's default
    stripe_webhook_tolerance_seconds: int = 300  # max age of a Stripe-Signature timestamp
    commerce_platform_fee_bps: int = 2000  # platform share of each sale, basis points (2000 = 20%)
    # admin-set price bounds per ISO currency (lowercase): [min, max] in minor units
    commerce_price_bounds: dict[str, tuple[int, int]] = Field(
        default_factory=lambda: {"usd": (100, 50_000), "eur": (100, 50_000), "gbp": (100, 50_000)}
    )
    commerce_default_rental_hours: int = 48
    # the site sells in one currency: videos default to EUR (media), so does the subscription
    commerce_subscription_currency: str = "eur"
    commerce_subscription_monthly_cents: int = 1500
    commerce_subscription_yearly_cents: int = 15000
    stripe_price_monthly: str = ""  # Stripe Price id for the monthly plan; empty = inline price_data
    stripe_price_yearly: str = ""
    commerce_checkout_success_path: str = "/library?checkout=success"
    commerce_checkout_cancel_path: str = "/library?checkout=cancelled"
    # --- commerce: app return URLs (issue #16 mobile). A checkout may name a return_url only when
    # its scheme://host/path is exactly one of these (any query allowed): never an open redirect.
    commerce_app_return_urls: list[str] = Field(default_factory=lambda: ["mamc://checkout-return"])
    commerce_alert_emails: list[str] = Field(default_factory=list)  # besides every admin account
    commerce_sandbox_fee_bps: int = 290  # embedded sandbox: simulated Stripe fee 2.9% ...
    commerce_sandbox_fee_fixed_cents: int = 30  # ... + 30 minor units
    commerce_event_retry_minutes: int = 5  # reaper re-applies events left unprocessed this long

    # --- AI
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None
    openai_base_url: str = ""  # empty: OpenAI's; an OpenAI-compatible server otherwise

    # --- knowledge (issue 13)
    knowledge_stt_provider: Literal["offline", "openai"] = "offline"  # openai needs OPENAI_API_KEY
    knowledge_stt_model: str = "whisper-1"
    knowledge_translation_model: str = "gpt-4o-mini"  # used only when OPENAI_API_KEY is set
    knowledge_languages: list[str] = Field(default_factory=lambda: ["it", "en"])
    knowledge_ocr: bool = True  # read on-screen text of videos
    knowledge_document_max_bytes: int = 50 * 1024 * 1024
    knowledge_upload_abandon_seconds: int = 24 * 3600  # document uploads never completed are reaped
    knowledge_backfill_batch: int = 20  # published videos without an extraction queued per beat run
    anthropic_base_url: str = ""  # empty = api.anthropic.com

    # --- social (comments, likes, follows, share pages: app/social)
    social_comment_max_chars: int = 2000  # longest comment or reply
    social_comments_per_window: int = 10  # comments one user may post per window
    social_comment_window_seconds: int = 60
    social_comment_min_account_age_hours: int = 24  # younger (low-trust) accounts cannot post
    social_reports_per_hour: int = 20  # comment reports one user may file per hour
    social_comment_reports_auto_hide: int = 3  # open trusted reports that hide a comment; 0 = never
    social_follower_notify_batch: int = 200  # followers told of a new video per task run (issue 17)
    # --- end social
    # --- voice (issue 15: voice profiles and dubbing, app/voice)
    voice_sample_max_bytes: int = 60 * 1024 * 1024  # one recording (5 min of WAV is ~55 MB)
    voice_samples_per_profile: int = 10
    voice_upload_part_size: int = 8 * 1024 * 1024  # multipart part size (S3 minimum is 5 MiB)
    voice_upload_abandon_seconds: int = 86400  # unfinished sample uploads older than this: aborted
    voice_tts_provider: Literal["offline", "openai"] = "offline"  # openai needs OPENAI_API_KEY
    voice_stt_provider: Literal["offline", "openai", "none"] = "offline"  # the dub's WER check
    voice_diarise: bool = True  # find the speakers of the source (one profile maps to the main one)
    voice_url_ttl_seconds: int = 900  # presigned GETs of a dub's segment audio
    # --- end voice

    # --- coach (AI chat, app/coach)
    # auto: OpenAI if keyed, else Anthropic if keyed, else the offline answerer
    coach_provider: Literal["auto", "offline", "openai", "anthropic"] = "auto"
    coach_openai_model: str = "gpt-4o-mini"
    coach_anthropic_model: str = "claude-3-5-haiku-latest"
    coach_max_reply_tokens: int = 800  # longest reply asked of a provider
    coach_history_turns: int = 12  # earlier messages sent with a question
    coach_monthly_token_budget: int = 200_000  # provider tokens (in + out) per user per calendar month
    coach_messages_per_minute: int = 6  # questions one user may send per minute
    coach_messages_per_day: int = 200
    coach_transcriptions_per_hour: int = 60
    coach_retention_days: int = 365  # conversations untouched this long are deleted (beat, daily)
    coach_stt_provider: Literal["auto", "offline", "openai"] = "auto"  # auto: openai with a key
    coach_audio_max_bytes: int = 8 * 1024 * 1024  # largest voice question upload
    coach_audio_max_seconds: float = 60.0  # longest voice question
    coach_transcribe_wait_seconds: float = 4.0  # the request waits this long for a short transcript
    coach_stream_flush_seconds: float = 0.05  # tokens are published in batches at most this old
    coach_store_every_seconds: float = 0.5  # the growing reply is written to its row this often
    coach_reply_lease_seconds: int = 60  # a streaming reply without progress this long is reaped
    coach_reply_lost_seconds: int = 90  # a reply still pending this long had its message lost
    coach_reply_max_runs: int = 3  # runs of one reply before the reaper fails it

    extra_cors_origins: list[str] = Field(default_factory=list)
    sse_max_streams_per_user: int = 5  # live progress streams one user may hold open at once

    # --- analytics (issue 17 part 4: beacons, watch progress, rollups; app/analytics)
    analytics_token_grace_seconds: int = 6 * 3600  # an expired playback token still vouches for beacons
    analytics_beacon_batches_per_minute: int = 120  # beacon batches one client address may send
    analytics_beacon_retention_days: int = 400  # raw beacons older than this are deleted (rollups stay)

    # --- ops
    backup_dir: Path | None = None  # local backup store; default var/backups
    backup_prefix: str = "backups/"  # key prefix when backups go to object storage
    backup_bucket: str = ""  # S3 bucket for backups; empty = S3_BUCKET (under BACKUP_PREFIX)
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    media_signing_secret: SecretStr | None = None  # nginx secure_link secret (nginx/README.md)
    worker_metrics_port: int = 0  # >0: Celery workers serve Prometheus /metrics here
    # jobs (media processing, studio analysis): a running job's worker writes its heartbeat this
    # often, whatever the job is doing; a queued job not started this long is enqueued again
    job_heartbeat_seconds: float = 15.0
    job_lost_after_seconds: int = 1800

    # --- studio (pose feedback: references and attempts, app/studio)
    studio_reference_min_seconds: float = 0.5  # shortest reference range
    studio_reference_max_seconds: float = 30.0  # longest reference range
    studio_reference_margin_seconds: float = 1.0  # decoded around the range so tracking settles
    studio_attempt_max_bytes: int = 500 * 1024 * 1024  # largest attempt upload
    studio_attempt_max_seconds: float = 120.0  # longest attempt video analysed
    studio_upload_part_size: int = 16 * 1024 * 1024  # multipart part size (S3 minimum is 5 MiB)
    studio_target_fps: float = 30.0  # frames sampled per second for skeletons (0 = every frame)
    studio_report_url_ttl_seconds: int = 900  # presigned GETs of overlay/plots on a report
    studio_job_timeout_seconds: int = 45  # running without a heartbeat this long -> requeued
    studio_job_max_runs: int = 3  # runs (first + requeues) before a job is failed for good
    studio_reaper_interval_seconds: int = 20  # how often beat runs the studio reaper
    studio_attempts_per_hour: int = 30  # attempt uploads a user may start per hour
    studio_upload_abandon_seconds: int = 86400  # unfinished attempt uploads older than this: aborted, failed

    # --- media
    media_max_upload_bytes: int = 4 * 1024**3  # largest accepted upload (4 GiB)
    media_part_size_bytes: int = 16 * 1024**2  # multipart part size handed to clients
    media_max_duration_seconds: float = 4 * 3600.0
    media_max_width: int = 4096  # checked in either orientation
    media_max_height: int = 4096
    media_segment_seconds: int = 6  # HLS segment length (4-6 s)
    media_max_rendition: int = 1080  # top rung of the ladder (never upscaled)
    media_trailer_seconds: int = 15  # automatic trailer: the first N seconds; 0 = none
    media_trailer_max_share: float = Field(default=0.2, ge=0.0, le=1.0)  # longest trailer / video
    media_trailer_min_video_seconds: float = 60.0  # shorter videos get no automatic trailer
    media_signer: Literal["auto", "embedded", "nginx", "cloudfront"] = "auto"
    media_public_base_url: str = ""  # where /media/ is served (nginx host); empty = APP_BASE_URL
    media_playback_ttl_seconds: int = (
        900  # token/cookie covering playlists (+ segments: embedded, CloudFront)
    )
    media_segment_link_ttl_seconds: int = (
        600  # nginx-signed segment links in a served playlist live this long
    )
    media_segment_link_bucket_seconds: int = 60  # ... rounded up to this, so playlists are shared and cached
    media_access_recheck_ttl_seconds: int = 60  # a playlist's entitlement re-check is cached this long
    media_playlist_cache_bytes: int = 64 * 1024**2  # rewritten playlists kept in each API process
    media_playlist_ttl_seconds: int = 300  # signed master-playlist URL
    # --- media at the edge (issue 20): where nginx-mode playlists are served from
    # "edge": nginx serves /media/t/<token>/<key> (playlists and segments) itself, asking the app
    # GET /api/v1/media/edge-auth once per (token, directory) and reusing the answer for
    # MEDIA_EDGE_AUTH_TTL_SECONDS; "app": the app serves playlists under /api/v1/media/t/ with
    # each segment line nginx-signed (for an nginx without auth_request).
    media_nginx_playlists: Literal["edge", "app"] = "edge"
    media_edge_auth_ttl_seconds: int = Field(default=5, ge=0, le=60)  # the window a refund may take
    # ... and, only while the app cannot answer (5xx, time-out), how much longer nginx keeps its
    # last answer (never past the token): viewers keep playing through an API overload
    media_edge_auth_grace_seconds: int = Field(default=60, ge=0, le=600)
    media_job_stale_seconds: int = 45  # reaper requeues a running job whose heartbeat is older
    media_reaper_interval_seconds: int = 20  # how often beat runs the media reaper
    media_job_max_attempts: int = 3
    media_upload_abandon_seconds: int = 86400  # unfinished uploads older than this: aborted, back to draft
    media_reports_auto_hide: int = 3  # open trusted reports that hide a published video; 0 = never
    media_report_trusted_after_hours: int = 72  # a verified account this old reports "trusted"
    media_catalog_cache_ttl_seconds: int = 60  # catalog pages (then served stale while one refreshes)
    media_search_cache_ttl_seconds: int = 15  # catalog pages with a search text `q`
    cloudfront_domain: str = ""  # e.g. d111111abcdef8.cloudfront.net (or a CNAME)
    cloudfront_key_pair_id: str = ""  # public key id of the trusted key group
    cloudfront_private_key: SecretStr | None = None  # PEM (RSA); or CLOUDFRONT_PRIVATE_KEY_FILE
    cloudfront_private_key_file: Path | None = None
    cloudfront_cookie_domain: str = ""  # Domain= of the signed cookies; empty = host-only
    # --- notifications, your data, outbound webhooks (issue 17: app/notifications, app/privacy,
    # app/webhooks) ---
    notify_digest_threshold: int = 3  # more emails of one kind than this within an hour: one digest
    notify_digest_window_seconds: int = 3600
    notify_reminder_interval_minutes: int = 5  # beat: practice reminders due are sent this often
    expo_push_enabled: bool = False  # send push notifications through Expo's push service
    expo_push_url: str = "https://exp.host/--/api/v2/push/send"
    expo_access_token: SecretStr | None = None  # optional (Expo "enhanced push security")
    privacy_erasure_grace_days: int = 14  # DELETE /me takes effect after this many days (cancel before)
    privacy_export_link_ttl_seconds: int = 7 * 86400  # the emailed link to an export zip
    privacy_export_keep_days: int = 30  # export zips are deleted after this
    webhooks_allow_private_targets: bool = False  # tests/dev: deliver to loopback/private addresses
    webhooks_max_attempts: int = 8  # exponential backoff: 30 s, 1 min, 2 min ... then given up
    webhooks_timeout_seconds: float = 10.0
    # --- end issue 17 ---

    @model_validator(mode="after")
    def _resolve_secret_key(self) -> Settings:
        secret = self.secret_key.get_secret_value()
        if secret in PUBLISHED_SECRETS:
            raise ValueError(
                "SECRET_KEY is a value published in the repository; remove it (a random one is then "
                "generated into VAR_DIR/secret_key) or set a random value of 32+ characters"
            )
        if not secret and self.app_env != "production":
            self.secret_key = SecretStr(load_or_create_secret(self.var_dir / "secret_key"))
        return self

    @computed_field  # type: ignore[prop-decorator]
    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite+aiosqlite:///{self.var_dir / 'mamc.db'}"

    @property
    def sync_database_url(self) -> str:
        """The same database for synchronous callers (workers, Alembic, CLI)."""
        url = self.effective_database_url
        return url.replace("+aiosqlite", "").replace("+asyncpg", "+psycopg")

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def effective_broker_url(self) -> str:
        if self.celery_broker_url:
            return self.celery_broker_url
        if self.redis_url:
            return self.redis_url
        return "filesystem://"

    @property
    def broker_dir(self) -> Path:
        return self.var_dir / "broker"

    @property
    def storage_dir(self) -> Path:
        return self.local_storage_dir or (self.var_dir / "objects")

    @property
    def effective_outbox_dir(self) -> Path:
        return self.outbox_dir or (self.var_dir / "outbox")

    @property
    def uses_s3(self) -> bool:
        return bool(self.s3_bucket)

    @property
    def effective_media_signer(self) -> Literal["embedded", "nginx", "cloudfront"]:
        """Who signs playback URLs: MEDIA_SIGNER, or with "auto" CloudFront when configured, else
        nginx when MEDIA_SIGNING_SECRET is set, else the app itself (embedded)."""
        if self.media_signer != "auto":
            return self.media_signer
        if self.cloudfront_domain and self.cloudfront_key_pair_id:
            return "cloudfront"
        if self.media_signing_secret is not None:
            return "nginx"
        return "embedded"


# Secrets that were ever shipped in this repository: anyone can sign with them, so no environment
# accepts them.
PUBLISHED_SECRETS = frozenset({"dev-insecure-change-me-0123456789abcdef"})


def load_or_create_secret(path: Path) -> str:
    """The secret kept at `path`; the first caller creates it (random, mode 0600). Processes that
    start together (API, worker, beat) agree: the file appears atomically, and only once."""
    with contextlib.suppress(FileNotFoundError):
        existing = path.read_text().strip()
        if existing:
            return existing
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        with contextlib.suppress(FileExistsError):
            os.link(draft, path)  # atomic; a racing process that linked first wins
    finally:
        draft.unlink(missing_ok=True)
    return path.read_text().strip()


def check_production_safety(settings: Settings) -> None:
    """Refuse to run production on development defaults that would be unsafe."""
    if settings.app_env != "production":
        return
    secret = settings.secret_key.get_secret_value()
    if secret in PUBLISHED_SECRETS or len(secret) < 32:
        raise RuntimeError("SECRET_KEY must be set to a random value of 32+ characters in production")
    if settings.forwarded_allow_ips.strip() == "*":
        raise RuntimeError(
            "FORWARDED_ALLOW_IPS='*' lets any client choose its address; list your proxies in production"
        )
    if settings.webhooks_allow_private_targets:  # issue 17: outbound webhooks' SSRF guard
        raise RuntimeError("WEBHOOKS_ALLOW_PRIVATE_TARGETS would let webhooks reach the internal network")


def _is_set(secret: SecretStr | None) -> bool:
    return secret is not None and bool(secret.get_secret_value())


def check_production_services(settings: Settings) -> None:
    """Refuse to run production on the embedded stand-ins of outside services: the payment
    sandbox (anyone could "pay"), the email outbox (mails never leave the server) and the app
    signing and serving media itself."""
    if settings.app_env != "production":
        return
    problems = []
    if not _is_set(settings.stripe_secret_key):
        problems.append("STRIPE_SECRET_KEY (without it payments run in the sandbox)")
    if not _is_set(settings.stripe_webhook_secret):
        problems.append("STRIPE_WEBHOOK_SECRET (Stripe's signing secret of the webhook endpoint)")
    if not _is_set(settings.sendgrid_api_key):
        problems.append("SENDGRID_API_KEY (without it mails only reach var/outbox)")
    if settings.effective_media_signer == "embedded":
        problems.append(
            "MEDIA_SIGNER nginx or cloudfront (set MEDIA_SIGNING_SECRET or CLOUDFRONT_*; "
            "the embedded signer is for development)"
        )
    if problems:
        raise RuntimeError("production needs " + "; ".join(problems))


@lru_cache
def get_settings() -> Settings:
    settings = Settings()
    check_production_safety(settings)
    check_production_services(settings)
    return settings
