"""The dialer's side of the call lifecycle: claim calls and record how each dial went."""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from sqlalchemy import Table, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import load_only, raiseload

from phonebank.calls.models import Attempt, Call
from phonebank.calls.queue import callable_query
from phonebank.calls.service import campaign_max_attempts, conclude_attempt, status_events
from phonebank.campaigns.models import Campaign
from phonebank.webhooks.outbox import Event, campaign_scope, has_subscriptions, record_events

# The tables themselves, for plain executemany statements.
_attempts, _calls = cast(Table, Attempt.__table__), cast(Table, Call.__table__)


@dataclass(frozen=True)
class PlacedDial:
    """A dial recorded as placed: the engine may now ask the carrier for it."""

    call_id: uuid.UUID
    attempt_id: uuid.UUID
    number: str
    time_zone: str | None


@dataclass
class DialOutcome:
    """How one dial went, with its timestamps, as the engine observed it."""

    attempt_id: uuid.UUID
    call_id: uuid.UUID
    outcome: str
    cause: str | None = None
    carrier: str | None = None
    carrier_call_id: str | None = None
    caller_id: uuid.UUID | None = None
    ringing_at: datetime | None = None
    answered_at: datetime | None = None
    bridged_at: datetime | None = None
    ended_at: datetime | None = None


async def claim_dials(
    session: AsyncSession,
    *,
    campaign: Campaign,
    now: datetime,
    limit: int,
    zone_keys: Sequence[str | None] | None = None,
    max_attempts: int | None = None,
) -> list[PlacedDial]:
    """Take up to `limit` callable calls and record an attempt on each, before any is dialed.

    One UPDATE ... RETURNING marks the best callable calls as being dialed (the queue query
    re-checks blocks and calling hours at this moment; on PostgreSQL rows another dialer holds
    are skipped), then one INSERT records their attempts. Commit before asking the carrier, so
    a crash can never lose a dial that happened.
    """
    query = await callable_query(
        session, campaign=campaign, now=now, zone_keys=zone_keys, max_attempts=max_attempts
    )
    if query is None or limit <= 0:
        return []
    chosen = query.with_only_columns(Call.id).limit(limit)
    if session.get_bind().dialect.name == "postgresql":
        chosen = chosen.with_for_update(skip_locked=True)
    claimed = list(
        (
            await session.execute(
                # On the table, not the entity: no ORM bookkeeping for rows it never loads.
                update(_calls)
                .where(_calls.c.id.in_(chosen.scalar_subquery()))
                .values(
                    attempts_count=_calls.c.attempts_count + 1, dialing_since=now, modified_at=now
                )
                .returning(
                    _calls.c.id,
                    _calls.c.next_number,
                    _calls.c.time_zone,
                    _calls.c.priority,
                    _calls.c.next_call_at,
                )
            )
        ).all()
    )
    # RETURNING keeps no order: restore the queue's (priority, then longest due).
    claimed.sort(key=lambda row: (-row.priority, row.next_call_at, row.id))
    placed = [PlacedDial(row.id, uuid.uuid4(), row.next_number, row.time_zone) for row in claimed]
    if placed:
        await session.execute(
            insert(_attempts),
            [
                {
                    "id": dial.attempt_id,
                    "call_id": dial.call_id,
                    "campaign_id": campaign.id,
                    "attempted_at": now,
                    "number": dial.number,
                }
                for dial in placed
            ],
        )
        await record_events(
            session,
            [_state_event(campaign, dial.call_id, dial.attempt_id, dial.number, "dialing", now)
             for dial in placed],
        )  # fmt: skip
    return placed


def _state_event(
    campaign: Campaign,
    call_id: uuid.UUID,
    attempt_id: uuid.UUID,
    number: str | None,
    state: str,
    at: datetime,
    **details: object,
) -> Event:
    return Event(
        organization_id=campaign.organization_id,
        type="call.state_changed",
        data={
            "call_id": call_id,
            "attempt_id": attempt_id,
            "campaign_id": campaign.id,
            "number": number,
            "state": state,
            "at": at,
            **details,
        },
        scopes=(campaign_scope(campaign.id),),
        at=at,
    )


def _answered_by(outcome: DialOutcome) -> str:
    return "machine" if outcome.outcome == "machine" else "human"


def _outcome_events(
    campaign: Campaign, outcome: DialOutcome, call: Call, number: str | None
) -> list[Event]:
    """The call-state changes of one finished dial, in order, and its attempt."""
    ended = outcome.ended_at or outcome.answered_at or outcome.ringing_at
    states: list[tuple[str, datetime | None, dict[str, object]]] = [
        ("ringing", outcome.ringing_at, {}),
        ("answered", outcome.answered_at, {"answered_by": _answered_by(outcome)}),
        ("connected", outcome.bridged_at, {"caller_id": outcome.caller_id}),
    ]
    events = [
        _state_event(campaign, call.id, outcome.attempt_id, number, state, at, **details)
        for state, at, details in states
        if at is not None
    ]
    if ended is None:
        return events
    events.append(
        _state_event(
            campaign, call.id, outcome.attempt_id, number, "ended", ended,
            outcome=outcome.outcome, cause=outcome.cause, call_status=call.status,
        )
    )  # fmt: skip
    if outcome.outcome != "not_dialed":
        events.append(
            Event(
                organization_id=campaign.organization_id,
                type="attempt.completed",
                data={
                    "attempt_id": outcome.attempt_id,
                    "call_id": call.id,
                    "campaign_id": campaign.id,
                    "number": number,
                    "outcome": outcome.outcome,
                    "cause": outcome.cause,
                    "caller_id": outcome.caller_id,
                    "ringing_at": outcome.ringing_at,
                    "answered_at": outcome.answered_at,
                    "connected_at": outcome.bridged_at,
                    "ended_at": outcome.ended_at,
                    "call_status": call.status,
                    "attempts_count": call.attempts_count,
                },
                scopes=(campaign_scope(campaign.id),),
                at=ended,
            )
        )
    return events


# Call columns the outcome rules may change; written back in one executemany.
_CALL_COLUMNS = (
    "status",
    "expired_at",
    "next_call_at",
    "next_number_index",
    "next_number",
    "time_zone",
    "attempts_count",
    "dialing_since",
)
# What the rules and the events read besides: only these are loaded.
_RULE_COLUMNS = (
    *(getattr(Call, name) for name in _CALL_COLUMNS),
    Call.numbers,
    Call.organization_id,
    Call.campaign_id,
    Call.person_id,
    Call.completed_at,
    Call.cancelled_at,
    Call.result,
)
_ATTEMPT_COLUMNS = (
    "outcome",
    "cause",
    "carrier",
    "carrier_call_id",
    "caller_id",
    "ringing_at",
    "answered_at",
    "bridged_at",
    "ended_at",
)
# Plain executemany UPDATEs by primary key: the ORM's bulk path costs more per row than SQLite.
_ATTEMPT_OUTCOME = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt"))
    .values({name: bindparam(name) for name in _ATTEMPT_COLUMNS})
)
_CALL_MOVED_ON = (
    update(_calls)
    .where(_calls.c.id == bindparam("call"))
    .values({name: bindparam(name) for name in (*_CALL_COLUMNS, "modified_at")})
)


async def record_outcomes(
    session: AsyncSession,
    *,
    campaign: Campaign,
    outcomes: Sequence[DialOutcome],
    now: datetime,
    max_attempts: int | None = None,
) -> None:
    """Store how dials went and move their calls on: retry later, next number, or MAXCALLS.

    A busy dialer reports hundreds of outcomes at once, so attempts and calls are each
    written with one executemany rather than an UPDATE per row. A dialer may pass the
    campaign's attempt limit it looked up with the campaign.
    """
    if not outcomes:
        return
    await session.execute(
        _ATTEMPT_OUTCOME,
        [
            {
                "attempt": outcome.attempt_id,
                "outcome": outcome.outcome,
                "cause": outcome.cause,
                "carrier": outcome.carrier,
                "carrier_call_id": outcome.carrier_call_id,
                "caller_id": outcome.caller_id,
                "ringing_at": outcome.ringing_at,
                "answered_at": outcome.answered_at,
                "bridged_at": outcome.bridged_at,
                "ended_at": outcome.ended_at,
            }
            for outcome in outcomes
        ],
    )
    calls = {
        call.id: call
        for call in await session.scalars(
            select(Call)
            .where(Call.id.in_({outcome.call_id for outcome in outcomes}))
            .options(load_only(*_RULE_COLUMNS), raiseload("*"))
        )
    }
    limit = (
        max_attempts if max_attempts is not None else await campaign_max_attempts(session, campaign)
    )
    events: list[Event] = []
    # The dialer's hot path: build the events only for an organization that listens.
    announce = await has_subscriptions(session, campaign.organization_id)
    for outcome in outcomes:
        call = calls[outcome.call_id]
        # The number this attempt dialed, before the rules move the call to its next one.
        number, previous = call.next_number, call.status
        call.dialing_since = None
        if outcome.outcome == "not_dialed":
            # Claimed but never dialed (released, or refused at the moment of dialing).
            call.attempts_count -= 1
        elif call.status == "requested":
            conclude_attempt(
                call,
                campaign,
                max_attempts=limit,
                outcome=outcome.outcome,
                at=outcome.ended_at or now,
                now=now,
            )
        if announce:
            events += _outcome_events(campaign, outcome, call, number)
            events += status_events(call, previous)
    rows = [
        {
            "call": call.id,
            "modified_at": now,
            **{name: getattr(call, name) for name in _CALL_COLUMNS},
        }
        for call in calls.values()
    ]
    # The rules ran on the loaded objects; write their results in bulk, not object by object.
    for call in calls.values():
        session.expunge(call)
    await session.execute(_CALL_MOVED_ON, rows)
    await record_events(session, events)


async def recover_interrupted(session: AsyncSession, *, campaign: Campaign, now: datetime) -> int:
    """Settle dials a stopped or crashed dialer left open: they end as `failed` (interrupted).

    Their attempts stay counted (the phone may have rung) and their calls are freed and
    rescheduled by the retry policy. Returns how many were settled.
    """
    open_attempts = (
        await session.execute(
            select(Attempt.id, Attempt.call_id)
            .join(Call, Call.id == Attempt.call_id)
            .where(
                Attempt.campaign_id == campaign.id,
                Attempt.outcome.is_(None),
                Call.dialing_since.is_not(None),
            )
        )
    ).all()
    outcomes = [
        DialOutcome(
            attempt_id=row.id,
            call_id=row.call_id,
            outcome="failed",
            cause="interrupted",
            ended_at=now,
        )
        for row in open_attempts
    ]
    await record_outcomes(session, campaign=campaign, outcomes=outcomes, now=now)
    return len(outcomes)
