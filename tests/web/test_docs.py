"""The API documentation pages work on a machine without internet: every asset is local."""

import httpx
from fastapi import FastAPI
from playwright.sync_api import Browser, Route, expect

from tests.servers import Server
from tests.web.conftest import screenshot_path


async def test_the_docs_pages_name_only_local_assets(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    assert app.docs_url is None and app.redoc_url is None  # FastAPI's own pages use a CDN
    for path in ("/docs", "/redoc"):
        page = await client.get(path)
        assert page.status_code == 200
        assert "/static/vendor/" in page.text
        assert "cdn." not in page.text and "fonts.googleapis" not in page.text
        assert "http" not in page.text.replace("http://testserver", "")
        assert "default-src 'self'" in page.headers["content-security-policy"]
    bundle = await client.get("/static/vendor/swagger-ui-bundle-5.36.0.js")
    assert bundle.status_code == 200 and "SwaggerUIBundle" in bundle.text


def test_docs_and_redoc_render_the_operations_offline(server: Server, browser: Browser) -> None:
    context = browser.new_context(viewport={"width": 1280, "height": 800})
    blocked: list[str] = []

    def only_local(route: Route) -> None:
        if route.request.url.startswith(server.base_url):
            route.continue_()
        else:
            blocked.append(route.request.url)
            route.abort()

    context.route("**/*", only_local)
    page = context.new_page()
    page.goto(f"{server.base_url}/docs")
    # Each operation reads as its method, path and summary (the docstring's first line).
    summary = "The organization this API key belongs to."
    operation = page.get_by_role("button", name=f"GET /api/v1/organization {summary}")
    expect(operation).to_be_visible(timeout=20_000)
    operation.click()  # opens, with the route's docstring
    expect(page.get_by_text("The organization this API key belongs to").first).to_be_visible()
    page.screenshot(path=screenshot_path("docs-offline.png"))
    page.goto(f"{server.base_url}/redoc")
    # ReDoc renders the whole document before it shows anything: slow on a small machine.
    expect(page.get_by_role("heading", name=summary)).to_be_visible(timeout=120_000)
    page.screenshot(path=screenshot_path("redoc-offline.png"))
    assert blocked == []
    context.close()
