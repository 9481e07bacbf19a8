"""Searching a campaign's calls by `*`/`?` patterns on their fields and by time ranges."""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Select, String, cast, select
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import Call, Result
from phonebank.errors import Invalid
from phonebank.kit.wildcards import LIKE_ESCAPE, to_like

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


def _searched(campaign_id: uuid.UUID, search: CallSearch) -> Select[Call]:
    statement = select(Call).where(Call.campaign_id == campaign_id)
    for name, pattern in search.patterns.items():
        if name not in SEARCHABLE_COLUMNS:
            raise Invalid(f"calls cannot be searched by {name!r}", field=name)
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
