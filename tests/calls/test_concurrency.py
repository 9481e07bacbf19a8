"""Duplicate creates fired in parallel, each on its own connection and transaction."""

import asyncio
import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from phonebank.app import create_app
from phonebank.calls.models import Call
from phonebank.campaigns.models import Campaign
from phonebank.db import create_sessionmaker
from phonebank.organizations.models import Organization
from tests.calls.conftest import add_person
from tests.conftest import Tenant, make_tenant

PARALLEL_POSTS = 8


@pytest.fixture
async def committed_tenant(engine: AsyncEngine) -> AsyncIterator[tuple[Tenant, str, str]]:
    """A tenant, person and campaign really committed (and deleted afterwards)."""
    async with create_sessionmaker(engine)() as session, session.begin():
        tenant = await make_tenant(session, f"Concurrent {uuid.uuid4()}")
        person_id = await add_person(session, tenant, "+12125550109")
        campaign = Campaign(organization_id=tenant.organization_id, name="parallel")
        session.add(campaign)
        await session.flush()
        campaign_id = campaign.id
    yield tenant, str(person_id), str(campaign_id)
    async with create_sessionmaker(engine)() as session, session.begin():
        await session.execute(delete(Organization).where(Organization.id == tenant.organization_id))


async def test_parallel_duplicate_posts_create_one_call(
    engine: AsyncEngine, committed_tenant: tuple[Tenant, str, str]
) -> None:
    tenant, person_id, campaign_id = committed_tenant
    app = create_app()
    app.state.sessionmaker = create_sessionmaker(engine)
    call_id = str(uuid.uuid4())
    body = {"id": call_id, "person_id": person_id, "campaign_id": campaign_id}
    transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        responses = await asyncio.gather(
            *(
                client.post("/api/v1/calls", json=body, headers=tenant.headers)
                for _ in range(PARALLEL_POSTS)
            )
        )
    codes = sorted(response.status_code for response in responses)
    assert codes == [201] + [409] * (PARALLEL_POSTS - 1), [r.text for r in responses]
    async with create_sessionmaker(engine)() as session:
        count = await session.scalar(select(func.count()).where(Call.id == uuid.UUID(call_id)))
    assert count == 1
