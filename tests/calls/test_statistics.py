"""Figures counted from the record: call totals, attempts by outcome and result, amounts."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller
from phonebank.calls.models import Attempt, Call, Result
from phonebank.calls.statistics import attempt_figures, call_standings, call_totals, statistics
from tests.calls.conftest import add_campaign, add_person
from tests.conftest import Tenant

NOON = datetime(2026, 3, 3, 12, tzinfo=UTC)


async def test_figures_by_campaign_caller_and_window(session: AsyncSession, tenant: Tenant) -> None:
    campaign_id = await add_campaign(session, tenant)
    person_id = await add_person(session, tenant, "+12125550101")
    caller = Caller(organization_id=tenant.organization_id, name="Ann")
    session.add(caller)
    await session.flush()

    def call(status: str, **fields: object) -> Call:
        values: dict[str, object] = {"next_call_at": NOON, **fields}
        made = Call(organization_id=tenant.organization_id, campaign_id=campaign_id,
                    person_id=person_id, status=status, numbers=["+12125550101"],
                    next_number="+12125550101", **values)  # fmt: skip
        session.add(made)
        return made

    sold, busy, expired = call("completed"), call("requested"), call("expired")
    call("cancelled")
    call("requested", dialing_since=NOON)
    call("requested", next_call_at=NOON + timedelta(days=3650))
    await session.flush()
    attempts = [
        Attempt(call_id=sold.id, campaign_id=campaign_id, outcome="no_answer", attempted_at=NOON),
        Attempt(call_id=sold.id, campaign_id=campaign_id, outcome="human", caller_id=caller.id,
                attempted_at=NOON + timedelta(hours=1)),
        Attempt(call_id=busy.id, campaign_id=campaign_id, outcome="busy", attempted_at=NOON),
        Attempt(call_id=expired.id, campaign_id=campaign_id, outcome="machine",
                attempted_at=NOON + timedelta(days=1)),
        Attempt(call_id=busy.id, campaign_id=campaign_id, outcome=None,
                attempted_at=NOON + timedelta(minutes=1)),
    ]  # fmt: skip
    session.add_all(attempts)
    await session.flush()
    session.add(
        Result(call_id=sold.id, campaign_id=campaign_id, attempt_id=attempts[1].id,
               caller_id=caller.id, disposition="Sale", notes={"amount": "12.5"})
    )  # fmt: skip
    await session.flush()

    organization_id = tenant.organization_id
    totals = await call_totals(
        session, organization_id=organization_id, campaign_ids=[campaign_id], now=NOON
    )
    assert totals[campaign_id].total == 6
    assert (totals[campaign_id].completed, totals[campaign_id].expired) == (1, 1)
    assert (totals[campaign_id].cancelled, totals[campaign_id].requested) == (1, 3)
    assert totals[campaign_id].callable_now == 1  # not in flight, not due later

    day = await attempt_figures(
        session, organization_id=organization_id, start=NOON.replace(hour=0),
        end=NOON.replace(hour=0) + timedelta(days=1),
    )  # fmt: skip
    ann, dialer = day[(campaign_id, caller.id)], day[(campaign_id, None)]
    assert dict(ann.outcomes) == {("human", "Sale"): 1}
    assert (ann.customers, ann.handled_customers, ann.amount_calls, ann.amount) == (1, 1, 1, 12.5)
    assert dict(dialer.outcomes) == {("no_answer", None): 1, ("busy", None): 1}
    assert dialer.calls == 2 and dialer.customers == 2 and dialer.handled_customers == 0
    everything = await statistics(session, organization_id=organization_id, now=NOON)
    assert everything[(campaign_id, None)].attempts.calls == 3
    only_ann = await statistics(
        session, organization_id=organization_id, now=NOON, caller_ids=[caller.id]
    )
    assert set(only_ann) == {(campaign_id, caller.id)}
    assert await statistics(session, organization_id=uuid.uuid4(), now=NOON) == {}

    standings = {
        (s.status, s.dialing, s.last_outcome, s.last_disposition): s.count
        for s in await call_standings(session, campaign_id=campaign_id)
    }
    assert standings == {
        ("completed", False, "human", "Sale"): 1,
        ("requested", False, None, None): 2,  # busy's latest attempt is still in flight
        ("expired", False, "machine", None): 1,
        ("cancelled", False, None, None): 1,
        ("requested", True, None, None): 1,
    }
