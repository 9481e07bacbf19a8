"""The `phonebank` command, run as a real process against a scratch SQLite file."""

import json
import os
import socket
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


def test_version(tmp_path: Path) -> None:
    from phonebank import __version__

    shown = phonebank(tmp_path / "unused.db", "--version")
    assert shown.returncode == 0, shown.stderr
    assert shown.stdout.strip() == f"phonebank {__version__}"


def test_serve_on_a_taken_port_says_so_before_anything_is_ready(tmp_path: Path) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        served = phonebank(tmp_path / "demo.db", "serve", "--demo", "--port", str(port))
    assert served.returncode == 1
    assert f"cannot listen on 127.0.0.1:{port}" in served.stderr
    assert "--port" in served.stderr
    assert "is ready" not in served.stdout + served.stderr
    # Nothing was set up for a server that could not start.
    assert not (tmp_path / "demo.db").exists()
