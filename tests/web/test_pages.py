"""The pages in a real headless Chromium: a caller's journey, and the organizer's dashboard."""

import httpx
from playwright.sync_api import Browser, Page, expect

from phonebank.cli.demo import (
    DEMO_CALLER_EMAIL,
    DEMO_CALLER_PASSWORD,
    DEMO_ORGANIZER_EMAIL,
    DEMO_ORGANIZER_PASSWORD,
)
from tests.servers import Server
from tests.web.conftest import screenshot_path

PHONE = {"width": 390, "height": 844}
CONNECT_TIMEOUT_MS = 30_000


def _wait_connected(page: Page) -> str:
    """Wait for a connected contact; their phone number (demo names repeat, numbers do not)."""
    expect(page.locator("#state")).to_have_attribute(
        "data-state", "connected", timeout=CONNECT_TIMEOUT_MS
    )
    expect(page.locator("#contact-name")).not_to_be_empty()
    expect(page.locator("#contact-phone")).to_contain_text("+")
    return page.locator("#contact-phone").inner_text().strip()


def _answer(page: Page, support: str, comment: str) -> None:
    page.locator("fieldset.question", has_text="support the library").get_by_label(support).check()
    page.locator("fieldset.question textarea").first.fill(comment)


def test_a_caller_logs_in_calls_two_people_and_stops(server: Server, browser: Browser) -> None:
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.goto(f"{server.base_url}/call")
    page.get_by_label("Email").first.fill(DEMO_CALLER_EMAIL)
    page.get_by_label("Password").fill(DEMO_CALLER_PASSWORD)
    page.get_by_role("button", name="Log in").first.click()
    page.get_by_role("button", name="Start calling: Library reopening").click()

    first = _wait_connected(page)
    expect(page.locator("#preview-actions")).to_be_hidden()
    given_name = page.locator("#contact-name").inner_text().split()[0]
    expect(page.locator(".script-text p").first).to_contain_text(f"Hi {given_name},")
    page.screenshot(path=screenshot_path("call-connected.png"), full_page=True)
    page.reload()  # a browser that comes back gets its state, and its contact, back
    assert _wait_connected(page) == first
    _answer(page, "Yes", "Will come to the opening")
    page.keyboard.press("Escape")  # leave the text box, so single keys are shortcuts
    page.keyboard.press("n")  # Save and next

    expect(page.locator("#contact-phone")).not_to_have_text(first, timeout=CONNECT_TIMEOUT_MS)
    second = _wait_connected(page)
    assert second != first
    _answer(page, "No", "Not interested")
    page.get_by_role("radio", name="Refused").check()
    page.get_by_role("button", name="Save and stop").click()
    expect(page.locator("#campaigns")).to_be_visible(timeout=CONNECT_TIMEOUT_MS)
    page.screenshot(path=screenshot_path("call-stopped.png"), full_page=True)
    context.close()

    with server.api() as api:
        campaign = api.get("/api/v1/campaigns", params={"status": "started"}).json()["items"][0]
        results = api.get(f"/api/v1/campaigns/{campaign['id']}/results").json()["items"]
    by_phone = {row["phone_number"]: row for row in results}
    assert set(by_phone) == {first, second}
    assert by_phone[first]["disposition"] == "completed"
    assert by_phone[first]["answers"]["support"] == "yes"
    assert by_phone[first]["answers"]["comments"] == "Will come to the opening"
    assert by_phone[second]["disposition"] == "refused"
    assert by_phone[second]["answers"]["support"] == "no"


def test_the_dashboard_figures_move_while_a_caller_works(server: Server, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{server.base_url}/admin")
    page.get_by_label("Email").fill(DEMO_ORGANIZER_EMAIL)
    page.get_by_label("Password").fill(DEMO_ORGANIZER_PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.get_by_role("link", name="Library reopening").click()
    dials = page.locator('[data-figure="dials"]')
    expect(dials).to_have_text("0")

    # A caller starts working through the API, as the calling page would.
    with httpx.Client(base_url=server.base_url, timeout=10) as caller:
        login = caller.post(
            "/api/v1/caller/login",
            json={"email": DEMO_CALLER_EMAIL, "password": DEMO_CALLER_PASSWORD},
        ).json()
        campaign_id = page.locator("#campaign").get_attribute("data-campaign")
        joined = caller.post(
            "/api/v1/caller/sessions",
            json={"campaign_id": campaign_id},
            headers={"X-CSRF-Token": login["csrf_token"]},
        )
        assert joined.status_code == 201, joined.text
        expect(dials).not_to_have_text("0", timeout=CONNECT_TIMEOUT_MS)
        expect(page.locator('[data-figure="callers_connected"]')).to_have_text(
            "1", timeout=CONNECT_TIMEOUT_MS
        )
    page.wait_for_timeout(1500)  # let the chart draw a few points
    page.screenshot(path=screenshot_path("admin-campaign.png"), full_page=True)

    page.get_by_label("CSV of people").set_input_files(
        files=[
            {
                "name": "volunteers.csv",
                "mimeType": "text/csv",
                "buffer": b"First name,Phone\nZoe,(415) 555-0123\nYan,not a number\n",
            }
        ]
    )
    page.get_by_role("button", name="Upload").click()
    report = page.locator("#add-report")
    expect(report).to_contain_text("Read 2 rows: 1 new", timeout=CONNECT_TIMEOUT_MS)
    expect(report).to_contain_text("1 added to the campaign")
    expect(report).to_contain_text("row 3: phone_number")

    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#status")).to_have_text("paused")
    context.close()
