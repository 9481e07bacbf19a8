"""The dialer's side of the call lifecycle: claim calls and record how each dial went."""

import uuid
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from datetime import datetime
from functools import lru_cache
from typing import Any, cast

from sqlalchemy import Integer, Select, Table, Update, bindparam, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from phonebank.calls.models import UNDIALED_OUTCOMES, Attempt, Call
from phonebank.calls.queue import callable_query
from phonebank.calls.service import (
    CallFields,
    campaign_max_attempts,
    conclude_attempt,
    status_events,
)
from phonebank.campaigns.models import Campaign
from phonebank.db import UTCDateTime
from phonebank.kit.bulk import synchronize
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


@dataclass(slots=True)
class CarrierCall:
    """A placed dial as its carrier knows it: the carrier's name and its id for the call."""

    attempt_id: uuid.UUID
    carrier: str | None
    carrier_call_id: str | None


@lru_cache(maxsize=64)
def _claim_statement(queue: Select[Any], for_update: bool) -> Update:
    """Mark the queue's first `claim_limit` calls as being dialed, returning what dialing needs.

    On the table, not the entity: no ORM bookkeeping for rows it never loads. Built once per
    queue statement, so its compiled form is reused.
    """
    chosen = queue.with_only_columns(Call.id).limit(bindparam("claim_limit", type_=Integer()))
    if for_update:
        chosen = chosen.with_for_update(skip_locked=True)
    return (
        update(_calls)
        .where(_calls.c.id.in_(chosen.scalar_subquery()))
        .values(
            attempts_count=_calls.c.attempts_count + 1,
            dialing_since=bindparam("claim_now", type_=UTCDateTime()),
            modified_at=bindparam("claim_now", type_=UTCDateTime()),
        )
        .returning(
            _calls.c.id,
            _calls.c.next_number,
            _calls.c.time_zone,
            _calls.c.priority,
            _calls.c.next_call_at,
        )
    )


_ATTEMPT_PLACED = insert(_attempts)


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
    statement = _claim_statement(query.statement, session.get_bind().dialect.name == "postgresql")
    # On the connection: the session would take the ORM's path for the entities in the
    # queue's conditions, rebuilding the statement (and its cache key) on every claim.
    connection = await session.connection()
    params = {**query.params, "claim_limit": limit, "claim_now": now}
    claimed = list((await connection.execute(statement, params)).all())
    # RETURNING keeps no order: restore the queue's (priority, then longest due).
    claimed.sort(key=lambda row: (-row.priority, row.next_call_at, row.id))
    placed = [PlacedDial(row.id, uuid.uuid4(), row.next_number, row.time_zone) for row in claimed]
    if placed:
        campaign_id = campaign.id
        # On the connection too: a plain INSERT needs none of the session's ORM bookkeeping.
        await connection.execute(
            _ATTEMPT_PLACED,
            [
                {
                    "id": dial.attempt_id,
                    "call_id": dial.call_id,
                    "campaign_id": campaign_id,
                    "attempted_at": now,
                    "number": dial.number,
                }
                for dial in placed
            ],
        )
        # Events are built only for an organization that listens (the dialer's hot path).
        if await has_subscriptions(session, campaign.organization_id):
            await record_events(
                session,
                [_state_event(campaign, d.call_id, d.attempt_id, d.number, "dialing", now)
                 for d in placed],
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
    campaign: Campaign, outcome: DialOutcome, call: CallFields, number: str | None
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
    # A number let go undialed is no attempt to report; a caller's skip is their decision.
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


@dataclass(slots=True)
class CallRow:
    """A call's columns as the rules read and change them, loaded without the ORM."""

    id: uuid.UUID
    organization_id: uuid.UUID
    campaign_id: uuid.UUID
    person_id: uuid.UUID
    status: str
    numbers: list[Any]
    next_number_index: int
    next_number: str | None
    time_zone: str | None
    next_call_at: datetime
    attempts_count: int
    dialing_since: datetime | None
    result: Any
    external_metadata: dict[str, Any] | None
    completed_at: datetime | None
    completed_by_user_uuid: uuid.UUID | None
    cancelled_at: datetime | None
    expired_at: datetime | None


_CALL_ROW_COLUMNS = tuple(field.name for field in fields(CallRow))
_LOAD_CALL_ROWS = select(*(_calls.c[name] for name in _CALL_ROW_COLUMNS)).where(
    _calls.c.id.in_(bindparam("ids", expanding=True))
)
# Locked in one order (SQLite, which locks the whole database, leaves FOR UPDATE out).
_LOCK_CALL_ROWS = _LOAD_CALL_ROWS.order_by(_calls.c.id).with_for_update()


async def load_call_rows(
    session: AsyncSession, ids: Iterable[uuid.UUID], *, lock: bool = False
) -> dict[uuid.UUID, CallRow]:
    """The calls of these ids as plain rows, by id (one query, no identity map).

    `lock` takes their row locks first, for writers that go on to change their attempts: the
    ORM writes a call before its attempts, so taking the call first keeps to one lock order and
    a caller's result saved at the same moment cannot deadlock with the dialer's write.
    """
    if session.dirty or session.new:
        await session.flush()  # what the session holds unwritten is part of the record
    statement = _LOCK_CALL_ROWS if lock else _LOAD_CALL_ROWS
    result = await session.execute(statement, {"ids": list(ids)})
    return {row[0]: CallRow(*row) for row in result}


@lru_cache(maxsize=64)
def _call_update(columns: tuple[str, ...]) -> Update:
    """UPDATE of these columns (and modified_at) by primary key, built once per column set."""
    return (
        update(_calls)
        .where(_calls.c.id == bindparam("call"))
        .values({name: bindparam(name) for name in (*columns, "modified_at")})
    )


async def write_call_rows(
    session: AsyncSession,
    calls: Iterable[tuple[CallRow, tuple[Any, ...]]],
    columns: tuple[str, ...],
    now: datetime,
) -> None:
    """Write back what the rules changed: each call's `columns` that differ from `before`.

    Calls are grouped by the columns they changed and each group is one executemany: an
    UPDATE that leaves a column alone does not touch the indexes over it.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for call, before in calls:
        changed = tuple(
            name for name, old in zip(columns, before, strict=True) if getattr(call, name) != old
        )
        if changed:
            row = {name: getattr(call, name) for name in changed}
            row["call"], row["modified_at"] = call.id, now
            groups.setdefault(changed, []).append(row)
    for changed, rows in groups.items():
        await session.execute(_call_update(changed), rows)
        synchronize(session, Call, rows, key="call")


def snapshot(call: CallRow, columns: tuple[str, ...]) -> tuple[Any, ...]:
    """The values of `columns` now, to see later which ones the rules changed."""
    return tuple(getattr(call, name) for name in columns)


# Call columns the outcome rules may change.
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


@lru_cache(maxsize=64)
def _attempt_outcome(columns: tuple[str, ...]) -> Update:
    """A plain UPDATE of these attempt columns by primary key, built once per column set.

    Plain executemany statements: the ORM's bulk path costs more per row than SQLite does.
    """
    return (
        update(_attempts)
        .where(_attempts.c.id == bindparam("attempt"))
        .values({name: bindparam(name) for name in columns})
    )


def _attempt_rows(outcomes: Sequence[DialOutcome]) -> dict[tuple[str, ...], list[dict[str, Any]]]:
    """The outcomes as UPDATE rows, grouped by the columns they set.

    An attempt's columns start empty, so the ones an outcome leaves empty are not written:
    fewer values to bind, and a few statements (one per shape) instead of one.
    """
    groups: dict[tuple[str, ...], list[dict[str, Any]]] = {}
    for outcome in outcomes:
        row: dict[str, Any] = {"attempt": outcome.attempt_id}
        for name in _ATTEMPT_COLUMNS:
            value = getattr(outcome, name)
            if value is not None:
                row[name] = value
        groups.setdefault(tuple(row)[1:], []).append(row)
    return groups


_CARRIER_CALL_STORED = (
    update(_attempts)
    .where(_attempts.c.id == bindparam("attempt"))
    .values(carrier=bindparam("carrier"), carrier_call_id=bindparam("id_at_carrier"))
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

    A busy dialer reports hundreds of outcomes at once, so the calls are read with one query
    and attempts and calls are written with an executemany each, all without ORM objects.
    A dialer may pass the campaign's attempt limit it looked up with the campaign.
    """
    if not outcomes:
        return
    calls = await load_call_rows(session, {outcome.call_id for outcome in outcomes}, lock=True)
    for columns, rows in _attempt_rows(outcomes).items():
        await session.execute(_attempt_outcome(columns), rows)
    before = {call_id: snapshot(call, _CALL_COLUMNS) for call_id, call in calls.items()}
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
        if outcome.outcome in UNDIALED_OUTCOMES:
            # Claimed but never dialed (released, refused at the moment of dialing, skipped).
            call.attempts_count -= 1
        if call.status == "requested":
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
    await write_call_rows(
        session, ((call, before[call_id]) for call_id, call in calls.items()), _CALL_COLUMNS, now
    )
    await record_events(session, events)


async def record_carrier_calls(session: AsyncSession, calls: Sequence[CarrierCall]) -> None:
    """Write down which carrier call each placed dial is, before its outcome is known.

    A dialer that dies leaves these calls running at the carrier: whoever settles its dials
    ends them by these ids. One executemany, without ORM objects (the dialer's hot path).
    """
    if calls:
        await session.execute(
            _CARRIER_CALL_STORED,
            [
                {
                    "attempt": call.attempt_id,
                    "carrier": call.carrier,
                    "id_at_carrier": call.carrier_call_id,
                }
                for call in calls
            ],
        )


async def recover_interrupted(
    session: AsyncSession, *, campaign: Campaign, now: datetime
) -> list[CarrierCall]:
    """Settle dials a stopped or crashed dialer left open: they end as `failed` (interrupted).

    Their attempts stay counted (the phone may have rung) and their calls are freed and
    rescheduled by the retry policy. Returns the settled dials with their carrier calls (ids
    None where the dialer died before writing them): those calls may still be going on.
    """
    open_attempts = (
        await session.execute(
            select(Attempt.id, Attempt.call_id, Attempt.carrier, Attempt.carrier_call_id)
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
    return [CarrierCall(row.id, row.carrier, row.carrier_call_id) for row in open_attempts]
