"""Caller sessions: one caller in one campaign, its state, and the time ledger of its states.

The ledger holds one row per finished state span; the state a session is in now is on the
session itself (`state`, `state_since`). Time per state is the sum of the finished spans plus
the time since `state_since` for the current one.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.callers.models import SESSION_STATES, CallerSession, CallerSessionSpan
from phonebank.errors import Invalid
from phonebank.kit.bulk import synchronize
from phonebank.webhooks.outbox import Event, campaign_scope, record_events


def session_event(
    caller_session: CallerSession, kind: str, at: datetime, reason: str | None = None
) -> Event:
    """A `caller_session.started` or `caller_session.ended` event."""
    return Event(
        organization_id=caller_session.organization_id,
        type=f"caller_session.{kind}",
        data={
            "session_id": caller_session.id,
            "caller_id": caller_session.caller_id,
            "campaign_id": caller_session.campaign_id,
            "at": at,
            **({"reason": reason} if kind == "ended" else {}),
        },
        scopes=(campaign_scope(caller_session.campaign_id),),
        at=at,
    )


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
    # Why a session ends (`state == "ended"`), when the engine knows.
    reason: str | None = None


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
    await record_events(session, [session_event(caller_session, "started", now)])
    return caller_session


_sessions = cast(Table, CallerSession.__table__)
_SPAN_ENDED = insert(cast(Table, CallerSessionSpan.__table__))
_SESSION_STATE = (
    update(_sessions)
    .where(_sessions.c.id == bindparam("session"))
    # An ended session is never written over: nothing reopens it (the API may have ended it).
    .where(_sessions.c.ended_at.is_(None))
    .values(state=bindparam("state"), state_since=bindparam("state_since"),
            ended_at=bindparam("ended_at"), end_reason=bindparam("end_reason"))
)  # fmt: skip


async def record_ledger(
    session: AsyncSession, *, spans: Sequence[Span], current: Sequence[CurrentState]
) -> set[uuid.UUID]:
    """Store finished spans and each session's current state, one statement for each.

    Returns the sessions the record had already ended: their state is left as it is.
    """
    for state in [span.state for span in spans] + [item.state for item in current]:
        if state not in SESSION_STATES:
            raise Invalid(f"unknown caller state {state!r}", field="state")
    if spans:
        await session.execute(
            _SPAN_ENDED,
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
    if not current:
        return set()
    closed = set(
        await session.scalars(
            select(CallerSession.id).where(
                CallerSession.id.in_([item.session_id for item in current]),
                CallerSession.ended_at.is_not(None),
            )
        )
    )
    current = [item for item in current if item.session_id not in closed]
    ending = {item.session_id: item for item in current if item.state == "ended"}
    if ending:
        rows_ending = await session.scalars(
            select(CallerSession).where(CallerSession.id.in_(list(ending)))
        )
        events = [
            session_event(row, "ended", ending[row.id].since, ending[row.id].reason)
            for row in rows_ending
        ]
        await record_events(session, events)
    if current:
        # A plain UPDATE by primary key: one executemany for every session.
        rows = [
            {
                "session": item.session_id,
                "state": item.state,
                "state_since": item.since,
                "ended_at": item.since if item.state == "ended" else None,
                "end_reason": item.reason if item.state == "ended" else None,
            }
            for item in current
        ]
        await session.execute(_SESSION_STATE, rows)
        synchronize(session, CallerSession, rows, key="session")
    return closed
