"""What the calling page's browser tests share: logging in, reaching a state, running axe-core."""

from pathlib import Path
from typing import Any

from playwright.sync_api import Page, expect

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from tests.servers import Server

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
CONNECT_TIMEOUT_MS = 30_000
DEMO_TITLE = "Library reopening"
AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"


def log_in(page: Page, server: Server) -> None:
    """Open /call and log in as the demo caller with email and password."""
    page.goto(f"{server.base_url}/call")
    page.get_by_label("Email", exact=True).first.fill(DEMO_CALLER_EMAIL)
    page.get_by_label("Password").fill(DEMO_CALLER_PASSWORD)
    page.get_by_role("button", name="Log in").first.click()
    expect(page.locator("#campaigns")).to_be_visible()


def start_calling(page: Page, title: str = DEMO_TITLE) -> None:
    """Join a campaign from the campaign list."""
    page.get_by_role("button", name=f"Start calling: {title}").click()
    expect(page.locator("#desk")).to_be_visible()


def wait_state(page: Page, state: str) -> None:
    """Wait until the page shows the caller in `state`."""
    expect(page.locator("#state")).to_have_attribute(
        "data-state", state, timeout=CONNECT_TIMEOUT_MS
    )


def wait_connected(page: Page) -> str:
    """Wait for a connected contact; their phone number."""
    wait_state(page, "connected")
    expect(page.locator("#contact-name")).not_to_be_empty()
    expect(page.locator("#contact-phone")).to_contain_text("+")
    return page.locator("#contact-phone").inner_text().strip()


def demo_campaign(server: Server) -> dict[str, Any]:
    """The demo campaign, as the API shows it."""
    with server.api() as api:
        items = api.get("/api/v1/campaigns").json()["items"]
    return next(item for item in items if item["title"] == DEMO_TITLE)


def campaign_action(server: Server, campaign_id: str, action: str) -> None:
    """Pause, resume or stop a campaign as its organizer would."""
    with server.api() as api:
        response = api.post(f"/api/v1/campaigns/{campaign_id}/{action}")
        assert response.status_code == 200, response.text


def axe_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's violations on the page as it is now (WCAG 2.1 A and AA, and best practices)."""
    if not page.evaluate("() => Boolean(window.axe)"):
        page.add_script_tag(content=AXE.read_text())
    result: dict[str, Any] = page.evaluate(
        """async () => await window.axe.run(document, {
            runOnly: {type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa",
                                            "best-practice"]},
        })"""
    )
    return [
        {
            "id": violation["id"],
            "help": violation["help"],
            "nodes": [node["target"] for node in violation["nodes"]],
        }
        for violation in result["violations"]
    ]


def assert_accessible(page: Page, state: str) -> None:
    """No axe-core violation in this state of the page."""
    violations = axe_violations(page)
    assert violations == [], f"{state}: {violations}"
