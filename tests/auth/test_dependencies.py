"""Authentication: the three accepted credential forms, and every way to be refused."""

import hashlib

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.models import ApiKey
from phonebank.auth.scopes import Scope
from tests.conftest import Tenant, make_tenant


async def test_bearer_osdi_header_and_impact_pair_all_work(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    forms = [
        {"headers": {"Authorization": f"Bearer {tenant.token}"}},
        {"headers": {"OSDI-API-Token": tenant.token}},
        {"params": {"api_key": tenant.key_id, "api_auth": tenant.secret}},
        {"headers": {"api_key": tenant.key_id, "api_auth": tenant.secret}},
    ]
    for form in forms:
        response = await client.get("/api/v1/organization", **form)  # type: ignore[arg-type]
        assert response.status_code == 200, form
        assert response.json()["id"] == str(tenant.organization_id)


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer pb_nope_nope"},
        {"Authorization": "Bearer not-a-key"},
        {"OSDI-API-Token": "pb_x_y"},
    ],
)
async def test_missing_or_wrong_key_is_401(
    client: httpx.AsyncClient, tenant: Tenant, headers: dict[str, str]
) -> None:
    response = await client.get("/api/v1/people", headers=headers)
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def test_right_id_wrong_secret_is_401(client: httpx.AsyncClient, tenant: Tenant) -> None:
    token = f"pb_{tenant.key_id}_{'x' * 43}"
    response = await client.get("/api/v1/people", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 401


async def test_missing_scope_is_403(client: httpx.AsyncClient, session: AsyncSession) -> None:
    reader = await make_tenant(session, "Readers", scopes=[Scope.PEOPLE_READ])
    assert (await client.get("/api/v1/people", headers=reader.headers)).status_code == 200
    denied = await client.post("/api/v1/people", json={"given_name": "A"}, headers=reader.headers)
    assert denied.status_code == 403
    assert "people:write" in denied.json()["detail"]


async def test_secret_is_stored_hashed(session: AsyncSession, tenant: Tenant) -> None:
    key = await session.scalar(select(ApiKey).where(ApiKey.key_id == tenant.key_id))
    assert key is not None
    assert key.secret_hash == hashlib.sha256(tenant.secret.encode()).hexdigest()
    assert tenant.secret not in {key.secret_hash, key.key_id}
