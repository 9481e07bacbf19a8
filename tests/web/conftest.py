"""Browser fixtures: a real `phonebank serve --demo` process and Debian's Chromium.

The server runs on its own SQLite file with a simulated world where every contact answers
quickly and talks long, so a caller is connected within seconds and hangs up themselves.
"""

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, sync_playwright

from tests.servers import FAST_WORLD, Server

ARTIFACTS = Path(os.environ.get("PHONEBANK_TEST_ARTIFACTS", "test-artifacts"))


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """`phonebank serve --demo` on a free port with a fast world, stopped after the test."""
    running = Server(database=tmp_path / "pages.db", log=tmp_path / "server.log", world=FAST_WORLD)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def chromium_path() -> str:
    """Debian's Chromium (`make test` installs it where it is missing)."""
    path = shutil.which("chromium") or shutil.which("chromium-browser")
    if path is None:
        pytest.fail("Chromium is not installed: run `make browser` (part of `make test`)")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """A headless Chromium for a module's tests (closed after: its loop must not outlive them)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path(), headless=True)
        yield browser
        browser.close()


def screenshot_path(name: str) -> Path:
    """Where a test saves a screenshot for people to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    return ARTIFACTS / name
