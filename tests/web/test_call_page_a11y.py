"""axe-core over /call in each of its states, at a laptop's and a phone's size."""

from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from tests.servers import Server
from tests.web.call_page import (
    CONNECT_TIMEOUT_MS,
    LAPTOP,
    PHONE,
    assert_accessible,
    campaign_action,
    demo_campaign,
    log_in,
    start_calling,
    wait_connected,
    wait_state,
)
from tests.web.conftest import screenshot_path
from tests.web.test_call_page import busy_server, preview_campaign

__all__ = ["busy_server"]  # a fixture of this module too

SIZES = {"laptop": LAPTOP, "phone": PHONE}


@pytest.mark.parametrize("size", SIZES)
def test_every_state_of_the_call_page_passes_axe(
    server: Server, browser: Browser, size: str
) -> None:
    """Login, campaign list, connected, wrap-up, waiting and paused: no axe-core violation."""
    page = browser.new_context(viewport=SIZES[size]).new_page()

    def check(state: str) -> None:
        page.screenshot(path=screenshot_path(f"call-{state}-{size}.png"), full_page=True)
        assert_accessible(page, state)

    page.goto(f"{server.base_url}/call")
    expect(page.locator("#login")).to_be_visible()
    check("login")
    page.get_by_role("tab", name="Access code and PIN").click()
    expect(page.get_by_role("tabpanel")).to_contain_text("PIN")
    check("login-pin")
    page.get_by_role("tab", name="Email and password").click()
    log_in(page, server)
    check("campaigns")
    start_calling(page)
    wait_connected(page)
    check("connected")
    page.get_by_role("button", name="Hang up").click()
    wait_state(page, "wrap_up")
    check("wrap-up")
    campaign_action(server, demo_campaign(server)["id"], "pause")
    expect(page.locator("#campaign-notice")).to_contain_text("paused")
    page.get_by_role("button", name="Save and next").click()
    wait_state(page, "available")
    check("waiting")
    page.get_by_role("button", name="Pause").click()
    wait_state(page, "paused")
    check("paused")
    page.context.close()


def test_previewing_passes_axe(busy_server: Server, browser: Browser, tmp_path: Path) -> None:
    """The preview of a contact, and the outcome of its dial, pass axe-core."""
    preview_campaign(busy_server)
    page = browser.new_context(viewport=LAPTOP).new_page()
    log_in(page, busy_server)
    start_calling(page, "Preview calls")
    wait_state(page, "previewing")
    page.screenshot(path=screenshot_path("call-previewing-laptop.png"), full_page=True)
    assert_accessible(page, "previewing")
    page.get_by_role("button", name="Dial").click()
    expect(page.locator("#call-outcome")).to_contain_text("busy", timeout=CONNECT_TIMEOUT_MS)
    assert_accessible(page, "preview outcome")
    page.context.close()


def test_login_tabs_follow_the_tabs_pattern(server: Server, browser: Browser) -> None:
    """Tabs have their roles, say which is selected, and move with the arrow keys."""
    page = browser.new_context(viewport=LAPTOP).new_page()
    page.goto(f"{server.base_url}/call")
    first = page.get_by_role("tab", name="Email and password")
    second = page.get_by_role("tab", name="Access code and PIN")
    expect(first).to_have_attribute("aria-selected", "true")
    first.focus()
    page.keyboard.press("ArrowRight")
    expect(second).to_be_focused()
    expect(second).to_have_attribute("aria-selected", "true")
    expect(page.get_by_role("tabpanel")).to_contain_text("PIN")
    expect(page.get_by_role("heading", level=1)).to_have_count(1)
    page.context.close()
