"""The engine's writes, batched: claims commit before dialing; the rest flush together."""

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.blocked_numbers.service import blocked_among
from phonebank.callers.models import CallerSession
from phonebank.callers.sessions import CurrentState, Span, record_ledger
from phonebank.calls.dialing import (
    CarrierCall,
    DialOutcome,
    PlacedDial,
    claim_dials,
    load_call_rows,
    record_carrier_calls,
    record_outcomes,
    recover_interrupted,
    snapshot,
    write_call_rows,
)
from phonebank.calls.models import Result
from phonebank.calls.queue import waiting_zone_keys
from phonebank.calls.results import result_event
from phonebank.calls.service import campaign_max_attempts, mark_completed, status_events
from phonebank.campaigns.models import Campaign
from phonebank.dialer.leases import Lease, hold
from phonebank.webhooks.outbox import Event, has_subscriptions, record_events


@dataclass(frozen=True)
class SubmittedResult:
    """A caller's disposition of a connected call."""

    call_id: uuid.UUID
    attempt_id: uuid.UUID
    caller_id: uuid.UUID | None
    disposition: str
    at: datetime


@dataclass(frozen=True)
class SessionRecord:
    """What the record says of a caller session the engine holds."""

    ended_at: datetime | None
    last_seen_at: datetime | None


@dataclass
class PendingWrites:
    """Everything observed since the last flush."""

    # Which carrier call each new dial is, written before its outcome (see `recover`).
    carrier_calls: list[CarrierCall] = field(default_factory=list)
    outcomes: list[DialOutcome] = field(default_factory=list)
    spans: list[Span] = field(default_factory=list)
    states: dict[uuid.UUID, CurrentState] = field(default_factory=dict)
    results: list[SubmittedResult] = field(default_factory=list)
    # The campaign's new increasePredictiveRatio, when it moved.
    extra_dial_percent: float | None = None

    def __bool__(self) -> bool:
        return bool(
            self.carrier_calls
            or self.outcomes
            or self.spans
            or self.states
            or self.results
            or self.extra_dial_percent is not None
        )


# What completing a call changes.
_COMPLETION_COLUMNS = ("status", "result", "completed_by_user_uuid", "completed_at")
_RESULT_STORED = insert(cast(Table, Result.__table__))
_CAMPAIGNS = cast(Table, Campaign.__table__)

# Zone keys of waiting calls change only when calls are added: look them up once a minute.
ZONES_TTL = 60.0


def _unfinished(pending: PendingWrites) -> list[CarrierCall]:
    """The carrier calls to write: a dial whose outcome goes in the same flush has them there."""
    if not pending.outcomes:
        return pending.carrier_calls
    finished = {outcome.attempt_id for outcome in pending.outcomes}
    return [call for call in pending.carrier_calls if call.attempt_id not in finished]


class DialerStore:
    """Database access of one campaign's dialer."""

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        campaign_id: uuid.UUID,
        *,
        lease: Lease | None = None,
    ):
        self._sessionmaker = sessionmaker
        self.campaign_id = campaign_id
        # Claims and flushes check it in their transaction: a lost lease writes nothing.
        self.lease = lease
        self.pending = PendingWrites()
        self._zone_keys: list[str | None] = []
        self._zones_at: datetime | None = None
        self.max_attempts: int | None = None

    async def load_campaign(self) -> Campaign:
        """The campaign as stored now (status and settings may have changed).

        Its attempt limit is looked up with it: claims and outcomes use it until the next load.
        """
        async with self._sessionmaker() as session:
            campaign = await session.get_one(Campaign, self.campaign_id, populate_existing=True)
            self.max_attempts = await campaign_max_attempts(session, campaign)
            return campaign

    async def recover(self, *, campaign: Campaign, now: datetime) -> list[CarrierCall]:
        """Settle dials left open by a dialer that stopped without recording them.

        Returns them with the carrier calls they placed, which may still be going on.
        """
        async with self._sessionmaker() as session, session.begin():
            return await recover_interrupted(session, campaign=campaign, now=now)

    async def claim(self, *, campaign: Campaign, now: datetime, limit: int) -> list[PlacedDial]:
        """Claim callable calls and record their attempts, committed before any dial."""
        async with self._sessionmaker() as session, session.begin():
            if self.lease is not None:
                await hold(session, lease=self.lease, now=now, margin=True)
            stale = self._zones_at is None or (now - self._zones_at).total_seconds() > ZONES_TTL
            if stale or not self._zone_keys:  # an empty queue may have been filled since
                self._zone_keys = await waiting_zone_keys(session, campaign.id)
                self._zones_at = now
            return await claim_dials(
                session,
                campaign=campaign,
                now=now,
                limit=limit,
                zone_keys=self._zone_keys,
                max_attempts=self.max_attempts,
            )

    async def blocked_among(self, *, campaign: Campaign, numbers: list[str]) -> set[str]:
        """Which of these numbers are blocked for the campaign right now."""
        async with self._sessionmaker() as session:
            return await blocked_among(
                session,
                organization_id=campaign.organization_id,
                campaign_id=campaign.id,
                numbers=numbers,
            )

    async def sessions(self, session_ids: list[uuid.UUID]) -> dict[uuid.UUID, SessionRecord]:
        """Whether these caller sessions ended in the record, and when their pages were seen."""
        found: dict[uuid.UUID, SessionRecord] = {}
        async with self._sessionmaker() as session:
            for start in range(0, len(session_ids), 500):
                rows = await session.execute(
                    select(
                        CallerSession.id, CallerSession.ended_at, CallerSession.last_seen_at
                    ).where(CallerSession.id.in_(session_ids[start : start + 500]))
                )
                for session_id, ended_at, last_seen_at in rows:
                    found[session_id] = SessionRecord(ended_at, last_seen_at)
        return found

    async def flush(self, *, campaign: Campaign, now: datetime) -> set[uuid.UUID]:
        """Write carrier calls, outcomes, ledger spans, caller states and results at once.

        Returns the caller sessions the record had already ended (nothing writes over them).
        """
        pending, self.pending = self.pending, PendingWrites()
        if not pending:
            return set()
        async with self._sessionmaker() as session, session.begin():
            if self.lease is not None:
                await hold(session, lease=self.lease, now=now, margin=False)
            # Outcomes first: they lock their calls before any attempt row (see record_outcomes).
            await record_outcomes(
                session,
                campaign=campaign,
                outcomes=pending.outcomes,
                now=now,
                max_attempts=self.max_attempts,
            )
            await record_carrier_calls(session, _unfinished(pending))
            closed = await record_ledger(
                session, spans=pending.spans, current=list(pending.states.values())
            )
            if pending.results:
                await self._record_results(
                    session, campaign=campaign, results=pending.results, now=now
                )
            if pending.extra_dial_percent is not None:
                # A live figure of the dialer's, not an edit: `modified_at` stays as it was.
                await session.execute(
                    update(_CAMPAIGNS)
                    .where(_CAMPAIGNS.c.id == campaign.id)
                    .values(
                        increase_predictive_ratio=pending.extra_dial_percent,
                        modified_at=_CAMPAIGNS.c.modified_at,
                    )
                )
        return closed

    async def _record_results(
        self,
        session: AsyncSession,
        *,
        campaign: Campaign,
        results: list[SubmittedResult],
        now: datetime,
    ) -> None:
        """Store the callers' results; each completes its call (if still requested)."""
        calls = await load_call_rows(session, {result.call_id for result in results})
        before = {call_id: snapshot(call, _COMPLETION_COLUMNS) for call_id, call in calls.items()}
        announce = await has_subscriptions(session, campaign.organization_id)
        rows: list[dict[str, Any]] = []
        events: list[Event] = []
        for result in results:
            call = calls[result.call_id]
            row = {
                "id": uuid.uuid4(),
                "call_id": call.id,
                "campaign_id": call.campaign_id,
                "attempt_id": result.attempt_id,
                "caller_id": result.caller_id,
                "disposition": result.disposition,
            }
            rows.append(row)
            previous = call.status
            if call.status == "requested":
                mark_completed(
                    call,
                    user_uuid=None,
                    result={"disposition": result.disposition},
                    completed_at=result.at,
                )
            if announce:
                events += status_events(call, previous)
                events.append(result_event(Result(**row, answers=[]), call))
        # One executemany each: the rules ran on plain rows.
        await session.execute(_RESULT_STORED, rows)
        await write_call_rows(
            session,
            ((call, before[call_id]) for call_id, call in calls.items()),
            _COMPLETION_COLUMNS,
            now,
        )
        await record_events(session, events)
