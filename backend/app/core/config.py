"""One Settings object for the API, the workers and the CLI.

Every field is documented in .env.example with its default. Unset outside services fall back to
embedded defaults: SQLite, a local object store, a filesystem Celery broker, in-process cache and
rate limits, a console/file email outbox, sandbox payments and offline AI.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, computed_field
from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parents[3]


class Settings(BaseSettings):
    model_config = SettingsConfigDict(
        env_file=(REPO_ROOT / ".env"), env_file_encoding="utf-8", extra="ignore"
    )

    # --- application
    app_env: Literal["development", "test", "production"] = "development"
    app_base_url: str = "http://127.0.0.1:8000"
    secret_key: SecretStr = SecretStr("dev-insecure-change-me-0123456789abcdef")
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
    celery_broker_url: str = ""
    celery_task_always_eager: bool = False

    # --- auth
    access_token_ttl_seconds: int = 900
    refresh_token_ttl_days: int = 30
    email_token_ttl_hours: int = 48
    password_reset_ttl_minutes: int = 60
    password_min_length: int = 10

    # --- rate limits (requests per window)
    rate_limit_enabled: bool = True
    rate_limit_login_per_ip: int = 20
    rate_limit_login_per_account: int = 10
    rate_limit_register_per_ip: int = 10
    rate_limit_window_seconds: int = 60

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

    # --- AI
    openai_api_key: SecretStr | None = None
    anthropic_api_key: SecretStr | None = None

    extra_cors_origins: list[str] = Field(default_factory=list)

    # --- ops
    backup_dir: Path | None = None  # local backup store; default var/backups
    backup_prefix: str = "backups/"  # key prefix when backups go to object storage
    backup_bucket: str = ""  # S3 bucket for backups; empty = S3_BUCKET (under BACKUP_PREFIX)
    backup_keep_daily: int = 7
    backup_keep_weekly: int = 4
    media_signing_secret: SecretStr | None = None  # nginx secure_link secret (nginx/README.md)

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


@lru_cache
def get_settings() -> Settings:
    return Settings()
