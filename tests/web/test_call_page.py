"""The calling page in a real Chromium: shortcuts, what callers see, the organizer's changes,
voicemail and preview outcomes, drafts, errors and the number (one test per defect)."""

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, WebSocketRoute, expect

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from tests.servers import FAST_WORLD, Server
from tests.web.call_page import (
    CONNECT_TIMEOUT_MS,
    LAPTOP,
    PHONE,
    campaign_action,
    demo_campaign,
    log_in,
    start_calling,
    wait_connected,
    wait_state,
)
from tests.web.conftest import screenshot_path


def _desk(browser: Browser, server: Server, viewport: dict[str, int] = LAPTOP) -> Page:
    page = browser.new_context(viewport=viewport).new_page()
    log_in(page, server)
    start_calling(page)
    return page


def _still_connected(page: Page) -> None:
    # A round trip through the page's own SDK: any shortcut fired before it has acted by then.
    page.evaluate("() => new Promise((done) => setTimeout(done, 300))")
    page.wait_for_load_state("networkidle")
    expect(page.locator("#state")).to_have_attribute("data-state", "connected")


def test_typing_after_clicking_an_answer_fires_no_shortcut(
    server: Server, browser: Browser
) -> None:
    """(a) Keys typed while an answer has focus are not shortcuts; shortcuts can be turned off."""
    page = _desk(browser, server)
    wait_connected(page)
    page.locator("fieldset.question", has_text="support the library").get_by_label("Yes").click()
    page.keyboard.type("nice lady hvx")
    _still_connected(page)
    page.locator("fieldset.question", has_text="help").get_by_label("Donate").click()
    page.keyboard.type("nhvx")
    _still_connected(page)

    page.get_by_label("Keyboard shortcuts").uncheck()
    page.locator("#contact-name").click()  # nothing focused that takes text
    page.keyboard.press("h")
    _still_connected(page)
    page.reload()  # the choice is remembered
    wait_connected(page)
    expect(page.get_by_label("Keyboard shortcuts")).not_to_be_checked()
    page.locator("#contact-name").click()
    page.keyboard.press("h")
    _still_connected(page)

    page.get_by_label("Keyboard shortcuts").check()
    page.locator("#contact-name").click()
    page.keyboard.press("h")
    wait_state(page, "wrap_up")
    page.context.close()


def test_callers_see_only_the_scripts_selected_fields(server: Server, browser: Browser) -> None:
    """(d) The demo script selects names, number and ward: no email on any caller channel."""
    page = browser.new_context(viewport=LAPTOP).new_page()
    frames: list[str] = []
    page.on(
        "websocket",
        lambda socket: socket.on("framereceived", lambda payload: frames.append(str(payload))),
    )
    log_in(page, server)
    start_calling(page)
    wait_connected(page)
    expect(page.locator("#contact-attributes")).to_contain_text("ward")
    expect(page.locator("#contact")).not_to_contain_text("@demo.phonebank.org")
    expect(page.locator("#contact")).not_to_contain_text("email")
    view = page.evaluate("() => fetch('/api/v1/caller/sessions/current').then((r) => r.json())")
    assert set(view["contact"]["attributes"]) == {"ward"}, view["contact"]
    assert view["contact"]["given_name"] and view["contact"]["phone_number"]
    assert frames and not any("@demo.phonebank.org" in frame for frame in frames), frames
    connected = [json.loads(f) for f in frames if '"connected"' in f and '"contact"' in f]
    assert connected and set(connected[0]["contact"]["attributes"]) == {"ward"}
    page.context.close()


def test_the_organizers_pause_resume_and_stop_reach_the_page(
    server: Server, browser: Browser
) -> None:
    """(e) The page says what the campaign's status means, at once and after a reload."""
    page = _desk(browser, server)
    wait_connected(page)
    campaign = demo_campaign(server)
    notice = page.locator("#campaign-notice")

    campaign_action(server, campaign["id"], "pause")
    expect(notice).to_contain_text("The organizer paused the campaign")
    expect(page.locator("#state-help")).not_to_contain_text("Stay ready")
    page.reload()
    wait_state(page, "connected")
    expect(notice).to_contain_text("The organizer paused the campaign")
    page.screenshot(path=screenshot_path("call-campaign-paused.png"), full_page=True)

    campaign_action(server, campaign["id"], "resume")
    expect(notice).to_contain_text("Calling resumed")

    campaign_action(server, campaign["id"], "stop")
    expect(notice).to_contain_text("The organizer stopped the campaign")
    page.reload()
    expect(page.locator("#desk, #campaigns").first).to_contain_text("stopped")
    page.context.close()


def test_leaving_a_voicemail_saves_a_machine_outcome_retried_later(
    server: Server, browser: Browser
) -> None:
    """(f) After "Leave voicemail" the result is a voicemail, and the call is tried again."""
    page = _desk(browser, server)
    number = wait_connected(page)
    page.get_by_role("button", name="Leave voicemail").click()
    wait_state(page, "wrap_up")
    expect(page.get_by_role("radio", name="Left a voicemail")).to_be_checked()
    page.get_by_role("button", name="Save and stop").click()
    expect(page.locator("#campaigns")).to_be_visible(timeout=CONNECT_TIMEOUT_MS)
    page.context.close()

    with server.api() as api:
        campaign = demo_campaign(server)
        results = api.get(f"/api/v1/campaigns/{campaign['id']}/results").json()["items"]
        saved = next(row for row in results if row["phone_number"] == number)
        assert saved["disposition"] == "voicemail"
        call = api.get(f"/api/v1/calls/{saved['call_id']}").json()
    assert call["status"] == "requested", call
    assert [attempt["outcome"] for attempt in call["attempts"]] == ["machine"], call["attempts"]


BUSY_WORLD = {
    **FAST_WORLD,
    "human_share": 0.0,
    "busy_share": 1.0,
    "busy_seconds": [0.2, 0.4],
}


@pytest.fixture
def busy_server(tmp_path: Path) -> Iterator[Server]:
    """A demo server where every line is busy."""
    running = Server(database=tmp_path / "busy.db", log=tmp_path / "server.log", world=BUSY_WORLD)
    running.start()
    try:
        yield running
    finally:
        running.stop()


def preview_campaign(server: Server) -> str:
    """A second campaign on the demo's people, dialed in preview mode, started."""
    demo = demo_campaign(server)
    with server.api() as api:
        body = {
            "name": "Preview calls",
            "title": "Preview calls",
            "dialing_mode": "preview",
            "caller_id": demo["caller_id"],
            "script_id": demo["script_id"],
            "caller_group_id": demo["caller_group_id"],
            "daily_start_hour": demo["daily_start_hour"],
            "daily_stop_hour": demo["daily_stop_hour"],
        }
        made = api.post("/api/v1/campaigns", json=body)
        assert made.status_code == 201, made.text
        campaign_id = str(made.json()["id"])
        added = api.post(
            f"/api/v1/campaigns/{campaign_id}/calls", json={"list_id": demo["target_list_id"]}
        )
        assert added.status_code == 201, added.text
        campaign_action(server, demo["id"], "pause")
        campaign_action(server, campaign_id, "start")
    return campaign_id


def test_a_busy_line_in_preview_is_shown_with_the_next_choices(
    busy_server: Server, browser: Browser
) -> None:
    """(f) A preview dial that ends busy says so, and offers what to do next."""
    preview_campaign(busy_server)
    page = browser.new_context(viewport=LAPTOP).new_page()
    log_in(page, busy_server)
    start_calling(page, "Preview calls")
    wait_state(page, "previewing")
    name = page.locator("#contact-name").inner_text()
    page.get_by_role("button", name="Dial").click()
    outcome = page.locator("#call-outcome")
    expect(outcome).to_contain_text("busy", timeout=CONNECT_TIMEOUT_MS)
    expect(outcome).to_contain_text(name)
    expect(outcome).to_contain_text("tried again later")
    wait_state(page, "previewing")
    expect(page.get_by_role("button", name="Dial")).to_be_visible()
    expect(page.get_by_role("button", name="Skip")).to_be_visible()
    page.screenshot(path=screenshot_path("call-preview-busy.png"), full_page=True)
    page.context.close()


def _fill_answers(page: Page) -> None:
    page.locator("fieldset.question", has_text="support the library").get_by_label("Maybe").check()
    page.locator("fieldset.question", has_text="help").get_by_label("Volunteer").check()
    page.locator("fieldset.question textarea").first.fill("Call her back after the holidays")
    page.get_by_label("Best time to call back").fill("mornings")


def _answers_are_back(page: Page) -> None:
    support = page.locator("fieldset.question", has_text="support the library")
    expect(support.get_by_label("Maybe")).to_be_checked(timeout=CONNECT_TIMEOUT_MS)
    expect(
        page.locator("fieldset.question", has_text="help").get_by_label("Volunteer")
    ).to_be_checked()
    expect(page.locator("fieldset.question textarea").first).to_have_value(
        "Call her back after the holidays"
    )
    expect(page.get_by_label("Best time to call back")).to_have_value("mornings")


def test_typed_answers_survive_a_reload_and_a_server_restart(
    server: Server, browser: Browser
) -> None:
    """(g) A draft comes back from the browser, then from the server, and can still be saved."""
    page = _desk(browser, server)
    number = wait_connected(page)
    _fill_answers(page)
    page.reload()
    wait_connected(page)
    _answers_are_back(page)
    assert page.evaluate(  # the draft has reached the server
        """async () => {
            for (let tries = 0; tries < 100; tries++) {
                const drafts = await (await fetch("/api/v1/caller/drafts")).json();
                const text = "Call her back after the holidays";
                if (drafts.some((d) => Object.values(d.answers).includes(text))) return true;
                await new Promise((done) => setTimeout(done, 200));
            }
            return false;
        }"""
    )
    page.context.close()

    server.stop()
    server.start()
    # Another browser: nothing in its storage, so the draft can only come from the server.
    page = browser.new_context(viewport=LAPTOP).new_page()
    log_in_resumes(page, server)
    _answers_are_back(page)
    page.get_by_role("radio", name="Call back later").check()
    page.get_by_role("button", name="Save and stop").click()
    expect(page.locator("#campaigns")).to_be_visible(timeout=CONNECT_TIMEOUT_MS)
    page.context.close()
    with server.api() as api:
        campaign = demo_campaign(server)
        results = api.get(f"/api/v1/campaigns/{campaign['id']}/results").json()["items"]
    saved = next(row for row in results if row["phone_number"] == number)
    assert saved["disposition"] == "call_back"
    assert saved["answers"]["support"] == "maybe"
    assert saved["answers"]["comments"] == "Call her back after the holidays"


def log_in_resumes(page: Page, server: Server) -> None:
    """Log in; the open session (or its last call) comes back."""
    page.goto(f"{server.base_url}/call")
    page.get_by_label("Email", exact=True).first.fill(DEMO_CALLER_EMAIL)
    page.get_by_label("Password").fill(DEMO_CALLER_PASSWORD)
    page.get_by_role("button", name="Log in").first.click()
    expect(page.locator("#desk")).to_be_visible(timeout=CONNECT_TIMEOUT_MS)


def test_answers_clicked_before_the_contact_arrives_are_kept(
    server: Server, browser: Browser
) -> None:
    """(g) The contact's details arriving after the first clicks do not wipe them."""
    page = browser.new_context(viewport=LAPTOP).new_page()
    held: list[str] = []
    to_page: list[WebSocketRoute] = []

    def route(socket: WebSocketRoute) -> None:
        server_side = socket.connect_to_server()
        to_page.append(socket)

        def from_server(message: str | bytes) -> None:
            text = message if isinstance(message, str) else message.decode()
            if '"type": "connected"' in text or '"type":"connected"' in text:
                held.append(text)  # the contact arrives late, as on a slow database
            else:
                socket.send(text)

        server_side.on_message(from_server)

    page.route_web_socket("**/events", route)
    log_in(page, server)
    start_calling(page)
    wait_state(page, "connected")
    expect(page.locator("#script")).to_be_visible()
    page.locator("fieldset.question", has_text="support the library").get_by_label("Yes").check()
    for _ in range(100):  # the contact's event follows the state's: it is held back
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the contact's event should have been held back"
    to_page[-1].send(held.pop())
    expect(page.locator("#contact-name")).not_to_be_empty()
    support = page.locator("fieldset.question", has_text="support the library")
    expect(support.get_by_label("Yes")).to_be_checked()
    page.context.close()


def test_errors_stay_beside_the_action_and_say_what_to_do(server: Server, browser: Browser) -> None:
    """(h) A failed hang-up is explained next to its button until dismissed; the state bar
    stays in view; a save is confirmed and counted."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
    page = context.new_page()
    page.clock.install()
    log_in(page, server)
    start_calling(page)
    wait_connected(page)

    context.set_offline(True)
    page.get_by_role("button", name="Hang up").click()
    error = page.locator("#call-actions-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("Could not reach the server")
    expect(error).not_to_contain_text("Failed to fetch")
    page.clock.fast_forward(60_000)
    expect(error).to_be_visible()
    page.screenshot(path=screenshot_path("call-error-phone.png"), full_page=False)
    error.get_by_role("button", name="Dismiss").click()
    expect(error).to_be_hidden()
    context.set_offline(False)

    page.mouse.wheel(0, 5000)  # a volunteer scrolled down to type notes
    page.locator("textarea[name=notes]").fill("Long notes")
    bar = page.locator(".status-bar").bounding_box()
    assert bar is not None and 0 <= bar["y"] < PHONE["height"], bar
    page.screenshot(path=screenshot_path("call-scrolled-phone.png"), full_page=False)

    page.get_by_role("button", name="Hang up").click()
    wait_state(page, "wrap_up")
    page.get_by_role("button", name="Save and next").click()
    expect(page.locator("#saved")).to_contain_text("Saved", timeout=CONNECT_TIMEOUT_MS)
    expect(page.locator("#session-counts")).to_contain_text("1 call")
    context.close()


def test_the_number_is_text_not_a_link(server: Server, browser: Browser) -> None:
    """(j) A tap on the number must not place a second, real call."""
    page = _desk(browser, server, PHONE)
    wait_connected(page)
    expect(page.locator("#contact a[href^='tel:']")).to_have_count(0)
    assert page.locator("#contact-phone").evaluate("(node) => node.tagName") != "A"
    page.context.close()
