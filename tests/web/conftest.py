"""Browser fixtures: a real `phonebank serve --demo` process and Debian's Chromium.

The server runs on its own SQLite file with a simulated world where every contact answers
quickly and talks long, so a caller is connected within seconds and hangs up themselves.
"""

import json
import os
import re
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import Browser, sync_playwright

ARTIFACTS = Path(os.environ.get("PHONEBANK_TEST_ARTIFACTS", "test-artifacts"))
FAST_WORLD = {
    "human_share": 1.0,
    "machine_share": 0.0,
    "busy_share": 0.0,
    "no_answer_share": 0.0,
    "failed_share": 0.0,
    "human_ring_mean_seconds": 1.0,
    "human_ring_min_seconds": 0.3,
    "ringing_seconds": [0.1, 0.2],
    "talk_mean_seconds": 900.0,
}


@dataclass
class Server:
    """A running server and what its banner printed."""

    base_url: str
    api_key: str
    log: Path

    def api(self) -> httpx.Client:
        """A client with the demo's admin key."""
        return httpx.Client(
            base_url=self.base_url, headers={"Authorization": f"Bearer {self.api_key}"}, timeout=10
        )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`phonebank serve --demo` on a free port, stopped after the test."""
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "PHONEBANK_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pages.db'}",
        "PHONEBANK_SIMULATED_CARRIER": json.dumps(FAST_WORLD),
        "COLUMNS": "300",
    }
    env.pop("PHONEBANK_TEST_DATABASE_URL", None)
    with log.open("w") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "phonebank.cli.main", "serve", "--demo", "--port", str(port)],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline:
            if process.poll() is not None:
                raise RuntimeError(f"server exited:\n{log.read_text()}")
            try:
                if httpx.get(f"{base}/healthz", timeout=1).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.3)
        else:
            raise RuntimeError(f"server did not start:\n{log.read_text()}")
        match = re.search(r"Admin API key \(new at every start\): (pb_\S+)", log.read_text())
        assert match, log.read_text()
        yield Server(base, match.group(1), log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()


def chromium_path() -> str:
    """Debian's Chromium (`make test` installs it where it is missing)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: run `make browser` (part of `make test`)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    """A headless Chromium for the whole run."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield browser
        browser.close()


def screenshot_path(name: str) -> Path:
    """Where a test saves a screenshot for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
