"""Keys sent in query strings never reach a log line or a link given back."""

import logging
from pathlib import Path

import httpx
import pytest

from phonebank.kit.redaction import RedactSecrets, redact
from tests.conftest import Tenant
from tests.servers import Server


async def test_osdi_links_never_carry_the_query_token(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get("/osdi/v1/people", params={"osdi-api-token": tenant.token})
    assert response.status_code == 200, response.text
    assert tenant.secret not in response.text
    assert "osdi-api-token" not in response.text


async def test_native_page_links_never_carry_api_key_and_auth(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    response = await client.get(
        "/api/v1/people", params={"api_key": tenant.key_id, "api_auth": tenant.secret}
    )
    assert response.status_code == 200, response.text
    assert tenant.secret not in response.text
    assert "api_auth" not in response.text
    assert "page=1" in response.json()["links"]["self"]


def test_every_log_line_masks_token_and_key_parameters(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("phonebank.test_redaction")
    handler = caplog.handler
    handler.addFilter(RedactSecrets())
    try:
        with caplog.at_level(logging.INFO, logger=logger.name):
            logger.info('"GET %s HTTP/1.1"', "/osdi/v1?osdi-api-token=pb_a_SECRET1&page=2")
            logger.info("fetching https://feed.example/n?access_token=SECRET2")
    finally:
        handler.removeFilter(handler.filters[-1])
    text = caplog.text
    assert "SECRET1" not in text and "SECRET2" not in text
    assert "page=2" in text
    assert (
        redact("/x?api_key=abc&api_auth=def&q=1") == "/x?api_key=[redacted]&api_auth=[redacted]&q=1"
    )


def test_the_access_log_of_a_server_masks_query_keys(tmp_path: Path) -> None:
    server = Server(database=tmp_path / "logs.db", log=tmp_path / "server.log")
    server.start()
    try:
        key = server.api_key
        key_id, secret = key.split("_", 2)[1:]
        for params in (
            {"api_key": key_id, "api_auth": secret},
            {"osdi-api-token": key},
        ):
            response = httpx.get(f"{server.base_url}/api/v1/people", params=params, timeout=10)
            assert response.status_code == 200, response.text
    finally:
        server.stop()
    # The demo banner prints the key at start; the access log of the requests must not.
    access = [line for line in server.log.read_text().splitlines() if "/api/v1/people?" in line]
    assert len(access) == 2, server.log.read_text()
    assert not [line for line in access if secret in line or key_id in line], access
