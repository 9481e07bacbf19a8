"""Logins back off after repeated failures, per account and per client address, and a PIN
login checks one hash, not one per caller of the campaign."""

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers import service as callers
from phonebank.callers.schemas import CallerCreate
from phonebank.organizations.models import Organization
from tests.calling.conftest import build_campaign
from tests.conftest import Tenant

PASSWORD = "a long enough password"


async def _caller(session: AsyncSession, tenant: Tenant, n: int, **fields: str) -> None:
    organization = await session.get_one(Organization, tenant.organization_id)
    await callers.create_caller(
        session,
        organization=organization,
        data=CallerCreate(name=f"Caller {n}", **fields),  # type: ignore[arg-type]
    )


async def _login(client: httpx.AsyncClient, **body: str) -> httpx.Response:
    return await client.post("/api/v1/caller/login", json=body)


async def test_a_password_guessed_too_often_waits_even_when_right(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    await _caller(session, tenant, 1, email="organizer@example.org", password=PASSWORD)
    for n in range(5):
        wrong = await _login(client, email="organizer@example.org", password=f"wrong {n} guess")
        assert wrong.status_code == 401
    refused = await _login(client, email="organizer@example.org", password=PASSWORD)
    assert refused.status_code == 429, refused.text
    assert int(refused.headers["Retry-After"]) >= 1
    assert refused.headers["content-type"] == "application/problem+json"
    # Another account from elsewhere is not held back by this one's failures.
    await _caller(session, tenant, 2, email="other@example.org", password=PASSWORD)
    assert (await _login(client, email="other@example.org", password=PASSWORD)).status_code == 200


async def test_one_address_trying_many_accounts_is_held_back(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    statuses = [
        (await _login(client, email=f"nobody{n}@example.org", password="guess guess")).status_code
        for n in range(21)
    ]
    assert statuses[:20] == [401] * 20
    assert statuses[20] == 429


async def test_pin_guesses_against_an_access_code_back_off(
    app: FastAPI, client: httpx.AsyncClient, session: AsyncSession, tenant: Tenant
) -> None:
    campaign, _ = await build_campaign(session, tenant.organization_id, 0)
    await _caller(session, tenant, 1, pin="4821")
    code = campaign.access_code or ""
    statuses = [
        (await _login(client, access_code=code, pin=f"{n:04d}")).status_code for n in range(6)
    ]
    assert statuses == [401] * 5 + [429]
    assert (await _login(client, access_code=code, pin="4821")).status_code == 429


async def test_a_pin_login_checks_one_hash_whatever_the_number_of_callers(
    app: FastAPI,
    client: httpx.AsyncClient,
    session: AsyncSession,
    tenant: Tenant,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    campaign, _ = await build_campaign(session, tenant.organization_id, 0)
    for n in range(20):
        await _caller(session, tenant, n, pin=f"{1000 + n}")
    checks: list[str] = []
    real_verify = callers.verify_password

    def counting(secret_hash: str | None, secret: str) -> bool:
        checks.append(secret)
        return real_verify(secret_hash, secret)

    monkeypatch.setattr(callers, "verify_password", counting)
    code = campaign.access_code or ""
    assert (await _login(client, access_code=code, pin="9999")).status_code == 401
    assert len(checks) <= 1, f"a wrong PIN cost {len(checks)} hash checks"
    checks.clear()
    assert (await _login(client, access_code=code, pin="1017")).status_code == 200
    assert len(checks) == 1
