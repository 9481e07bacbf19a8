"""Helpers for the OSDI face: a client that starts at the entry point and follows links."""

from typing import Any

import httpx
import pytest

from tests.conftest import Tenant

ENTRY = "/osdi/v1/"


class Osdi:
    """Speaks OSDI for one tenant: every URL after the entry point comes from a link."""

    def __init__(self, client: httpx.AsyncClient, tenant: Tenant) -> None:
        self.client = client
        self.headers = {"OSDI-API-Token": tenant.token}
        self.entry: dict[str, Any] = {}

    async def start(self) -> dict[str, Any]:
        """Read the entry point."""
        self.entry = await self.get(ENTRY)
        return self.entry

    def href(self, rel: str, resource: dict[str, Any] | None = None) -> str:
        """The href of `rel` in a resource (the entry point by default)."""
        links = (resource if resource is not None else self.entry)["_links"]
        value = links[rel]
        return str(value[0]["href"] if isinstance(value, list) else value["href"])

    async def request(
        self, method: str, url: str, body: Any = None, *, expect: int = 200, **params: Any
    ) -> dict[str, Any]:
        """Send a request and check the status; returns the JSON body."""
        response = await self.client.request(
            method, url, json=body, headers=self.headers, params=params or None
        )
        assert response.status_code == expect, (method, url, response.status_code, response.text)
        assert response.headers["content-type"].startswith("application/hal+json")
        result: dict[str, Any] = response.json()
        return result

    async def get(self, url: str, *, expect: int = 200, **params: Any) -> dict[str, Any]:
        """GET."""
        return await self.request("GET", url, expect=expect, **params)

    async def post(self, url: str, body: Any, *, expect: int = 200) -> dict[str, Any]:
        """POST."""
        return await self.request("POST", url, body, expect=expect)

    async def put(self, url: str, body: Any, *, expect: int = 200) -> dict[str, Any]:
        """PUT."""
        return await self.request("PUT", url, body, expect=expect)

    async def delete(self, url: str, *, expect: int = 200) -> dict[str, Any]:
        """DELETE."""
        return await self.request("DELETE", url, expect=expect)

    async def follow(self, rel: str, resource: dict[str, Any] | None = None) -> dict[str, Any]:
        """GET the link `rel` of a resource (the entry point by default)."""
        return await self.get(self.href(rel, resource))


@pytest.fixture
async def osdi(client: httpx.AsyncClient, tenant: Tenant) -> Osdi:
    """An OSDI client of the tenant, having read the entry point."""
    speaker = Osdi(client, tenant)
    await speaker.start()
    return speaker


def error_of(body: dict[str, Any]) -> dict[str, Any]:
    """The `osdi:error` of a body, checked for its shape."""
    error: dict[str, Any] = body["osdi:error"]
    assert isinstance(error["response_code"], int)
    assert error["error_description"]
    return error


def properties_of(body: dict[str, Any]) -> list[str]:
    """The fields an `osdi:error` body names."""
    return [
        prop
        for status in error_of(body)["resource_status"]
        for item in status["errors"]
        for prop in item.get("properties", [])
    ]
