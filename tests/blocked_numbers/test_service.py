"""The dial-time rule: `is_blocked` and the reusable `blocked_clause`."""

import uuid

from sqlalchemy import literal, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.blocked_numbers.service import blocked_clause, is_blocked
from phonebank.campaigns.models import Campaign
from tests.conftest import Tenant


async def _campaign(session: AsyncSession, organization_id: uuid.UUID, name: str) -> Campaign:
    campaign = Campaign(organization_id=organization_id, name=name)
    session.add(campaign)
    await session.flush()
    return campaign


async def test_is_blocked_scopes(
    session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    org = tenant.organization_id
    first = await _campaign(session, org, "First")
    second = await _campaign(session, org, "Second")
    session.add_all(
        [
            BlockedNumber(organization_id=org, number="+14155552671"),
            BlockedNumber(organization_id=org, campaign_id=first.id, number="+12025550173"),
        ]
    )
    await session.flush()

    async def blocked(
        number: str, campaign_id: uuid.UUID | None, organization_id: uuid.UUID = org
    ) -> bool:
        return await is_blocked(
            session, organization_id=organization_id, number=number, campaign_id=campaign_id
        )

    assert await blocked("+14155552671", first.id) is True
    assert await blocked("+14155552671", second.id) is True
    assert await blocked("+14155552671", None) is True
    assert await blocked("+12025550173", first.id) is True
    assert await blocked("+12025550173", second.id) is False
    assert await blocked("+12025550173", None) is False
    assert await blocked("+16502530000", first.id) is False
    assert await blocked("+14155552671", None, other_tenant.organization_id) is False


async def test_blocked_clause_filters_a_query_by_columns(
    session: AsyncSession, tenant: Tenant
) -> None:
    org = tenant.organization_id
    first = await _campaign(session, org, "First")
    second = await _campaign(session, org, "Second")
    session.add(BlockedNumber(organization_id=org, campaign_id=second.id, number="+12025550173"))
    await session.flush()
    # The dialer joins calls to campaigns; here campaigns stand in for the queue rows.
    number = literal("+12025550173")
    dialable = await session.scalars(
        select(Campaign.name)
        .where(
            Campaign.organization_id == org,
            ~blocked_clause(Campaign.organization_id, number, Campaign.id),
        )
        .order_by(Campaign.name)
    )
    assert dialable.all() == [first.name]

    session.add(BlockedNumber(organization_id=org, number="+12025550173"))
    await session.flush()
    dialable = await session.scalars(
        select(Campaign.name).where(
            Campaign.organization_id == org,
            ~blocked_clause(Campaign.organization_id, number, Campaign.id),
        )
    )
    assert dialable.all() == []
