"""An organizer runs a campaign from an empty organization, in Chromium, with no API call."""

import re

from playwright.sync_api import Browser, Page, expect

from tests.servers import Server
from tests.web.conftest import screenshot_path
from tests.web.console.conftest import (
    LAPTOP,
    PHONE,
    Organization,
    check_accessibility,
    sign_in,
)


def _look(page: Page, name: str) -> None:
    """axe finds nothing wrong, and a screenshot is kept for people to look at."""
    check_accessibility(page)
    page.screenshot(path=screenshot_path(f"console-{name}.png"), full_page=True)


def _write_script(page: Page) -> None:
    page.get_by_role("link", name="Create a script").click()
    page.get_by_label("Name (required)").fill("Library survey")
    text = page.get_by_role("group", name="Text 1 (new)")
    text.get_by_label("Text", exact=True).fill("Hi {given_name}, I am calling about the library.")
    first = page.get_by_role("group", name="Question 1 (new)")
    first.get_by_label("Name (the key results record)").fill("support")
    first.get_by_label("Question as callers read it").fill("Will you support the library?")
    first.get_by_label("Responses, one a line").fill("Yes\nNo\nunsure = Not sure yet")
    first.get_by_label("Callers must answer").check()
    page.get_by_role("button", name="Add another question").click()
    second = page.get_by_role("group", name="Question 2 (new)")
    second.get_by_label("Name (the key results record)").fill("comments")
    second.get_by_label("Kind").select_option("Paragraph")
    page.get_by_role("group", name="Note field 1 (new)").get_by_label("Name").fill("best_time")
    page.get_by_label("email address").check()
    page.get_by_role("button", name="Create script").click()
    expect(page.get_by_role("status")).to_have_text("Saved.")
    expect(page.get_by_role("group", name="Question 2", exact=True)).to_be_visible()
    _look(page, "script-editor")

    page.get_by_role("link", name="Preview as a caller").click()
    expect(page.locator(".script-text p")).to_have_text("Hi Alex, I am calling about the library.")
    support = page.locator("fieldset.question", has_text="Will you support the library? *")
    expect(support.get_by_label("Not sure yet")).to_have_attribute("value", "unsure")
    expect(
        page.locator("fieldset.question", has_text="comments").locator("textarea")
    ).to_be_visible()
    expect(page.get_by_label("best time")).to_be_visible()
    expect(page.locator("#contact-attributes")).to_contain_text("alex.rivera@example.org")
    _look(page, "script-preview")
    page.get_by_role("link", name="Back to the script").click()


def _create_campaign(page: Page) -> str:
    page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns").click()
    page.get_by_role("link", name="Create a campaign").click()
    page.get_by_label("Name (required)").fill("Library reopening")
    page.get_by_label("Script", exact=True).select_option(label="Library survey")
    page.get_by_label("Dialing mode").select_option("predictive")
    page.get_by_label("Abandon rate target (%)").fill("5")
    page.get_by_role("button", name="Create campaign").click()
    # The API's own message, beside the field, and the form keeps what was typed.
    error = page.locator("#f-abandon_rate_target-error")
    expect(error).to_have_text("Input should be less than or equal to 3")
    expect(page.get_by_label("Abandon rate target (%)")).to_have_attribute("aria-invalid", "true")
    expect(page.get_by_label("Name (required)")).to_have_value("Library reopening")
    _look(page, "campaign-form-error")
    page.get_by_label("Abandon rate target (%)").fill("2")
    page.get_by_role("button", name="Create campaign").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Library reopening")
    expect(page.locator("#status")).to_have_text("draft")
    return page.url


def _edit_and_duplicate(page: Page, campaign_url: str) -> None:
    page.get_by_role("link", name="Edit settings").click()
    expect(page.get_by_label("Dialing mode")).to_have_value("predictive")
    page.get_by_label("Ring timeout (seconds)").fill("5")
    page.get_by_role("button", name="Save settings").click()
    expect(page.locator("#f-ring_timeout_seconds-error")).to_contain_text(
        "greater than or equal to 15"
    )
    page.get_by_label("Ring timeout (seconds)").fill("25")
    page.get_by_label("Calls from (hour, 0 to 23)").fill("10")
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("calls 10:00 to 21:00")).to_be_visible()

    page.get_by_role("button", name="Duplicate").click()
    expect(page.get_by_label("Name (required)")).to_have_value("Library reopening (copy)")
    expect(page.get_by_label("Ring timeout (seconds)")).to_have_value("25")
    page.get_by_label("Name (required)").fill("Library reopening, second round")
    page.get_by_role("button", name="Save settings").click()
    page.get_by_role("button", name="Delete draft").click()
    expect(page.get_by_role("link", name="Library reopening, second round")).to_have_count(0)
    page.goto(campaign_url)


def _run(page: Page) -> None:
    expect(page.get_by_role("button", name="Pause")).to_have_count(0)
    page.get_by_role("button", name="Start").click()
    expect(page.locator("#status")).to_have_text("started")
    page.get_by_role("button", name="Pause").click()
    expect(page.locator("#status")).to_have_text("paused")
    page.get_by_role("button", name="Resume").click()
    expect(page.locator("#status")).to_have_text("started")
    _look(page, "campaign")
    page.get_by_role("link", name="Stop…").click()
    expect(page.get_by_text("Stopping is final.")).to_be_visible()
    _look(page, "campaign-stop")
    page.get_by_role("button", name="Yes, stop for good").click()
    expect(page.locator("#status")).to_have_text("stopped")
    expect(page.get_by_text("This campaign is stopped for good.")).to_be_visible()
    for gone in ("Start", "Pause", "Resume"):
        expect(page.get_by_role("button", name=gone, exact=True)).to_have_count(0)


def test_an_organizer_runs_a_campaign_from_an_empty_organization(
    console_server: Server, browser: Browser, organization: Organization
) -> None:
    page = sign_in(browser, console_server, organization.organizer, LAPTOP)
    expect(page.get_by_role("heading", name="Get your phone bank going")).to_be_visible()
    expect(page.get_by_text("with the API")).to_have_count(0)
    _look(page, "empty-dashboard")
    _write_script(page)
    campaign_url = _create_campaign(page)
    _edit_and_duplicate(page, campaign_url)
    _run(page)

    page.get_by_role("navigation", name="Console").get_by_role("link", name="Campaigns").click()
    row = page.locator("#campaigns tbody tr", has_text="Library reopening")
    expect(row).to_contain_text("stopped")
    expect(row).to_contain_text("predictive")
    _look(page, "dashboard")
    with organization.api(console_server) as api:
        campaigns = api.get("/api/v1/campaigns").json()["items"]
        scripts = api.get("/api/v1/scripts").json()["items"]
    assert [(c["name"], c["status"], c["dialing_mode"]) for c in campaigns] == [
        ("Library reopening", "stopped", "predictive")
    ]
    assert campaigns[0]["ring_timeout_seconds"] == 25 and campaigns[0]["daily_start_hour"] == 10
    assert campaigns[0]["abandon_rate_target"] == 2.0
    (script,) = scripts
    assert campaigns[0]["script_id"] == script["id"]
    assert [(q["name"], q["question_type"], q["required"]) for q in script["questions"]] == [
        ("support", "SingleChoice", True),
        ("comments", "Paragraph", False),
    ]
    assert [r["key"] for r in script["questions"][0]["responses"]] == ["yes", "no", "unsure"]
    assert [n["name"] for n in script["note_fields"]] == ["best_time"]
    assert script["selected_fields"] == ["given_name", "phone_number", "email_address"]
    page.context.close()


def test_every_console_page_reads_well_on_a_phone(
    console_server: Server, browser: Browser, organization: Organization
) -> None:
    with organization.api(console_server) as api:
        script = api.post(
            "/api/v1/scripts",
            json={
                "name": "Phone script",
                "texts": [{"content": "Hello {given_name}"}],
                "questions": [
                    {
                        "name": "support",
                        "question_type": "SingleChoice",
                        "responses": [{"key": "yes", "name": "Yes"}, {"key": "no", "name": "No"}],
                    }
                ],
                "note_fields": [{"name": "notes"}],
            },
        ).json()
        campaign = api.post(
            "/api/v1/campaigns", json={"name": "Phone campaign", "script_id": script["id"]}
        ).json()
    page = sign_in(browser, console_server, organization.organizer, PHONE)
    pages = {
        "dashboard": "/admin",
        "campaign": f"/admin/campaigns/{campaign['id']}",
        "campaign-form": f"/admin/campaigns/{campaign['id']}/edit",
        "new-campaign": "/admin/campaigns/new",
        "stop": f"/admin/campaigns/{campaign['id']}/stop",
        "scripts": "/admin/scripts",
        "script-editor": f"/admin/scripts/{script['id']}",
        "new-script": "/admin/scripts/new",
        "script-preview": f"/admin/scripts/{script['id']}/preview",
        "callers": "/admin/callers",
        "new-caller": "/admin/callers/new",
        "do-not-call": "/admin/do-not-call",
        "floor": "/admin/floor",
        "reports": "/admin/reports",
    }
    for name, path in pages.items():
        page.goto(f"{console_server.base_url}{path}")
        expect(page.get_by_role("heading", level=1)).to_be_visible()
        # Nothing wider than the phone: no sideways scrolling of the page itself.
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= PHONE["width"], f"{path} is {width} px wide"
        check_accessibility(page)
        page.screenshot(path=screenshot_path(f"console-phone-{name}.png"), full_page=True)
    page.goto(f"{console_server.base_url}/admin")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to content")
    expect(skip).to_be_focused()
    page.keyboard.press("Enter")
    assert re.search(r"#content$", page.url)
    page.context.close()
