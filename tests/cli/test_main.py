"""The `phonebank` command, run as a real process against a scratch SQLite file."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest


def phonebank(database: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run `phonebank ARGS` with its own database file."""
    env = {**os.environ, "PHONEBANK_DATABASE_URL": f"sqlite+aiosqlite:///{database}"}
    return subprocess.run(
        [sys.executable, "-m", "phonebank.cli.main", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.fixture
def database(tmp_path: Path) -> Path:
    """A migrated scratch database."""
    path = tmp_path / "cli.db"
    upgraded = phonebank(path, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    return path


def test_bootstrap_prints_json_and_apikey_create(database: Path) -> None:
    boot = phonebank(database, "bootstrap", "--org", "Acme", "--json")
    assert boot.returncode == 0, boot.stderr
    created = json.loads(boot.stdout)
    assert set(created) == {"organization_id", "api_key"}
    assert created["api_key"].startswith("pb_")

    key = phonebank(
        database,
        "apikey",
        "create",
        "--org",
        created["organization_id"],
        "--scopes",
        "calls:read,people:read",
        "--json",
    )
    assert key.returncode == 0, key.stderr
    assert json.loads(key.stdout)["scopes"] == ["calls:read", "people:read"]


def test_apikey_create_refuses_unknown_scope_and_org(database: Path) -> None:
    bad_scope = phonebank(
        database,
        "apikey",
        "create",
        "--org",
        "00000000-0000-0000-0000-000000000000",
        "--scopes",
        "calls:everything",
    )
    assert bad_scope.returncode != 0 and "known scopes" in bad_scope.stderr
    no_org = phonebank(
        database,
        "apikey",
        "create",
        "--org",
        "00000000-0000-0000-0000-000000000000",
        "--scopes",
        "admin",
    )
    assert no_org.returncode == 1 and "no organization" in no_org.stderr
