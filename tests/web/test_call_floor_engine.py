"""The calling floor as the dialer sees it, in a real Chromium: a caller whose page is gone is
paused then ended and nobody is put through to them; stopping while a power dial rings
abandons nobody; a running campaign's new dialing mode applies without a restart."""

import sqlite3
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from tests.servers import FAST_WORLD, Server
from tests.web.conftest import screenshot_path

LAPTOP = {"width": 1280, "height": 800}
# A page gone 2 s is paused; 6 s, its session ends (15 s and 120 s by default).
PRESENCE = {
    "PHONEBANK_CALLER_PRESENCE_TIMEOUT_SECONDS": "2",
    "PHONEBANK_CALLER_ABSENT_END_SECONDS": "6",
}
# Phones ring 6 s or more before anyone answers: time to stop calling while a dial rings.
SLOW_ANSWER_WORLD = {**FAST_WORLD, "human_ring_mean_seconds": 9.0, "human_ring_min_seconds": 6.0}


def _serve(tmp_path: Path, world: dict[str, object]) -> Iterator[Server]:
    running = Server(tmp_path / "floor.db", tmp_path / "server.log", world, env=PRESENCE)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def floor(tmp_path: Path) -> Iterator[Server]:
    """The demo with presence timeouts of seconds, and people who answer at once."""
    yield from _serve(tmp_path, FAST_WORLD)


@pytest.fixture
def slow_floor(tmp_path: Path) -> Iterator[Server]:
    """The demo with presence timeouts of seconds, and phones that ring a while."""
    yield from _serve(tmp_path, SLOW_ANSWER_WORLD)


def _rows(server: Server, query: str, *args: object) -> list[tuple[Any, ...]]:
    with sqlite3.connect(server.database) as db:
        return db.execute(query, args).fetchall()


_SESSION = (
    "SELECT s.state, s.end_reason, s.caller_id FROM caller_sessions s"
    " JOIN callers c ON c.id = s.caller_id WHERE c.email = ? ORDER BY s.started_at DESC LIMIT 1"
)


def _session(server: Server) -> tuple[str, str | None, str]:
    [(state, reason, caller_id)] = _rows(server, _SESSION, DEMO_CALLER_EMAIL)
    return state, reason, caller_id


def _put_through_after(server: Server, caller_id: str, moment: datetime) -> list[datetime]:
    """When people were put through to the caller after `moment` (stored as UTC)."""
    rows = _rows(
        server,
        "SELECT bridged_at FROM attempts WHERE caller_id = ? AND bridged_at IS NOT NULL",
        caller_id,
    )
    bridged = [datetime.fromisoformat(row[0]).replace(tzinfo=UTC) for row in rows]
    return [at for at in bridged if at > moment]


def _wait(what: str, check: Any, server: Server, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.1)
    raise AssertionError(f"timed out waiting for {what}:\n{server.log.read_text()[-4000:]}")


def _start_calling(browser: Browser, server: Server) -> Page:
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.goto(f"{server.base_url}/call")
    page.get_by_label("Email").first.fill(DEMO_CALLER_EMAIL)
    page.get_by_label("Password").fill(DEMO_CALLER_PASSWORD)
    page.get_by_role("button", name="Log in").first.click()
    page.get_by_role("button", name="Start calling: Library reopening").click()
    expect(page.locator("#state")).not_to_have_attribute("data-state", "", timeout=15_000)
    return page


def test_closing_the_tab_pauses_then_ends_the_session_and_nobody_is_put_through(
    floor: Server, browser: Browser
) -> None:
    page = _start_calling(browser, floor)
    expect(page.locator("#state")).to_have_attribute("data-state", "connected", timeout=30_000)
    time.sleep(2)  # they talk a little
    page.context.close()  # then close the tab mid-call

    _wait("the session to pause", lambda: _session(floor)[0] == "paused", floor)
    paused_at = datetime.now(UTC)
    caller_id = _session(floor)[2]
    _wait("the session to end", lambda: _session(floor)[0] == "ended", floor)
    assert _session(floor)[1] == "absent"
    time.sleep(3)  # people keep answering meanwhile (everyone answers at once here)
    assert _put_through_after(floor, caller_id, paused_at) == []
    # The call they were on was hung up (and recorded), not left talking to nobody.
    outcomes = _rows(floor, "SELECT outcome FROM attempts WHERE caller_id = ?", caller_id)
    assert ("human",) in outcomes


def test_logging_out_leaves_the_session_and_nobody_is_put_through(
    floor: Server, browser: Browser
) -> None:
    page = _start_calling(browser, floor)
    expect(page.locator("#state")).to_have_attribute("data-state", "connected", timeout=30_000)
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("button", name="Log in").first).to_be_visible()

    _wait("the session to end", lambda: _session(floor)[0] == "ended", floor, seconds=5)
    ended_at = datetime.now(UTC)
    caller_id = _session(floor)[2]
    time.sleep(3)
    assert _put_through_after(floor, caller_id, ended_at) == []
    page.context.close()


def test_stopping_while_a_power_dial_rings_abandons_nobody(
    slow_floor: Server, browser: Browser
) -> None:
    page = _start_calling(browser, slow_floor)
    ringing = "SELECT count(*) FROM attempts WHERE carrier_call_id IS NOT NULL AND outcome IS NULL"
    _wait("a dial to ring", lambda: _rows(slow_floor, ringing) != [(0,)], slow_floor)
    page.get_by_role("button", name="Stop calling").click()
    expect(page.locator("#campaigns")).to_be_visible()

    # Past the longest ring: the dial was hung up before anyone answered it.
    _wait("the dial to end", lambda: _rows(slow_floor, ringing) == [(0,)], slow_floor)
    time.sleep(2)
    outcomes = {row[0] for row in _rows(slow_floor, "SELECT outcome FROM attempts")}
    assert "abandoned" not in outcomes
    assert "cancelled" in outcomes
    page.context.close()


def test_a_running_campaigns_new_dialing_mode_applies_without_a_restart(
    floor: Server, browser: Browser
) -> None:
    with floor.api() as admin:
        campaign = admin.get("/api/v1/campaigns", params={"status": "started"}).json()["items"][0]
        assert campaign["dialing_mode"] == "power"
        changed = admin.patch(
            f"/api/v1/campaigns/{campaign['id']}", json={"dialing_mode": "preview"}
        )
        assert changed.status_code == 200, changed.text

    page = _start_calling(browser, floor)
    expect(page.locator("#state")).to_have_attribute("data-state", "previewing", timeout=10_000)
    expect(page.locator("#preview-actions")).to_be_visible()
    page.screenshot(path=screenshot_path("call-floor-preview-after-mode-change.png"))
    page.locator("#dial").click()
    expect(page.locator("#state")).to_have_attribute("data-state", "connected", timeout=30_000)
    page.context.close()


@pytest.fixture
def short_wrap_floor(tmp_path: Path) -> Iterator[Server]:
    """The demo whose callers are paused after 3 s of wrap-up."""
    running = Server(
        tmp_path / "floor.db",
        tmp_path / "server.log",
        FAST_WORLD,
        env={**PRESENCE, "PHONEBANK_WRAP_UP_MAX_SECONDS": "3"},
    )
    running.start()
    try:
        yield running
    finally:
        running.stop()


def test_a_wrap_up_past_its_maximum_pauses_and_the_page_still_saves_the_result(
    short_wrap_floor: Server, browser: Browser
) -> None:
    page = _start_calling(browser, short_wrap_floor)
    expect(page.locator("#state")).to_have_attribute("data-state", "connected", timeout=30_000)
    page.locator("#hangup").click()
    expect(page.locator("#state")).to_have_attribute("data-state", "wrap_up", timeout=10_000)
    name = page.locator("#contact-name").inner_text()
    expect(page.locator("#state")).to_have_attribute("data-state", "paused", timeout=15_000)
    # The result is still due: the form stays, with the contact, and saves.
    expect(page.locator("#script")).to_be_visible()
    page.screenshot(path=screenshot_path("call-floor-paused-after-wrap-up.png"))
    page.locator('input[name="disposition"][value="wrong_number"]').check()
    page.locator("#save-stop").click()
    expect(page.locator("#campaigns")).to_be_visible(timeout=10_000)
    results = _rows(short_wrap_floor, "SELECT disposition FROM results")
    assert ("wrong_number",) in results, (name, results)
    page.context.close()
