"""OBI test helpers: a campaign with a queue, made through the native API, and wire formats."""

import base64
import uuid
from dataclasses import dataclass
from typing import Any
from xml.etree.ElementTree import fromstring

import httpx
import pytest

# The caller API's desk (a campaign dialed by a running engine) for figures of callers' actions.
from tests.calling.conftest import make_desk  # noqa: F401 (fixture)
from tests.conftest import Tenant

JSON = {"Accept": "application/json"}
XML = {"Accept": "application/xml"}


def hex32(value: str) -> str:
    """A native API id in OBI's id32 form."""
    return uuid.UUID(value).hex.upper()


def basic(user: str, password: str) -> dict[str, str]:
    """HTTP Basic authentication headers."""
    token = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {token}"}


def xml_of(response: httpx.Response) -> Any:
    """A response's XML document."""
    assert response.headers["content-type"].startswith("application/xml"), response.text
    return fromstring(response.content)


@dataclass
class Obi:
    """A tenant's OBI client with one campaign in a caller group (queue)."""

    client: httpx.AsyncClient
    tenant: Tenant
    campaign_id: str
    queue_id: str

    def headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        """The tenant's Bearer headers plus `extra`."""
        return {**self.tenant.headers, **(extra or {})}

    async def get(self, path: str, *, xml: bool = False, **params: Any) -> httpx.Response:
        """GET an OBI path as JSON (or XML)."""
        return await self.client.get(
            f"/obi{path}", params=params, headers=self.headers(XML if xml else JSON)
        )

    async def send(
        self, method: str, path: str, body: Any = None, *, xml: str | None = None, **params: Any
    ) -> httpx.Response:
        """POST or PUT a JSON body (or an XML document) to an OBI path."""
        if xml is not None:
            return await self.client.request(
                method,
                f"/obi{path}",
                params=params,
                content=xml.encode(),
                headers=self.headers({"Content-Type": "application/xml", "Accept": "text/html"}),
            )
        return await self.client.request(
            method, f"/obi{path}", params=params, json=body, headers=self.headers()
        )

    async def add_customer(self, body: dict[str, Any], campaign_id: str | None = None) -> str:
        """POST a customer; its new id."""
        response = await self.send(
            "POST", f"/campaigns/{campaign_id or self.campaign_id}/customers", body
        )
        assert response.status_code == 201, response.text
        return response.text


async def make_obi(client: httpx.AsyncClient, tenant: Tenant) -> Obi:
    """A caller group and a campaign in it, through the native API."""
    group = await client.post(
        "/api/v1/caller_groups", json={"name": "Test Queue"}, headers=tenant.headers
    )
    assert group.status_code == 201, group.text
    campaign = await client.post(
        "/api/v1/campaigns",
        json={"name": "Test Campaign", "caller_group_id": group.json()["id"]},
        headers=tenant.headers,
    )
    assert campaign.status_code == 201, campaign.text
    return Obi(client, tenant, hex32(campaign.json()["id"]), hex32(group.json()["id"]))


@pytest.fixture
async def obi(client: httpx.AsyncClient, tenant: Tenant) -> Obi:
    """The tenant's OBI client and campaign."""
    return await make_obi(client, tenant)
