"""Bodies past their kind's limit are a 413 problem, before parsing and before authentication."""

from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncConnection

from phonebank.app import create_app
from phonebank.config import Settings
from tests.conftest import Tenant, _sessionmaker

LIMITS = {
    "max_json_body_bytes": 2000,
    "max_upload_body_bytes": 5000,
    "max_obi_bulk_body_bytes": 8000,
}


@pytest.fixture
async def small(connection: AsyncConnection) -> AsyncIterator[httpx.AsyncClient]:
    """A client of an application with small body limits."""
    app = create_app(Settings(**LIMITS))  # type: ignore[arg-type]
    app.state.sessionmaker = _sessionmaker(connection)
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        yield client


def _problem_names(response: httpx.Response, limit: int, kind: str) -> None:
    assert response.status_code == 413, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    assert str(limit) in response.json()["detail"] and kind in response.json()["detail"]


async def test_an_announced_oversized_json_body_is_413_without_credentials(
    small: httpx.AsyncClient,
) -> None:
    body = b'{"name": "' + b"x" * 3000 + b'"}'
    response = await small.post(
        "/api/v1/campaigns", content=body, headers={"Content-Type": "application/json"}
    )
    _problem_names(response, 2000, "json")


async def test_a_streamed_oversized_body_is_413_once_it_passes_the_limit(
    small: httpx.AsyncClient, tenant: Tenant
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'{"name": "'
        for _ in range(10):
            yield b"x" * 500
        yield b'"}'

    response = await small.post(
        "/api/v1/campaigns",
        content=chunks(),
        headers={**tenant.headers, "Content-Type": "application/json"},
    )
    _problem_names(response, 2000, "json")


async def test_uploads_and_obi_bulk_adds_have_their_own_limits(
    small: httpx.AsyncClient, tenant: Tenant
) -> None:
    csv = b"Phone\n" + b"+14155552671\n" * 300  # 4 KB: past the JSON limit, within uploads'
    fits = await small.post(
        "/api/v1/people/import",
        files={"file": ("people.csv", csv, "text/csv")},
        headers=tenant.headers,
    )
    assert fits.status_code == 200, fits.text
    too_big = await small.post(
        "/api/v1/people/import",
        files={"file": ("people.csv", csv * 2, "text/csv")},
        headers=tenant.headers,
    )
    _problem_names(too_big, 5000, "upload")
    bulk = b"[" + b",".join([b'{"numbers": ["+14155552671"]}'] * 400) + b"]"
    response = await small.post(
        "/obi/campaigns/" + "0" * 32 + "/customers/list",
        content=bulk,
        headers={"Content-Type": "application/json"},
    )
    _problem_names(response, 8000, "obi_bulk")


def test_the_default_limits_are_settings() -> None:
    settings = Settings()
    # The OBI bulk add's memory grows with its body (benchmarks/body_limits.py): kept small.
    assert settings.max_obi_bulk_body_bytes <= 3 * 1024 * 1024
    assert settings.max_upload_body_bytes >= 50 * 1024 * 1024  # the import's own 50 MB file


async def test_a_streamed_upload_stops_at_its_limit(
    small: httpx.AsyncClient, tenant: Tenant
) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b'--b\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n'
        for _ in range(20):
            yield b"+14155552671\n" * 40

    response = await small.post(
        "/api/v1/people/import",
        content=chunks(),
        headers={**tenant.headers, "Content-Type": "multipart/form-data; boundary=b"},
    )
    _problem_names(response, 5000, "upload")
