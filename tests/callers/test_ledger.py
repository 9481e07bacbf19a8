"""Reading the time ledger: spans clipped to a window, open states until now, logouts."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.ledger import ledger_figures, logged_on
from phonebank.callers.models import Caller
from phonebank.callers.sessions import CurrentState, Span, record_ledger, start_session
from tests.calls.conftest import add_campaign
from tests.conftest import Tenant

MIDNIGHT = datetime(2026, 3, 4, tzinfo=UTC)


async def test_spans_per_day_open_states_and_logouts(
    session: AsyncSession, tenant: Tenant, other_tenant: Tenant
) -> None:
    campaign_id = await add_campaign(session, tenant)
    callers = [Caller(organization_id=tenant.organization_id, name=n) for n in ("A", "B")]
    session.add_all(callers)
    await session.flush()
    at = MIDNIGHT - timedelta(minutes=10)
    first, second = [
        await start_session(
            session, organization_id=tenant.organization_id, caller_id=caller.id,
            campaign_id=campaign_id, now=at,
        )
        for caller in callers
    ]  # fmt: skip
    minute = timedelta(minutes=1)
    await record_ledger(
        session,
        spans=[
            Span(first.id, "available", at, at + 2 * minute),
            Span(first.id, "connected", at + 2 * minute, MIDNIGHT + 3 * minute),
            Span(first.id, "wrap_up", MIDNIGHT + 3 * minute, MIDNIGHT + 4 * minute),
            Span(second.id, "paused", at, MIDNIGHT - minute),
        ],
        current=[
            CurrentState(first.id, "ended", MIDNIGHT + 4 * minute),
            CurrentState(second.id, "available", MIDNIGHT - minute),
        ],
    )
    now = MIDNIGHT + 9 * minute
    day_one = await ledger_figures(
        session, organization_id=tenant.organization_id, now=now,
        start=MIDNIGHT - timedelta(days=1), end=MIDNIGHT,
    )  # fmt: skip
    a, b = (campaign_id, callers[0].id), (campaign_id, callers[1].id)
    assert dict(day_one[a].seconds) == {"available": 120.0, "connected": 480.0}
    assert dict(day_one[b].seconds) == {"paused": 540.0, "available": 60.0}
    assert day_one[a].logouts_with_contact == 0
    day_two = await ledger_figures(
        session, organization_id=tenant.organization_id, now=now, start=MIDNIGHT
    )
    assert dict(day_two[a].seconds) == {"connected": 180.0, "wrap_up": 60.0}
    assert day_two[a].logged_in_seconds == 240.0
    assert day_two[a].logouts_with_contact == 1  # logged out from wrap-up
    assert dict(day_two[b].seconds) == {"available": 540.0}  # still logged in: until now
    only_b = await ledger_figures(
        session, organization_id=tenant.organization_id, now=now, caller_ids=[callers[1].id]
    )
    assert set(only_b) == {b}
    assert await logged_on(
        session, organization_id=tenant.organization_id, campaign_ids=[campaign_id]
    ) == {campaign_id: 1}
    assert (
        await ledger_figures(session, organization_id=other_tenant.organization_id, now=now) == {}
    )
    assert uuid.UUID(int=0) not in {key[0] for key in day_two}
