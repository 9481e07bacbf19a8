"""Campaign figures derived from the record: call totals, attempt outcomes, contact results.

Nothing here is a kept counter: every figure is counted from calls, attempts and results
when asked, so it cannot drift from what happened.
"""

import uuid
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import ColumnElement, case, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.ledger import LedgerFigures, ledger_figures
from phonebank.calls.models import Attempt, Call, Result
from phonebank.calls.search import last_disposition_column, last_outcome_column

StatsKey = tuple[uuid.UUID, uuid.UUID | None]  # (campaign id, caller id; None: no caller)


def abandon_rate(*, abandoned: int, live_answers: int) -> float:
    """Abandoned calls over live answers (people reached, connected or abandoned); 0 with none."""
    return abandoned / live_answers if live_answers else 0.0


@dataclass(frozen=True)
class CallTotals:
    """How a campaign's calls stand now."""

    total: int = 0
    completed: int = 0
    requested: int = 0
    callable_now: int = 0
    expired: int = 0
    cancelled: int = 0


@dataclass
class AttemptFigures:
    """Finished attempts of one campaign and caller in a window."""

    # (outcome, disposition of the result saved for that attempt, or None) -> attempts
    outcomes: Counter[tuple[str | None, str | None]] = field(default_factory=Counter)
    customers: int = 0
    handled_customers: int = 0
    amount_calls: int = 0
    amount: float = 0.0

    @property
    def calls(self) -> int:
        """Finished attempts, dialed or not."""
        return sum(self.outcomes.values())


async def call_totals(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    campaign_ids: Sequence[uuid.UUID],
    now: datetime,
) -> dict[uuid.UUID, CallTotals]:
    """Calls per campaign by status, and how many could be dialed now (due, not in flight)."""
    if not campaign_ids:
        return {}

    def count(condition: Any) -> Any:
        return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)

    statement = (
        select(
            Call.campaign_id,
            func.count(),
            count(Call.status == "completed"),
            count(Call.status == "requested"),
            count(
                (Call.status == "requested")
                & (Call.next_call_at <= now)
                & Call.dialing_since.is_(None)
                & Call.next_number.is_not(None)
            ),
            count(Call.status == "expired"),
            count(Call.status == "cancelled"),
        )
        .where(Call.organization_id == organization_id, Call.campaign_id.in_(list(campaign_ids)))
        .group_by(Call.campaign_id)
    )
    return {
        row[0]: CallTotals(*(int(value) for value in row[1:]))
        for row in await session.execute(statement)
    }


async def calls_created_before(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    campaign_ids: Sequence[uuid.UUID],
    before: datetime,
) -> dict[uuid.UUID, int]:
    """Calls each campaign held at a moment (those created before it and still stored)."""
    if not campaign_ids:
        return {}
    rows = await session.execute(
        select(Call.campaign_id, func.count())
        .where(
            Call.organization_id == organization_id,
            Call.campaign_id.in_(list(campaign_ids)),
            Call.created_at < before,
        )
        .group_by(Call.campaign_id)
    )
    return {campaign_id: int(count) for campaign_id, count in rows}


def _attempt_conditions(
    organization_id: uuid.UUID,
    start: datetime | None,
    end: datetime | None,
    campaign_ids: Sequence[uuid.UUID] | None,
    caller_ids: Sequence[uuid.UUID] | None,
) -> list[ColumnElement[bool]]:
    """Finished attempts of the organization in the window (the query joins Call)."""
    conditions = [Call.organization_id == organization_id, Attempt.outcome.is_not(None)]
    if start is not None:
        conditions.append(Attempt.attempted_at >= start)
    if end is not None:
        conditions.append(Attempt.attempted_at < end)
    if campaign_ids is not None:
        conditions.append(Attempt.campaign_id.in_(list(campaign_ids)))
    if caller_ids is not None:
        conditions.append(Attempt.caller_id.in_(list(caller_ids)))
    return conditions


def _amount(notes: Any) -> float | None:
    value = notes.get("amount") if isinstance(notes, dict) else None
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        return None
    try:
        return float(value)
    except ValueError:
        return None


async def attempt_figures(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    start: datetime | None = None,
    end: datetime | None = None,
    campaign_ids: Sequence[uuid.UUID] | None = None,
    caller_ids: Sequence[uuid.UUID] | None = None,
) -> dict[StatsKey, AttemptFigures]:
    """Finished attempts placed in [start, end), by campaign and the caller who took them.

    An attempt belongs to the caller it was bridged to; one no caller took (unanswered,
    abandoned, machine) belongs to None. A result counts with the attempt it was saved for.
    """
    figures: dict[StatsKey, AttemptFigures] = defaultdict(AttemptFigures)
    conditions = _attempt_conditions(organization_id, start, end, campaign_ids, caller_ids)
    with_call = Call, Call.id == Attempt.call_id
    with_results = Result, Result.attempt_id == Attempt.id
    by_outcome = (
        select(
            Attempt.campaign_id,
            Attempt.caller_id,
            Attempt.outcome,
            Result.disposition,
            func.count(),
        )
        .join(*with_call)
        .outerjoin(*with_results)
        .where(*conditions)
        .group_by(Attempt.campaign_id, Attempt.caller_id, Attempt.outcome, Result.disposition)
    )
    for campaign_id, caller_id, outcome, disposition, count in await session.execute(by_outcome):
        figures[(campaign_id, caller_id)].outcomes[(outcome, disposition)] += int(count)
    distinct = (
        select(
            Attempt.campaign_id,
            Attempt.caller_id,
            func.count(func.distinct(Attempt.call_id)),
            func.count(func.distinct(Result.call_id)),
        )
        .join(*with_call)
        .outerjoin(*with_results)
        .where(*conditions)
        .group_by(Attempt.campaign_id, Attempt.caller_id)
    )
    for campaign_id, caller_id, customers, handled in await session.execute(distinct):
        item = figures[(campaign_id, caller_id)]
        item.customers, item.handled_customers = int(customers), int(handled)
    notes = (
        select(Attempt.campaign_id, Attempt.caller_id, Result.notes)
        .join(*with_call)
        .join(*with_results)
        .where(*conditions)
    )
    for campaign_id, caller_id, result_notes in await session.execute(notes):
        amount = _amount(result_notes)
        if amount is not None:
            item = figures[(campaign_id, caller_id)]
            item.amount_calls += 1
            item.amount += amount
    return dict(figures)


@dataclass(frozen=True)
class CallStanding:
    """Where a group of a campaign's calls stand: status, last attempt, last result."""

    status: str
    dialing: bool
    last_outcome: str | None
    last_disposition: str | None
    count: int


async def call_standings(session: AsyncSession, *, campaign_id: uuid.UUID) -> list[CallStanding]:
    """The campaign's calls grouped by status, in flight or not, last outcome and result."""
    dialing = case((Call.dialing_since.is_(None), 0), else_=1)
    outcome = last_outcome_column().label("outcome")
    disposition = last_disposition_column().label("disposition")
    inner = (
        select(Call.status, dialing.label("dialing"), outcome, disposition)
        .where(Call.campaign_id == campaign_id)
        .subquery()
    )
    rows = await session.execute(
        select(
            inner.c.status, inner.c.dialing, inner.c.outcome, inner.c.disposition, func.count()
        ).group_by(inner.c.status, inner.c.dialing, inner.c.outcome, inner.c.disposition)
    )
    return [
        CallStanding(status, bool(dialing_now), outcome_, disposition_, int(count))
        for status, dialing_now, outcome_, disposition_, count in rows
    ]


@dataclass
class GroupFigures:
    """Everything counted for one campaign and caller in a window."""

    attempts: AttemptFigures = field(default_factory=AttemptFigures)
    ledger: LedgerFigures = field(default_factory=LedgerFigures)


async def statistics(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    now: datetime,
    start: datetime | None = None,
    end: datetime | None = None,
    campaign_ids: Sequence[uuid.UUID] | None = None,
    caller_ids: Sequence[uuid.UUID] | None = None,
) -> dict[StatsKey, GroupFigures]:
    """Attempts and caller time in [start, end), by campaign and caller (None: no caller)."""
    groups: dict[StatsKey, GroupFigures] = defaultdict(GroupFigures)
    attempts = await attempt_figures(
        session,
        organization_id=organization_id,
        start=start,
        end=end,
        campaign_ids=campaign_ids,
        caller_ids=caller_ids,
    )
    for key, figures in attempts.items():
        groups[key].attempts = figures
    ledgers = await ledger_figures(
        session,
        organization_id=organization_id,
        now=now,
        start=start,
        end=end,
        campaign_ids=campaign_ids,
        caller_ids=caller_ids,
    )
    for ledger_key, ledger in ledgers.items():
        groups[ledger_key].ledger = ledger
    return dict(groups)
