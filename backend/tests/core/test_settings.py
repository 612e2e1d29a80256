from __future__ import annotations

import re

import pytest

from app.core.config import REPO_ROOT, Settings, check_production_safety


def test_every_setting_is_documented_in_env_example() -> None:
    text = (REPO_ROOT / ".env.example").read_text()
    documented = set(re.findall(r"^#?\s*([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))
    missing = sorted(name.upper() for name in Settings.model_fields if name.upper() not in documented)
    assert missing == [], f"add these to .env.example: {missing}"


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Settings as a newcomer's shell would give them: none of the test run's variables."""
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


@pytest.mark.usefixtures("clean_env")
def test_embedded_defaults_need_no_outside_service() -> None:
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.effective_database_url.startswith("sqlite+aiosqlite:///")
    assert settings.effective_broker_url == "filesystem://"
    assert not settings.uses_s3 and settings.sendgrid_api_key is None


def test_database_and_redis_urls_switch_to_the_real_services() -> None:
    settings = Settings(
        _env_file=None,  # type: ignore[call-arg]
        database_url="postgresql+psycopg://u@db:5432/mamc",
        redis_url="redis://cache:6379/0",
    )
    assert settings.sync_database_url == "postgresql+psycopg://u@db:5432/mamc"
    assert settings.effective_broker_url == "redis://cache:6379/0"


@pytest.mark.usefixtures("clean_env")
def test_production_refuses_the_development_secret() -> None:
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_safety(Settings(_env_file=None, app_env="production"))  # type: ignore[call-arg]
    check_production_safety(Settings(_env_file=None, app_env="production", secret_key="x" * 40))  # type: ignore[call-arg, arg-type]
