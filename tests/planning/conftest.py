"""Fixtures for planning tests: a campaign with a known record of attempts and wrap-ups."""

import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import Caller, CallerSession, CallerSessionSpan
from phonebank.calls.models import Attempt, Call
from tests.calls.conftest import add_campaign, add_person
from tests.conftest import Tenant

NOON = datetime(2026, 3, 3, 12, tzinfo=UTC)
# 40 dials: 10 answered by a person (2 of them abandoned), 8 machines, 4 busy, 16 unanswered,
# 2 failed; plus attempts that were never dials and must not count.
OUTCOMES = {"human": 8, "abandoned": 2, "machine": 8, "busy": 4, "no_answer": 16, "failed": 2}
NOT_DIALS = {"not_dialed": 3, "skipped": 2, "rejected": 1, "cancelled": 1}
RING_SECONDS, TALK_SECONDS, WRAP_SECONDS = 6.0, 120.0, 30.0


async def add_recorded_campaign(session: AsyncSession, tenant: Tenant) -> uuid.UUID:
    """A campaign whose attempts and wrap-ups have the rates of the constants above."""
    campaign_id = await add_campaign(session, tenant, abandon_rate_target=3.0)
    person_id = await add_person(session, tenant, "+12125550101")
    caller = Caller(organization_id=tenant.organization_id, name="Ann")
    number = "+12125550101"
    call = Call(organization_id=tenant.organization_id, campaign_id=campaign_id,
                person_id=person_id, numbers=[number], next_number=number)  # fmt: skip
    session.add_all([caller, call])
    await session.flush()
    moment = NOON
    for outcome, count in {**OUTCOMES, **NOT_DIALS}.items():
        for _ in range(count):
            moment += timedelta(minutes=5)
            ended = moment + timedelta(seconds=20)
            attempt = Attempt(call_id=call.id, campaign_id=campaign_id, outcome=outcome,
                              attempted_at=moment, ended_at=ended)  # fmt: skip
            if outcome in ("human", "abandoned"):
                attempt.answered_at = moment + timedelta(seconds=RING_SECONDS)
            if outcome == "human":
                attempt.bridged_at = attempt.answered_at
                attempt.ended_at = moment + timedelta(seconds=RING_SECONDS + TALK_SECONDS)
            session.add(attempt)
    caller_session = CallerSession(organization_id=tenant.organization_id, caller_id=caller.id,
                                   campaign_id=campaign_id, started_at=NOON)  # fmt: skip
    session.add(caller_session)
    await session.flush()
    for n in range(6):
        start = NOON + timedelta(minutes=10 * n)
        end = start + timedelta(seconds=WRAP_SECONDS)
        span = CallerSessionSpan(session_id=caller_session.id, state="wrap_up", started_at=start,
                                 ended_at=end)  # fmt: skip
        session.add(span)
    await session.flush()
    return campaign_id
