"""The organization endpoint."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from tests.conftest import Tenant, make_tenant


async def test_get_and_update_own_organization(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    response = await client.patch(
        "/api/v1/organization",
        json={
            "max_call_attempts": 6,
            "default_country": "gb",
            "default_time_zone": "Europe/London",
        },
        headers=tenant.headers,
    )
    assert response.status_code == 200, response.text
    assert response.json()["default_country"] == "GB"
    assert response.json()["max_call_attempts"] == 6
    theirs = (await client.get("/api/v1/organization", headers=other_tenant.headers)).json()
    assert theirs["max_call_attempts"] == 10 and theirs["name"] == "Org B"


async def test_invalid_defaults_name_the_field(client: httpx.AsyncClient, tenant: Tenant) -> None:
    for body, field in [
        ({"default_time_zone": "Mars/Olympus"}, "default_time_zone"),
        ({"default_country": "USA"}, "default_country"),
        ({"max_call_attempts": 0}, "max_call_attempts"),
    ]:
        response = await client.patch("/api/v1/organization", json=body, headers=tenant.headers)
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == field


async def test_update_needs_admin(client: httpx.AsyncClient, session: AsyncSession) -> None:
    reader = await make_tenant(session, "R", scopes=[Scope.PEOPLE_READ])
    response = await client.patch(
        "/api/v1/organization", json={"name": "x"}, headers=reader.headers
    )
    assert response.status_code == 403
