"""The do-not-call list in the console: one number, many with a report, search, remove, per
organization and per campaign; the same service as `/api/v1/blocked_numbers`."""

from playwright.sync_api import Browser, expect

from tests.servers import Server
from tests.web.conftest import screenshot_path
from tests.web.console.conftest import LAPTOP, Organization, check_accessibility, sign_in


def test_an_organizer_keeps_the_do_not_call_list(
    console_server: Server, browser: Browser, organization: Organization
) -> None:
    with organization.api(console_server) as api:
        api.post("/api/v1/campaigns", json={"name": "Rally"}).raise_for_status()
    page = sign_in(browser, console_server, organization.organizer, LAPTOP)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Do not call").click()
    add = page.get_by_role("form", name="Block a number")
    add.get_by_label("Phone number").fill("not a number")
    add.get_by_role("button", name="Block").click()
    expect(page.locator("#f-number-error")).to_contain_text("not a valid phone number")
    add = page.get_by_role("form", name="Block a number")
    add.get_by_label("Phone number").fill("(415) 555-0100")
    add.get_by_label("Reason").fill("asked")
    add.get_by_role("button", name="Block").click()

    many = page.get_by_role("form", name="Block many")
    many.get_by_label("Numbers, one a line").fill("415 555 0101\nnonsense\n(415) 555-0100")
    many.get_by_label("Where").select_option(label="Rally")
    many.get_by_role("button", name="Block them").click()
    report = page.locator("#bulk-report")
    expect(report).to_contain_text("2 added, 0 already on the list, 1 refused")
    expect(report).to_contain_text("Line 2 (nonsense)")
    check_accessibility(page)
    page.screenshot(path=screenshot_path("console-do-not-call.png"), full_page=True)

    rows = page.locator("#blocked tbody tr")
    expect(rows).to_have_count(3)  # the same number may be blocked everywhere and in Rally
    page.get_by_role("search").get_by_label("Campaign").select_option(label="Rally")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(rows).to_have_count(2)
    page.get_by_role("search").get_by_label("Campaign").select_option("")
    page.get_by_role("search").get_by_label("Number").fill("4155550101")
    page.get_by_role("search").get_by_role("button", name="Search").click()
    expect(rows).to_have_count(1)
    rows.get_by_role("button", name="Remove +14155550101").click()
    expect(page.get_by_role("heading", name="On the list (2)")).to_be_visible()
    page.context.close()

    with organization.api(console_server) as api:
        entries = api.get("/api/v1/blocked_numbers").json()["items"]
    assert sorted((e["number"], e["campaign_id"] is None) for e in entries) == [
        ("+14155550100", False),
        ("+14155550100", True),
    ]
