"""No constant secret: an unset SECRET_KEY is generated once per installation and kept in var/;
every other signing key is derived from it (issue 11, item 1)."""

from __future__ import annotations

import stat
import threading
import uuid
from pathlib import Path

import jwt
import pytest

from app.commerce.gateway import webhook_secret
from app.core.config import PUBLISHED_SECRETS, Settings, check_production_safety, load_or_create_secret
from app.core.errors import NotAuthenticated
from app.core.security import decode_access_token, derive_key

PUBLISHED = "dev-insecure-change-me-0123456789abcdef"  # the value the repository used to ship


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in Settings.model_fields:
        monkeypatch.delenv(name.upper(), raising=False)


def _embedded(var_dir: Path) -> Settings:
    return Settings(_env_file=None, var_dir=var_dir)  # type: ignore[call-arg]


@pytest.mark.usefixtures("clean_env")
def test_an_unset_secret_is_generated_on_first_run_and_kept_in_var(tmp_path: Path) -> None:
    first = _embedded(tmp_path).secret_key.get_secret_value()
    kept = tmp_path / "secret_key"
    assert kept.read_text().strip() == first
    assert stat.S_IMODE(kept.stat().st_mode) == 0o600
    assert len(first) >= 43 and first not in PUBLISHED_SECRETS
    assert _embedded(tmp_path).secret_key.get_secret_value() == first  # a restart keeps it
    assert _embedded(tmp_path / "elsewhere").secret_key.get_secret_value() != first


@pytest.mark.usefixtures("clean_env")
def test_processes_starting_together_agree_on_one_secret(tmp_path: Path) -> None:
    path = tmp_path / "secret_key"
    found: list[str] = []
    threads = [threading.Thread(target=lambda: found.append(load_or_create_secret(path))) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(set(found)) == 1 and found[0] == path.read_text().strip()
    assert [p.name for p in tmp_path.iterdir()] == ["secret_key"]  # no drafts left behind


@pytest.mark.usefixtures("clean_env")
def test_an_admin_token_forged_with_the_published_key_is_refused(tmp_path: Path) -> None:
    settings = _embedded(tmp_path)  # a deployment that never set SECRET_KEY
    forged = jwt.encode(
        {"sub": str(uuid.uuid4()), "role": "admin", "typ": "access", "iat": 1, "exp": 4_102_444_800},
        PUBLISHED,
        algorithm="HS256",
    )
    with pytest.raises(NotAuthenticated):
        decode_access_token(settings, forged)


@pytest.mark.usefixtures("clean_env")
def test_the_sandbox_webhook_secret_is_not_derivable_from_a_published_value(tmp_path: Path) -> None:
    settings = _embedded(tmp_path)
    from_published = Settings(_env_file=None, var_dir=tmp_path, secret_key="x" * 40)  # type: ignore[call-arg, arg-type]
    from_published.secret_key = type(from_published.secret_key)(PUBLISHED)
    assert webhook_secret(settings) != webhook_secret(from_published)
    assert webhook_secret(settings).startswith("whsec_sandbox_")
    assert webhook_secret(settings) == webhook_secret(_embedded(tmp_path))  # stable across restarts


@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize("env", ["development", "test", "production"])
def test_the_published_secret_is_refused_in_every_environment(tmp_path: Path, env: str) -> None:
    with pytest.raises(ValueError, match="SECRET_KEY"):
        Settings(_env_file=None, var_dir=tmp_path, app_env=env, secret_key=PUBLISHED)  # type: ignore[call-arg, arg-type]


@pytest.mark.usefixtures("clean_env")
def test_production_never_generates_a_secret_and_refuses_to_start_without_one(tmp_path: Path) -> None:
    settings = Settings(_env_file=None, var_dir=tmp_path, app_env="production")  # type: ignore[call-arg]
    assert not (tmp_path / "secret_key").exists()
    with pytest.raises(RuntimeError, match="SECRET_KEY"):
        check_production_safety(settings)


def test_derived_keys_differ_per_purpose_and_follow_the_secret(tmp_path: Path) -> None:
    one = Settings(_env_file=None, var_dir=tmp_path, secret_key="a" * 40)  # type: ignore[call-arg, arg-type]
    two = Settings(_env_file=None, var_dir=tmp_path, secret_key="b" * 40)  # type: ignore[call-arg, arg-type]
    assert derive_key(one, "stripe-sandbox-webhook") != derive_key(one, "other-purpose")
    assert derive_key(one, "stripe-sandbox-webhook") != derive_key(two, "stripe-sandbox-webhook")


def test_every_signing_key_follows_the_secret(tmp_path: Path) -> None:
    """Media tokens, local-store URLs and the sandbox's webhooks are all signed with keys derived
    from SECRET_KEY: two installations never accept each other's signatures."""
    from app.core.storage import build_object_store
    from app.media.signing import media_tokens

    one = Settings(_env_file=None, var_dir=tmp_path, secret_key="a" * 40)  # type: ignore[call-arg, arg-type]
    two = Settings(_env_file=None, var_dir=tmp_path, secret_key="b" * 40)  # type: ignore[call-arg, arg-type]
    token = media_tokens(one).issue("videos/v1/", 4_102_444_800)
    assert media_tokens(one).verify(token, "videos/v1/master.m3u8")[0] == "videos/v1/"
    with pytest.raises(Exception, match="not valid"):
        media_tokens(two).verify(token, "videos/v1/master.m3u8")
    assert build_object_store(one)._secret != build_object_store(two)._secret  # type: ignore[attr-defined]
    assert webhook_secret(one) != webhook_secret(two)
