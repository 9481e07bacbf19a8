"""Service accounts and API keys over the API."""

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.scopes import Scope
from tests.conftest import Tenant, make_tenant


async def test_create_account_issue_and_revoke(client: httpx.AsyncClient, tenant: Tenant) -> None:
    created = await client.post(
        "/api/v1/service_accounts",
        json={"name": "sync", "scopes": ["calls:read", "people:read"]},
        headers=tenant.headers,
    )
    assert created.status_code == 201, created.text
    issued = created.json()
    assert issued["api_key"].startswith(f"pb_{issued['key_id']}_")
    assert issued["api_key"].endswith(issued["api_auth"])
    new_headers = {"Authorization": f"Bearer {issued['api_key']}"}
    assert (await client.get("/api/v1/people", headers=new_headers)).status_code == 200
    assert (await client.get("/api/v1/service_accounts", headers=new_headers)).status_code == 403

    listed = (await client.get("/api/v1/service_accounts", headers=tenant.headers)).json()
    sync = next(account for account in listed if account["name"] == "sync")
    assert sync["scopes"] == ["calls:read", "people:read"]
    assert "api_auth" not in str(sync) and issued["api_auth"] not in str(listed)

    second = await client.post(
        f"/api/v1/service_accounts/{issued['service_account_id']}/api_keys", headers=tenant.headers
    )
    assert second.status_code == 201
    revoked = await client.delete(f"/api/v1/api_keys/{issued['id']}", headers=tenant.headers)
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await client.get("/api/v1/people", headers=new_headers)).status_code == 401
    again = await client.delete(f"/api/v1/api_keys/{issued['id']}", headers=tenant.headers)
    assert again.status_code == 409
    other = {"Authorization": f"Bearer {second.json()['api_key']}"}
    assert (await client.get("/api/v1/people", headers=other)).status_code == 200


async def test_unknown_scope_is_422(client: httpx.AsyncClient, tenant: Tenant) -> None:
    response = await client.post(
        "/api/v1/service_accounts",
        json={"name": "x", "scopes": ["calls:everything"]},
        headers=tenant.headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "scopes[0]"


async def test_other_organization_cannot_touch_keys(
    client: httpx.AsyncClient, tenant: Tenant, other_tenant: Tenant
) -> None:
    created = (
        await client.post(
            "/api/v1/service_accounts",
            json={"name": "mine", "scopes": ["people:read"]},
            headers=tenant.headers,
        )
    ).json()
    revoke = await client.delete(f"/api/v1/api_keys/{created['id']}", headers=other_tenant.headers)
    assert revoke.status_code == 404
    issue = await client.post(
        f"/api/v1/service_accounts/{created['service_account_id']}/api_keys",
        headers=other_tenant.headers,
    )
    assert issue.status_code == 404
    names = [
        a["name"]
        for a in (await client.get("/api/v1/service_accounts", headers=other_tenant.headers)).json()
    ]
    assert "mine" not in names


async def test_non_admin_cannot_manage_keys(
    client: httpx.AsyncClient, session: AsyncSession
) -> None:
    writer = await make_tenant(session, "Writers", scopes=[Scope.PEOPLE_WRITE])
    response = await client.post(
        "/api/v1/service_accounts", json={"name": "x", "scopes": ["admin"]}, headers=writer.headers
    )
    assert response.status_code == 403
