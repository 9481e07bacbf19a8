"""API keys may expire, and show when they were last used."""

from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.auth.models import ApiKey
from tests.conftest import Tenant


async def test_an_expired_key_is_401(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=30)).isoformat()
    account = await client.post(
        "/api/v1/service_accounts",
        json={"name": "Temp", "scopes": ["campaigns:read"], "expires_at": soon},
        headers=tenant.headers,
    )
    assert account.status_code == 201, account.text
    issued = account.json()
    assert issued["expires_at"] is not None
    key = {"Authorization": f"Bearer {issued['api_key']}"}
    assert (await client.get("/api/v1/campaigns", headers=key)).status_code == 200

    await session.execute(
        update(ApiKey)
        .where(ApiKey.key_id == issued["key_id"])
        .values(expires_at=datetime.now(UTC) - timedelta(seconds=1))
    )
    expired = await client.get("/api/v1/campaigns", headers=key)
    assert expired.status_code == 401, expired.text
    assert "expired" in expired.json()["detail"]


async def test_keys_are_issued_with_an_expiry_and_list_it_with_last_use(
    client: httpx.AsyncClient, tenant: Tenant
) -> None:
    account = (
        await client.post(
            "/api/v1/service_accounts",
            json={"name": "Reader", "scopes": ["campaigns:read"]},
            headers=tenant.headers,
        )
    ).json()
    past = (datetime.now(UTC) - timedelta(hours=1)).isoformat()
    refused = await client.post(
        f"/api/v1/service_accounts/{account['service_account_id']}/api_keys",
        json={"expires_at": past},
        headers=tenant.headers,
    )
    assert refused.status_code == 400 and refused.json()["field"] == "expires_at"
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    second = await client.post(
        f"/api/v1/service_accounts/{account['service_account_id']}/api_keys",
        json={"expires_at": later},
        headers=tenant.headers,
    )
    assert second.status_code == 201, second.text
    used = {"Authorization": f"Bearer {second.json()['api_key']}"}
    assert (await client.get("/api/v1/campaigns", headers=used)).status_code == 200
    listed = await client.get("/api/v1/service_accounts", headers=tenant.headers)
    [reader] = [a for a in listed.json() if a["name"] == "Reader"]
    [key] = [k for k in reader["api_keys"] if k["key_id"] == second.json()["key_id"]]
    assert key["expires_at"] is not None and key["last_used_at"] is not None
    without = await client.post(
        f"/api/v1/service_accounts/{account['service_account_id']}/api_keys",
        headers=tenant.headers,
    )
    assert without.status_code == 201 and without.json()["expires_at"] is None
