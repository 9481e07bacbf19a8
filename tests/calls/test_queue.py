"""next_callable: calling hours in the contact's zone, blocks, due times, attempts, order."""

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.calls.models import Call
from phonebank.calls.policy import allowed_hours, inside_calling_hours
from phonebank.calls.queue import next_callable
from phonebank.campaigns.models import Campaign
from tests.calls.conftest import add_person
from tests.conftest import Tenant

# 13:30 in New York (EDT) is 07:30 in Honolulu.
NOW = datetime(2026, 7, 15, 17, 30, tzinfo=UTC)
NEW_YORK = "+12125550120"
HONOLULU = "+18085550121"


@pytest.fixture
async def campaign(session: AsyncSession, tenant: Tenant) -> Campaign:
    """A started campaign calling 09:00-21:00, four attempts."""
    campaign = Campaign(
        organization_id=tenant.organization_id, name="queue", status="started", retry_count=3
    )
    session.add(campaign)
    await session.flush()
    return campaign


async def add_call(
    session: AsyncSession, tenant: Tenant, campaign: Campaign, number: str, **fields: object
) -> Call:
    """A requested call to `number` in the campaign."""
    zones = {NEW_YORK: "America/New_York", HONOLULU: "Pacific/Honolulu"}
    person_id = await add_person(session, tenant, number)
    values: dict[str, object] = {
        "organization_id": tenant.organization_id,
        "campaign_id": campaign.id,
        "person_id": person_id,
        "numbers": [number],
        "next_number": number,
        "time_zone": zones.get(number, "America/New_York"),
        "next_call_at": NOW - timedelta(days=1),  # requested yesterday
    }
    values.update(fields)
    call = Call(**values)
    session.add(call)
    await session.flush()
    return call


async def callable_ids(
    session: AsyncSession, campaign: Campaign, now: datetime = NOW
) -> list[uuid.UUID]:
    """Ids next_callable returns, in order."""
    return [call.id for call in await next_callable(session, campaign=campaign, now=now, limit=50)]


async def test_honolulu_waits_while_new_york_is_called(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    new_york = await add_call(session, tenant, campaign, NEW_YORK)
    honolulu = await add_call(session, tenant, campaign, HONOLULU)
    assert await callable_ids(session, campaign) == [new_york.id]
    # Three hours later it is 10:30 in Honolulu: both may ring.
    later = await callable_ids(session, campaign, NOW + timedelta(hours=3))
    assert set(later) == {new_york.id, honolulu.id}


async def test_hours_are_clamped_to_8_to_21_local(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    campaign.daily_start_hour, campaign.daily_stop_hour = 0, 23
    call = await add_call(session, tenant, campaign, NEW_YORK)
    at = datetime(2026, 7, 16, 2, 0, tzinfo=UTC)  # 22:00 in New York
    assert await callable_ids(session, campaign, at) == []
    assert await callable_ids(session, campaign, at + timedelta(hours=10)) == [call.id]
    campaign.daily_start_hour, campaign.daily_stop_hour = 14, 17
    assert await callable_ids(session, campaign) == []  # 13:30 is before 14:00


async def test_every_zone_of_a_number_must_be_inside_hours() -> None:
    hours = allowed_hours(9, 21)
    at = datetime(2026, 7, 15, 13, 30, tzinfo=UTC)  # 09:30 New York, 08:30 Chicago
    assert inside_calling_hours("America/New_York", at, hours=hours, fallback_zone="UTC")
    assert not inside_calling_hours(
        "America/New_York|America/Chicago", at, hours=hours, fallback_zone="UTC"
    )
    assert inside_calling_hours(None, at, hours=hours, fallback_zone="America/New_York")


async def test_blocked_due_attempts_in_flight_and_external_are_left_out(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    ready = await add_call(session, tenant, campaign, NEW_YORK)
    await add_call(session, tenant, campaign, "+12125550122")
    session.add(BlockedNumber(organization_id=tenant.organization_id, number="+12125550122"))
    await add_call(session, tenant, campaign, "+12125550123")
    session.add(
        BlockedNumber(
            organization_id=tenant.organization_id, campaign_id=campaign.id, number="+12125550123"
        )
    )
    await add_call(
        session, tenant, campaign, "+12125550124", next_call_at=NOW + timedelta(minutes=5)
    )
    due = await add_call(
        session, tenant, campaign, "+12125550125", next_call_at=NOW - timedelta(minutes=5)
    )
    await add_call(session, tenant, campaign, "+12125550126", attempts_count=4)
    await add_call(session, tenant, campaign, "+12125550127", dialing_since=NOW)
    await add_call(session, tenant, campaign, "+12125550127")  # same number, being dialed
    await add_call(session, tenant, campaign, "+12125550128", external_metadata={"crm": 1})
    await add_call(session, tenant, campaign, "+12125550129", status="cancelled")
    await session.flush()
    # Same priority: the longest-due call first.
    assert await callable_ids(session, campaign) == [ready.id, due.id]


async def test_priority_then_due_time_orders_the_queue(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    low = await add_call(session, tenant, campaign, "+12125550130")
    high = await add_call(session, tenant, campaign, "+12125550131", priority=5)
    overdue = await add_call(
        session, tenant, campaign, "+12125550132", next_call_at=NOW - timedelta(hours=1)
    )
    assert await callable_ids(session, campaign) == [high.id, low.id, overdue.id]
    assert len(await next_callable(session, campaign=campaign, now=NOW, limit=2)) == 2


async def test_campaign_window_bounds_everything(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    await add_call(session, tenant, campaign, NEW_YORK)
    campaign.start_time = NOW + timedelta(days=1)
    assert await callable_ids(session, campaign) == []
    campaign.start_time, campaign.end_time = NOW - timedelta(days=2), NOW - timedelta(days=1)
    assert await callable_ids(session, campaign) == []
