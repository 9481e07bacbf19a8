"""Callers in the console: create with a PIN and a group, a bad value beside its field, roles,
deactivation; the same service as `POST /api/v1/callers`."""

from playwright.sync_api import Browser, expect

from tests.servers import Server
from tests.web.conftest import screenshot_path
from tests.web.console.conftest import LAPTOP, Organization, check_accessibility, sign_in


def test_an_organizer_adds_callers_a_group_and_deactivates_one(
    console_server: Server, browser: Browser, organization: Organization
) -> None:
    page = sign_in(browser, console_server, organization.organizer, LAPTOP)
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Callers").click()
    page.get_by_label("New group's name").fill("Evening team")
    page.get_by_role("button", name="Create group").click()
    page.get_by_label("New group's name").fill("Evening team")
    page.get_by_role("button", name="Create group").click()
    expect(page.locator("#f-name-error")).to_contain_text("already exists")

    page.get_by_role("link", name="New caller").click()
    page.get_by_label("Name (required)").fill("Robin Volunteer")
    page.get_by_label("Email (to log in with a password)").fill("robin@example.org")
    page.get_by_label("PIN (4 to 8 digits)").fill("12")
    page.get_by_label("Caller group").select_option(label="Evening team")
    page.get_by_role("button", name="Create caller").click()
    expect(page.locator("#f-pin-error")).to_contain_text("should match pattern")
    expect(page.get_by_label("Name (required)")).to_have_value("Robin Volunteer")
    check_accessibility(page)
    page.get_by_label("PIN (4 to 8 digits)").fill("4321")
    page.get_by_role("button", name="Create caller").click()
    row = page.locator("#callers tbody tr", has_text="Robin Volunteer")
    expect(row).to_contain_text("Evening team")
    expect(row).to_contain_text("PIN")

    page.get_by_role("link", name="Robin Volunteer").click()
    page.get_by_label("Role").select_option("supervisor")
    page.get_by_role("button", name="Save caller").click()
    expect(row).to_contain_text("supervisor")
    row.get_by_role("button", name="Deactivate Robin Volunteer").click()
    expect(row.locator("td").nth(4)).to_have_text("no")
    check_accessibility(page)
    page.screenshot(path=screenshot_path("console-callers.png"), full_page=True)
    page.context.close()

    with organization.api(console_server) as api:
        callers = {c["name"]: c for c in api.get("/api/v1/callers").json()["items"]}
        groups = api.get("/api/v1/caller_groups").json()["items"]
    robin = callers["Robin Volunteer"]
    assert robin["email"] == "robin@example.org" and robin["has_pin"] is True
    assert robin["is_supervisor"] is True and robin["is_organizer"] is False
    assert robin["active"] is False
    assert [g["name"] for g in groups] == ["Evening team"]
    assert robin["caller_group_id"] == groups[0]["id"]
