"""The dialer inside `serve`: engines follow the campaigns' status."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from phonebank.callers.models import Caller
from phonebank.callers.sessions import start_session
from phonebank.campaigns.models import Campaign
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.service import REJOIN_EVERY, DialerService
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


async def test_engines_take_open_sessions_they_were_not_told_of_but_not_ones_that_left(
    connection: AsyncConnection,
) -> None:
    sessionmaker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    clock = VirtualClock(datetime(2026, 7, 15, 15, 0, tzinfo=UTC))
    async with sessionmaker() as session, session.begin():
        organization = Organization(name="Service")
        session.add(organization)
        await session.flush()
        campaign = Campaign(organization_id=organization.id, name="on", status="started")
        callers = [Caller(organization_id=organization.id, name=f"c{n}") for n in range(2)]
        session.add_all([campaign, *callers])
        await session.flush()
    service = DialerService(sessionmaker, clock=clock)
    clock.call_later(0, service._discover)
    await clock.run(until=clock.now() + timedelta(seconds=1))
    engine = service.dialer_for(campaign.id)
    assert engine is not None and engine.agents == {}

    # Two sessions open while their joins were lost (sent as the campaign changed hands);
    # one of them left since.
    opened = []
    for caller in callers:
        async with sessionmaker() as session, session.begin():
            made = await start_session(
                session,
                organization_id=organization.id,
                caller_id=caller.id,
                campaign_id=campaign.id,
                now=clock.now(),
            )
            opened.append(made.id)
    engine.leave(opened[1])
    await clock.run(until=clock.now() + timedelta(seconds=REJOIN_EVERY + 1))
    assert set(engine.agents) == {opened[0]}
