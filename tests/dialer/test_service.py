"""The dialer inside `serve`: engines follow the campaigns' status."""

import uuid
from datetime import UTC, datetime

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from phonebank.campaigns.models import Campaign
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.service import DialerService
from phonebank.organizations.models import Organization


async def test_engines_start_for_started_campaigns_and_go_when_stopped(
    connection: AsyncConnection,
) -> None:
    sessionmaker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    async with sessionmaker() as session, session.begin():
        organization = Organization(name="Service")
        session.add(organization)
        await session.flush()
        started = Campaign(organization_id=organization.id, name="on", status="started")
        draft = Campaign(organization_id=organization.id, name="off", status="draft")
        session.add_all([started, draft])
    clock = VirtualClock(datetime(2026, 7, 15, 15, 0, tzinfo=UTC))
    service = DialerService(sessionmaker, clock=clock)
    clock.call_later(0, service._discover)
    await clock.run(until=clock.now().replace(second=2))
    assert set(service.dialers) == {started.id}
    assert service.dialers[started.id].running

    await _set_status(sessionmaker, started.id, "stopped")
    await clock.run(until=clock.now().replace(second=5))
    assert set(service.dialers) == set()


async def _set_status(
    sessionmaker: async_sessionmaker[AsyncSession], campaign_id: uuid.UUID, status: str
) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            update(Campaign).where(Campaign.id == campaign_id).values(status=status)
        )
