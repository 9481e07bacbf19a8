"""The pages behind a TLS-terminating proxy, in Chromium: styled, scripted, logged in."""

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, expect

from phonebank.cli.demo import DEMO_CALLER_EMAIL, DEMO_CALLER_PASSWORD
from tests.security.tls_proxy import TlsProxy, self_signed_certificate
from tests.servers import FAST_WORLD, Server, free_port
from tests.web.conftest import screenshot_path

PROXY_ADDRESS = "127.0.0.2"
SIZES = {"laptop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}


@pytest.fixture(scope="module")
def proxied(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TlsProxy]:
    """`phonebank serve --demo` trusting only the TLS proxy in front of it."""
    directory = tmp_path_factory.mktemp("proxied")
    cert, key = self_signed_certificate(directory)
    port = free_port()
    proxy = TlsProxy(cert, key, backend_port=port, source=PROXY_ADDRESS)
    server = Server(
        database=directory / "pages.db",
        log=directory / "server.log",
        world=FAST_WORLD,
        port=port,
        env={"PHONEBANK_FORWARDED_ALLOW_IPS": PROXY_ADDRESS, "PHONEBANK_BASE_URL": proxy.base_url},
    )
    server.start()
    proxy.start()
    yield proxy
    proxy.stop()
    server.stop()


@pytest.mark.parametrize("size", SIZES)
def test_the_calling_page_works_over_https_through_the_proxy(
    proxied: TlsProxy, browser: Browser, size: str, tmp_path: Path
) -> None:
    context = browser.new_context(viewport=SIZES[size], ignore_https_errors=True)  # type: ignore[arg-type]
    page = context.new_page()
    failed: list[str] = []
    page.on("requestfailed", lambda request: failed.append(request.url))
    page.goto(f"{proxied.base_url}/call")
    # The stylesheet applied (no mixed-content block) and the module script ran.
    assert page.evaluate("document.styleSheets.length") >= 1
    page.get_by_label("Email").first.fill(DEMO_CALLER_EMAIL)
    page.get_by_label("Password").fill(DEMO_CALLER_PASSWORD)
    page.get_by_role("button", name="Log in").first.click()
    expect(page.get_by_role("button", name="Start calling: Library reopening")).to_be_visible()
    cookies = {cookie["name"]: cookie for cookie in context.cookies()}
    assert cookies["pb_session"]["secure"] is True
    page.screenshot(path=screenshot_path(f"proxy-call-{size}.png"), full_page=True)
    assert failed == []
    context.close()
