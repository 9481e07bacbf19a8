"""Live figures of a campaign for the dashboard, derived from the record (never counters)."""

import uuid
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import SESSION_STATES, Caller, CallerSession, CallerSessionSpan
from phonebank.calling.schemas import CampaignFigures, LedgerTotals
from phonebank.calls.models import UNDIALED_OUTCOMES, Attempt, Call
from phonebank.calls.statistics import abandon_rate
from phonebank.campaigns.models import Campaign


async def campaign_figures(
    session: AsyncSession,
    *,
    campaign: Campaign,
    now: datetime,
    dials_in_flight: int | None = None,
) -> CampaignFigures:
    """Callers by state, calls in flight, dials, contacts, progress and abandons, now.

    `dials_in_flight` comes from the running engine when it runs in this process; otherwise
    it is estimated from the record (open attempts, less the calls callers are on).
    """
    callers = dict.fromkeys((state for state in SESSION_STATES if state != "ended"), 0)
    for state, count in await session.execute(
        select(CallerSession.state, func.count())
        .where(CallerSession.campaign_id == campaign.id, CallerSession.ended_at.is_(None))
        .group_by(CallerSession.state)
    ):
        callers[state] = count
    outcomes: dict[str | None, int] = {
        outcome: count
        for outcome, count in await session.execute(
            select(Attempt.outcome, func.count())
            .where(Attempt.campaign_id == campaign.id)
            .group_by(Attempt.outcome)
        )
    }
    calls: dict[str, int] = {
        status: count
        for status, count in await session.execute(
            select(Call.status, func.count())
            .where(Call.campaign_id == campaign.id)
            .group_by(Call.status)
        )
    }
    humans, abandoned = outcomes.get("human", 0), outcomes.get("abandoned", 0)
    total_calls = sum(calls.values())
    done = total_calls - calls.get("requested", 0)
    not_dials = UNDIALED_OUTCOMES | {"rejected"}
    dials = sum(n for outcome, n in outcomes.items() if outcome not in not_dials)
    return CampaignFigures(
        campaign_id=campaign.id,
        status=campaign.status,
        at=now,
        callers=callers,
        calls_in_flight=(
            dials_in_flight
            if dials_in_flight is not None
            else max(0, outcomes.get(None, 0) - callers["connected"])
        ),
        dials=dials,
        human_answers=humans + abandoned,
        contacts=humans,
        machine_answers=outcomes.get("machine", 0),
        abandoned=abandoned,
        abandon_rate=abandon_rate(abandoned=abandoned, live_answers=humans + abandoned),
        abandon_target=campaign.abandon_rate_target / 100,
        calls_total=total_calls,
        calls_done=done,
        calls_by_status=calls,
        progress=done / total_calls if total_calls else 0.0,
    )


async def ledger_totals(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    campaign_id: uuid.UUID | None,
    caller_id: uuid.UUID | None,
    now: datetime,
) -> list[LedgerTotals]:
    """Seconds per state for each caller (finished spans, plus the state each is in now)."""
    scope = [CallerSession.organization_id == organization_id]
    if campaign_id is not None:
        scope.append(CallerSession.campaign_id == campaign_id)
    if caller_id is not None:
        scope.append(CallerSession.caller_id == caller_id)
    totals: dict[uuid.UUID, LedgerTotals] = {}

    def add(caller: uuid.UUID, state: str, seconds: float) -> LedgerTotals:
        entry = totals.setdefault(
            caller,
            LedgerTotals(
                caller_id=caller, campaign_id=campaign_id, sessions=0, seconds={}, login_seconds=0
            ),
        )
        if state != "ended":
            entry.seconds[state] = entry.seconds.get(state, 0.0) + seconds
            entry.login_seconds += seconds
        return entry

    spans = await session.execute(
        select(
            CallerSession.caller_id,
            CallerSessionSpan.started_at,
            CallerSessionSpan.ended_at,
            CallerSessionSpan.state,
        )
        .join(CallerSession, CallerSession.id == CallerSessionSpan.session_id)
        .where(*scope)
    )
    for caller, started, ended, state in spans:
        add(caller, state, ((ended or now) - started).total_seconds())
    for caller, state, since, ended_at in await session.execute(
        select(
            CallerSession.caller_id,
            CallerSession.state,
            CallerSession.state_since,
            CallerSession.ended_at,
        ).where(*scope)
    ):
        entry = add(caller, state, 0.0 if ended_at is not None else (now - since).total_seconds())
        entry.sessions += 1
    names: dict[uuid.UUID, str] = {
        caller: name
        for caller, name in await session.execute(
            select(Caller.id, Caller.name).where(Caller.id.in_(totals))
        )
    }
    return [totals[caller] for caller in sorted(totals, key=lambda c: names.get(c, ""))]


def sum_ledgers(entries: list[LedgerTotals], campaign_id: uuid.UUID | None) -> LedgerTotals:
    """Several callers' ledgers as one (a campaign's, when filtered by campaign)."""
    total = LedgerTotals(campaign_id=campaign_id, sessions=0, seconds={}, login_seconds=0.0)
    for entry in entries:
        total.sessions += entry.sessions
        total.login_seconds += entry.login_seconds
        for state, seconds in entry.seconds.items():
            total.seconds[state] = total.seconds.get(state, 0.0) + seconds
    return total
