"""Fixtures for call tests: a person with numbers and a campaign to call them in."""

import uuid

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.campaigns.models import Campaign
from phonebank.organizations.models import Organization
from phonebank.people.schemas import PersonCreate
from phonebank.people.service import create_person
from tests.conftest import Tenant


async def add_person(session: AsyncSession, tenant: Tenant, *numbers: str) -> uuid.UUID:
    """A person of the tenant with these numbers (primary first)."""
    organization = await session.get_one(Organization, tenant.organization_id)
    person = await create_person(
        session,
        organization=organization,
        data=PersonCreate.model_validate(
            {"given_name": "Pat", "phone_numbers": [{"number": n} for n in numbers]}
        ),
    )
    return person.id


async def add_campaign(session: AsyncSession, tenant: Tenant, **fields: object) -> uuid.UUID:
    """A campaign of the tenant."""
    campaign = Campaign(organization_id=tenant.organization_id, name="Test campaign", **fields)
    session.add(campaign)
    await session.flush()
    return campaign.id


@pytest.fixture
async def person_id(session: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A person in New York with a second number in Honolulu."""
    return await add_person(session, tenant, "+12125550101", "+18085550102")


@pytest.fixture
async def campaign_id(session: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A campaign allowing 3 attempts (2 retries)."""
    return await add_campaign(session, tenant, retry_count=2)
