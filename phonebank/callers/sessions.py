"""Caller sessions: one caller in one campaign, its state, and the time ledger of its states.

The ledger holds one row per finished state span; the state a session is in now is on the
session itself (`state`, `state_since`). Time per state is the sum of the finished spans plus
the time since `state_since` for the current one.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import insert, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import SESSION_STATES, CallerSession, CallerSessionSpan
from phonebank.errors import Invalid


@dataclass(frozen=True)
class Span:
    """A caller session was in `state` from `started_at` to `ended_at`."""

    session_id: uuid.UUID
    state: str
    started_at: datetime
    ended_at: datetime


@dataclass(frozen=True)
class CurrentState:
    """Where a session stands now."""

    session_id: uuid.UUID
    state: str
    since: datetime


async def start_session(
    session: AsyncSession,
    *,
    organization_id: uuid.UUID,
    caller_id: uuid.UUID,
    campaign_id: uuid.UUID,
    now: datetime,
    state: str = "available",
) -> CallerSession:
    """Log a caller into a campaign."""
    caller_session = CallerSession(
        id=uuid.uuid4(),
        organization_id=organization_id,
        caller_id=caller_id,
        campaign_id=campaign_id,
        state=state,
        state_since=now,
        started_at=now,
    )
    session.add(caller_session)
    await session.flush()
    return caller_session


async def record_ledger(
    session: AsyncSession, *, spans: Sequence[Span], current: Sequence[CurrentState]
) -> None:
    """Store finished spans and each session's current state, one statement for each."""
    for state in [span.state for span in spans] + [item.state for item in current]:
        if state not in SESSION_STATES:
            raise Invalid(f"unknown caller state {state!r}", field="state")
    if spans:
        await session.execute(
            insert(CallerSessionSpan),
            [
                {
                    "id": uuid.uuid4(),
                    "session_id": span.session_id,
                    "state": span.state,
                    "started_at": span.started_at,
                    "ended_at": span.ended_at,
                }
                for span in spans
            ],
        )
    if current:
        # ORM bulk UPDATE by primary key: one executemany for every session.
        await session.execute(
            update(CallerSession),
            [
                {
                    "id": item.session_id,
                    "state": item.state,
                    "state_since": item.since,
                    "ended_at": item.since if item.state == "ended" else None,
                }
                for item in current
            ],
        )
