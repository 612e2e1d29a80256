"""Backups use the pg_dump/pg_restore of the server's major version: an older client refuses a
newer server (the image's Debian pg_dump 15 against postgres:16 made every nightly backup fail)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from app.core.config import Settings
from app.ops import service


def _fake_client(root: Path, major: int, tool: str = "pg_dump") -> Path:
    """A stand-in for Debian's /usr/lib/postgresql/<major>/bin/<tool> (answers --version only)."""
    binary = root / str(major) / "bin" / tool
    binary.parent.mkdir(parents=True, exist_ok=True)
    binary.write_text(f"#!/bin/sh\necho '{tool} (PostgreSQL) {major}.4 (Debian {major}.4-1.pgdg120+1)'\n")
    binary.chmod(0o755)
    return binary


def test_the_client_of_the_servers_major_is_chosen_else_the_oldest_newer_one(tmp_path: Path) -> None:
    fifteen, sixteen = _fake_client(tmp_path, 15), _fake_client(tmp_path, 16)
    kwargs = {"lib_dirs": (tmp_path,), "search_path": False}
    assert service.find_pg_tool("pg_dump", 16, **kwargs) == str(sixteen)  # type: ignore[arg-type]
    assert service.find_pg_tool("pg_dump", 15, **kwargs) == str(fifteen)  # type: ignore[arg-type]
    assert service.find_pg_tool("pg_dump", 14, **kwargs) == str(fifteen)  # type: ignore[arg-type]


def test_only_an_older_client_is_a_clear_error_naming_the_package(tmp_path: Path) -> None:
    _fake_client(tmp_path, 15)
    with pytest.raises(service.BackupError) as refused:
        service.find_pg_tool("pg_dump", 16, lib_dirs=(tmp_path,), search_path=False)
    assert "install postgresql-client-16" in str(refused.value) and "found: 15" in str(refused.value)


def test_this_machines_server_gets_a_pg_dump_of_its_own_major(settings: Settings) -> None:
    if settings.is_sqlite:
        pytest.skip("PostgreSQL profile only")
    db = service.Database.from_url(settings.sync_database_url)
    major = service.server_major(db)
    chosen = service.find_pg_tool("pg_dump", major)
    assert service.tool_major(chosen) == major
    assert os.access(chosen, os.X_OK)
