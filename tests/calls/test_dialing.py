"""record_outcomes: what a caller's preview skip, and a number let go undialed, do to a call."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.calls.dialing import DialOutcome, PlacedDial, claim_dials, record_outcomes
from phonebank.calls.models import Attempt, Call
from phonebank.calls.queue import next_callable
from phonebank.campaigns.models import Campaign
from phonebank.webhooks.models import WebhookDelivery
from phonebank.webhooks.service import create_subscription
from tests.calls.conftest import add_person
from tests.conftest import Tenant

# 13:30 in New York.
NOW = datetime(2026, 7, 15, 17, 30, tzinfo=UTC)
NUMBERS = ["+12125550130", "+12125550131"]
NO_ANSWER_WAIT = timedelta(seconds=1200)


@pytest.fixture
async def campaign(session: AsyncSession, tenant: Tenant) -> Campaign:
    """A started preview campaign whose calls wait 20 minutes after no answer."""
    campaign = Campaign(
        organization_id=tenant.organization_id,
        name="dialing",
        status="started",
        dialing_mode="preview",
        retry_delay_no_answer_seconds=int(NO_ANSWER_WAIT.total_seconds()),
    )
    session.add(campaign)
    await session.flush()
    return campaign


async def claimed(
    session: AsyncSession, tenant: Tenant, campaign: Campaign, due: timedelta = timedelta(hours=1)
) -> PlacedDial:
    """A call with two numbers due `due` ago, taken by the dialer (its attempt recorded, not
    yet dialed)."""
    call = Call(
        organization_id=tenant.organization_id,
        campaign_id=campaign.id,
        person_id=await add_person(session, tenant, *NUMBERS),
        numbers=NUMBERS,
        next_number=NUMBERS[0],
        time_zone="America/New_York",
        next_call_at=NOW - due,
    )
    session.add(call)
    await session.flush()
    (placed,) = await claim_dials(session, campaign=campaign, now=NOW, limit=1)
    assert placed.call_id == call.id
    return placed


async def caller(session: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A caller of the tenant."""
    row = Caller(organization_id=tenant.organization_id, name="Previewer")
    session.add(row)
    await session.flush()
    return row.id


async def settle(
    session: AsyncSession, campaign: Campaign, placed: PlacedDial, outcome: str, **fields: Any
) -> Call:
    """Record the outcome five seconds after the claim; the call as stored then."""
    ended = NOW + timedelta(seconds=5)
    await record_outcomes(
        session,
        campaign=campaign,
        outcomes=[
            DialOutcome(placed.attempt_id, placed.call_id, outcome, ended_at=ended, **fields)
        ],
        now=ended,
    )
    return await session.get_one(Call, placed.call_id, populate_existing=True)


async def callable_at(session: AsyncSession, campaign: Campaign, at: datetime) -> list[uuid.UUID]:
    """Ids of the calls the dialer may take at `at`."""
    return [call.id for call in await next_callable(session, campaign=campaign, now=at, limit=10)]


async def test_a_skip_is_no_attempt_and_sends_the_call_to_the_back_of_the_line(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    placed = await claimed(session, tenant, campaign)
    caller_id = await caller(session, tenant)

    call = await settle(session, campaign, placed, "skipped", caller_id=caller_id)

    assert (call.status, call.attempts_count, call.dialing_since) == ("requested", 0, None)
    assert call.next_call_at == NOW + timedelta(seconds=5) + NO_ANSWER_WAIT
    # A skip is about the contact, not the number: the same number is offered next time.
    assert (call.next_number_index, call.next_number) == (0, NUMBERS[0])
    attempt = await session.get_one(Attempt, placed.attempt_id, populate_existing=True)
    assert (attempt.outcome, attempt.caller_id) == ("skipped", caller_id)
    later = NOW + timedelta(seconds=5) + NO_ANSWER_WAIT
    assert await callable_at(session, campaign, later - timedelta(seconds=1)) == []
    assert await callable_at(session, campaign, later) == [call.id]


async def test_a_number_let_go_undialed_is_offered_again_at_once(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    placed = await claimed(session, tenant, campaign)

    call = await settle(session, campaign, placed, "not_dialed")

    assert (call.status, call.attempts_count, call.dialing_since) == ("requested", 0, None)
    assert call.next_call_at == NOW - timedelta(hours=1)
    assert await callable_at(session, campaign, NOW + timedelta(seconds=6)) == [call.id]


async def test_a_skip_of_a_call_cancelled_meanwhile_leaves_it_cancelled(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    placed = await claimed(session, tenant, campaign)
    call = await session.get_one(Call, placed.call_id)
    call.status, call.cancelled_at = "cancelled", NOW
    await session.flush()

    call = await settle(session, campaign, placed, "skipped")

    assert (call.status, call.attempts_count) == ("cancelled", 0)
    assert call.next_call_at == NOW - timedelta(hours=1)


async def test_subscribers_hear_of_a_skip_but_not_of_a_number_let_go(
    session: AsyncSession, tenant: Tenant, campaign: Campaign
) -> None:
    await create_subscription(
        session,
        organization_id=tenant.organization_id,
        url="https://example.org/h",
        events=["attempt.completed", "call.state_changed"],
    )
    caller_id = await caller(session, tenant)
    let_go = await claimed(session, tenant, campaign)
    await settle(session, campaign, let_go, "not_dialed")
    # Due before the one let go, which is callable again at once.
    skipped = await claimed(session, tenant, campaign, due=timedelta(hours=2))
    await settle(session, campaign, skipped, "skipped", caller_id=caller_id)

    rows = await session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.created_at))
    events = [(row.payload["type"], row.payload["data"]) for row in rows]
    completed = [data for kind, data in events if kind == "attempt.completed"]
    assert [data["attempt_id"] for data in completed] == [str(skipped.attempt_id)]
    assert (completed[0]["outcome"], completed[0]["caller_id"]) == ("skipped", str(caller_id))
    assert (completed[0]["call_status"], completed[0]["attempts_count"]) == ("requested", 0)
    ended = {
        data["attempt_id"]: data["outcome"]
        for kind, data in events
        if kind == "call.state_changed" and data["state"] == "ended"
    }
    assert ended == {str(let_go.attempt_id): "not_dialed", str(skipped.attempt_id): "skipped"}
