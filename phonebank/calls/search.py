"""Searching a campaign's calls by `*`/`?` patterns on their fields and by time ranges."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Attempt, Call, Result
from phonebank.errors import Invalid
from phonebank.kit.wildcards import LIKE_ESCAPE, check_pattern, to_like

# Call columns a pattern may be matched against.
SEARCHABLE_COLUMNS = frozenset(
    {"external_id", "priority", "time_zone", "attempts_count", "dialing_mode", "preview_seconds"}
)


@dataclass(frozen=True)
class CallSearch:
    """Narrowing of a campaign's calls; every condition given must hold."""

    patterns: Mapping[str, str] = field(default_factory=dict)
    preferred_caller_ids: Sequence[uuid.UUID] | None = None
    next_call_after: datetime | None = None
    next_call_before: datetime | None = None
    modified_after: datetime | None = None
    modified_before: datetime | None = None


def _latest_attempt(column: Any) -> Any:
    return (
        select(column)
        .where(Attempt.call_id == Call.id)
        .order_by(Attempt.attempted_at.desc(), Attempt.id.desc())
        .limit(1)
        .scalar_subquery()
    )


def last_outcome_column() -> Any:
    """The outcome of a call's latest attempt, as a correlated subquery."""
    return _latest_attempt(Attempt.outcome)


def last_number_column() -> Any:
    """The number a call's latest attempt dialed, as a correlated subquery."""
    return _latest_attempt(Attempt.number)


def last_disposition_column() -> Any:
    """The disposition of a call's latest result, as a correlated subquery."""
    return (
        select(Result.disposition)
        .where(Result.call_id == Call.id)
        .order_by(Result.created_at.desc(), Result.id.desc())
        .limit(1)
        .scalar_subquery()
    )


@dataclass(frozen=True)
class CallSummary:
    """A call's standing in a few columns: enough to judge it without loading it whole."""

    id: uuid.UUID
    status: str
    dialing: bool
    last_outcome: str | None
    last_disposition: str | None
    last_number: str | None
    numbers: list[str]
    next_number_index: int
    attributes: dict[str, Any]


def _searched(campaign_id: uuid.UUID, search: CallSearch) -> Select[Call]:
    statement = select(Call).where(Call.campaign_id == campaign_id)
    for name, pattern in search.patterns.items():
        if name not in SEARCHABLE_COLUMNS:
            raise Invalid(f"calls cannot be searched by {name!r}", field=name)
        check_pattern(pattern, field=name)
        column: Any = getattr(Call, name)
        text = (
            column if name in {"external_id", "time_zone", "dialing_mode"} else cast(column, String)
        )
        statement = statement.where(text.ilike(to_like(pattern), escape=LIKE_ESCAPE))
    if search.preferred_caller_ids is not None:
        statement = statement.where(Call.preferred_caller_id.in_(search.preferred_caller_ids))
    if search.next_call_after is not None:
        statement = statement.where(Call.next_call_at > search.next_call_after)
    if search.next_call_before is not None:
        statement = statement.where(Call.next_call_at < search.next_call_before)
    if search.modified_after is not None:
        statement = statement.where(Call.modified_at > search.modified_after)
    if search.modified_before is not None:
        statement = statement.where(Call.modified_at < search.modified_before)
    return statement.order_by(Call.created_at, Call.id)


async def search_campaign_calls(
    session: AsyncSession,
    *,
    campaign_id: uuid.UUID,
    search: CallSearch,
    offset: int = 0,
    limit: int | None = None,
) -> Sequence[Call]:
    """The campaign's calls matching `search`, oldest first, `limit` of them after `offset`."""
    statement = _searched(campaign_id, search).offset(offset)
    if limit is not None:
        statement = statement.limit(limit)
    return (await session.scalars(statement)).all()


async def summarize_campaign_calls(
    session: AsyncSession, *, campaign_id: uuid.UUID, search: CallSearch
) -> list[CallSummary]:
    """Every call of the campaign matching `search`, oldest first, in summary."""
    statement = _searched(campaign_id, search).with_only_columns(
        Call.id,
        Call.status,
        Call.dialing_since,
        last_outcome_column(),
        last_disposition_column(),
        last_number_column(),
        Call.numbers,
        Call.next_number_index,
        Call.attributes,
    )
    return [
        CallSummary(
            id=row[0],
            status=row[1],
            dialing=row[2] is not None,
            last_outcome=row[3],
            last_disposition=row[4],
            last_number=row[5],
            numbers=list(row[6] or []),
            next_number_index=row[7],
            attributes=dict(row[8] or {}),
        )
        for row in await session.execute(statement)
    ]


async def calls_by_id(session: AsyncSession, *, call_ids: Sequence[uuid.UUID]) -> list[Call]:
    """The calls with these ids, in the order given."""
    found: dict[uuid.UUID, Call] = {}
    for start in range(0, len(call_ids), 500):
        chunk = list(call_ids[start : start + 500])
        rows = await session.scalars(select(Call).where(Call.id.in_(chunk)))
        found.update((call.id, call) for call in rows)
    return [found[call_id] for call_id in call_ids if call_id in found]


async def latest_results(
    session: AsyncSession, *, call_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, Result]:
    """Each call's latest result (with its answers), for the calls that have one."""
    latest: dict[uuid.UUID, Result] = {}
    for start in range(0, len(call_ids), 500):
        rows = await session.scalars(
            select(Result)
            .where(Result.call_id.in_(list(call_ids[start : start + 500])))
            .order_by(Result.created_at, Result.id)
        )
        for result in rows:
            latest[result.call_id] = result
    return latest
