"""Console fixtures: one server for the module, and a fresh, empty organization per test.

The organization is made as a new organizer's would be: `phonebank bootstrap` gives its admin
key, and the key creates its organizer, a supervisor and a caller. Nothing of the demo is used.
"""

import json
import os
import subprocess
import sys
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

import httpx
import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect

from tests.servers import FAST_WORLD, Server
from tests.web.call_page import AXE

PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1280, "height": 800}
PASSWORD = "a long enough password"


@pytest.fixture(scope="module")
def console_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`phonebank serve --demo` for the module's tests (each works in its own organization)."""
    folder = tmp_path_factory.mktemp("console")
    running = Server(database=folder / "console.db", log=folder / "server.log", world=FAST_WORLD)
    running.start()
    try:
        yield running
    finally:
        running.stop()


@dataclass
class Organization:
    """An empty organization with one login of each role."""

    id: str
    api_key: str
    organizer: str
    supervisor: str
    caller: str

    def api(self, server: Server) -> httpx.Client:
        """A client with the organization's admin key."""
        return httpx.Client(
            base_url=server.base_url,
            headers={"Authorization": f"Bearer {self.api_key}"},
            timeout=10,
        )


@pytest.fixture
def organization(console_server: Server) -> Organization:
    """A new organization: nothing in it but its organizer, a supervisor and a caller."""
    suffix = uuid.uuid4().hex[:8]
    env = {**os.environ, "PHONEBANK_DATABASE_URL": console_server.database_url}
    env.pop("PHONEBANK_TEST_DATABASE_URL", None)
    made = subprocess.run(
        [sys.executable, "-m", "phonebank.cli.main", "bootstrap", "--json", "--org", f"O {suffix}"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    created = json.loads(made.stdout)
    org = Organization(
        id=created["organization_id"],
        api_key=created["api_key"],
        organizer=f"organizer-{suffix}@example.org",
        supervisor=f"supervisor-{suffix}@example.org",
        caller=f"caller-{suffix}@example.org",
    )
    roles = {
        org.organizer: {"is_organizer": True},
        org.supervisor: {"is_supervisor": True},
        org.caller: {},
    }
    with org.api(console_server) as api:
        for email, role in roles.items():
            answer = api.post(
                "/api/v1/callers",
                json={"name": email.split("-")[0].title(), "email": email, "password": PASSWORD}
                | role,
            )
            assert answer.status_code == 201, answer.text
    return org


@contextmanager
def browser_login(server: Server, email: str) -> Iterator[httpx.Client]:
    """An HTTP client logged in as `email` the way the login page does (cookies and all)."""
    with httpx.Client(base_url=server.base_url, timeout=10) as client:
        answer = client.post("/api/v1/caller/login", json={"email": email, "password": PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


def sign_in(browser: Browser, server: Server, email: str, viewport: dict[str, int]) -> Page:
    """A new browser page signed in to the console as `email`."""
    context: BrowserContext = browser.new_context(
        viewport=viewport, is_mobile=viewport == PHONE, has_touch=viewport == PHONE
    )
    page = context.new_page()
    page.goto(f"{server.base_url}/admin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("navigation", name="Console")).to_be_visible()
    return page


def check_accessibility(page: Page) -> None:
    """axe-core (vendored) finds no violation on the page as it is now."""
    page.add_script_tag(path=str(AXE))
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, help: v.help, nodes: v.nodes.map(n => n.target.join(' '))}))"
    )
    assert found == [], f"{page.url}: {found}"
