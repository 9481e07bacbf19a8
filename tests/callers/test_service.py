"""Caller secrets: hashing and the password check that caller login uses."""

import uuid

import httpx
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.callers.service import (
    hash_password,
    verify_caller_password,
    verify_caller_pin,
    verify_password,
)
from tests.conftest import Tenant


def test_hash_and_verify_password() -> None:
    hashed = hash_password("s3cret pass")
    assert hashed.startswith("$argon2") and "s3cret" not in hashed
    assert hashed != hash_password("s3cret pass")  # salted
    assert verify_password(hashed, "s3cret pass") is True
    assert verify_password(hashed, "s3cret pas") is False
    assert verify_password(None, "anything") is False
    assert verify_password("not a hash", "anything") is False


async def test_verify_caller_password(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    body = {"name": "Alice", "email": "alice@example.org", "password": " pass with spaces "}
    created = await client.post("/api/v1/callers", json=body, headers=tenant.headers)
    assert created.status_code == 201, created.text

    async def check(organization: Tenant, email: str, password: str) -> Caller | None:
        return await verify_caller_password(
            session, organization_id=organization.organization_id, email=email, password=password
        )

    found = await check(tenant, "ALICE@example.org", " pass with spaces ")
    assert found is not None and str(found.id) == created.json()["id"]
    assert await check(tenant, "alice@example.org", "pass with spaces") is None
    assert await check(tenant, "nobody@example.org", " pass with spaces ") is None
    assert await check(other_tenant, "alice@example.org", " pass with spaces ") is None

    deactivated = await client.delete(created.json()["uri"], headers=tenant.headers)
    assert deactivated.status_code == 200
    assert await check(tenant, "alice@example.org", " pass with spaces ") is None


async def test_verify_caller_pin(
    client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    created = await client.post(
        "/api/v1/callers", json={"name": "Bo", "pin": "0042"}, headers=tenant.headers
    )
    caller = await session.get(Caller, uuid.UUID(created.json()["id"]))
    assert caller is not None
    assert verify_caller_pin(caller, "0042") is True
    assert verify_caller_pin(caller, "42") is False
