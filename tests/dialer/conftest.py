"""Engine fixtures: a started campaign on a virtual clock, a scripted carrier, test pacers.

Everything the engine writes goes through a sessionmaker bound to the test's connection, so it
lands inside the test transaction and is rolled back afterwards.
"""

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any

import pytest
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncSession, async_sessionmaker

from phonebank.blocked_numbers.models import BlockedNumber
from phonebank.callers.models import Caller, CallerSession, CallerSessionSpan
from phonebank.callers.sessions import start_session
from phonebank.calls.models import Attempt, Call, Result
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import (
    AnsweredBy,
    Carrier,
    CarrierEvent,
    EndCause,
    EventKind,
    Origination,
)
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.engine import CampaignDialer
from phonebank.dialer.pacers.base import Pacer, PacerState
from phonebank.organizations.models import Organization
from phonebank.people.models import Person

# 10:00 in New York, 05:00 in Honolulu.
START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
NEW_YORK = "America/New_York"
HONOLULU = "Pacific/Honolulu"


class FixedPacer(Pacer):
    """Asks for exactly `DIALS` dials on its first decision and none after."""

    name = "fixed"
    DIALS = 3

    def __init__(self) -> None:
        self.decisions = 0

    def dials_to_place(self, state: PacerState) -> int:
        """`DIALS` the first time, then 0."""
        self.decisions += 1
        return self.DIALS if self.decisions == 1 else 0


class ScriptedCarrier(Carrier):
    """A carrier whose calls do only what the test tells them, at the virtual time it says."""

    name = "scripted"

    def __init__(self, clock: VirtualClock, *, play_seconds: float = 5.0) -> None:
        super().__init__()
        self.clock = clock
        self.play_seconds = play_seconds
        self.originations: list[Origination] = []
        self.originated_at: list[datetime] = []
        self.carrier_call_ids: list[str] = []
        self.hangups: list[str] = []
        # Calls another dialer placed, which this one was asked to end.
        self.left_over: list[str] = []
        self.bridges: list[tuple[str, str]] = []
        self.plays: list[tuple[str, str | None, str | None]] = []
        self._sequences: dict[str, int] = {}
        self._answered: set[str] = set()
        self._ended: set[str] = set()

    @property
    def numbers(self) -> list[str]:
        """The numbers dialed, in order."""
        return [origination.number for origination in self.originations]

    def id_for(self, number: str) -> str:
        """The carrier id of the last dial of `number`."""
        index = max(i for i, dialed in enumerate(self.numbers) if dialed == number)
        return self.carrier_call_ids[index]

    async def originate(self, origination: Origination) -> str:
        """Write the dial down; nothing happens to it until the test says so."""
        self.originations.append(origination)
        self.originated_at.append(self.clock.now())
        carrier_call_id = f"scripted-{len(self.originations)}"
        self.carrier_call_ids.append(carrier_call_id)
        self._sequences[carrier_call_id] = 0
        return carrier_call_id

    def event(
        self,
        carrier_call_id: str,
        kind: EventKind,
        *,
        answered_by: AnsweredBy | None = None,
        cause: EndCause | None = None,
        at: datetime | None = None,
    ) -> CarrierEvent:
        """The call's next event (next sequence number), stamped now unless `at` is given."""
        self._sequences[carrier_call_id] += 1
        if kind == "answered":
            self._answered.add(carrier_call_id)
        if kind == "completed":
            self._ended.add(carrier_call_id)
        return CarrierEvent(
            carrier_call_id=carrier_call_id,
            kind=kind,
            at=at or self.clock.now(),
            sequence=self._sequences[carrier_call_id],
            answered_by=answered_by,
            cause=cause,
        )

    async def send(
        self,
        carrier_call_id: str,
        kind: EventKind,
        *,
        answered_by: AnsweredBy | None = None,
        cause: EndCause | None = None,
    ) -> CarrierEvent:
        """Deliver the call's next event now."""
        event = self.event(carrier_call_id, kind, answered_by=answered_by, cause=cause)
        await self.emit(event)
        return event

    async def hangup(self, carrier_call_id: str) -> None:
        """End the call at once, as a real carrier would report it."""
        self.hangups.append(carrier_call_id)
        if carrier_call_id in self._ended:
            return
        cause: EndCause = "completed" if carrier_call_id in self._answered else "canceled"
        self._ended.add(carrier_call_id)
        self.clock.call_later(0, partial(self._end, carrier_call_id, cause))

    async def end_left_over(self, carrier_call_id: str) -> None:
        """Write the request down: the call is not this carrier's, so no event follows."""
        self.left_over.append(carrier_call_id)

    async def bridge(self, carrier_call_id: str, caller_session_id: str) -> None:
        """Write the bridge down; the contact talks until the test hangs them up."""
        self.bridges.append((carrier_call_id, caller_session_id))

    async def play(self, carrier_call_id: str, *, audio_url: str | None, text: str | None) -> None:
        """Play the message for `play_seconds`, then end the call."""
        self.plays.append((carrier_call_id, audio_url, text))
        if carrier_call_id in self._ended:
            return
        self._ended.add(carrier_call_id)
        self.clock.call_later(self.play_seconds, partial(self._end, carrier_call_id, "completed"))

    async def _end(self, carrier_call_id: str, cause: EndCause) -> None:
        await self.send(carrier_call_id, "completed", cause=cause)


@dataclass
class World:
    """One organization with one started power campaign, and the tools to drive its dialer."""

    sessionmaker: async_sessionmaker[AsyncSession]
    clock: VirtualClock
    carrier: ScriptedCarrier
    organization_id: uuid.UUID
    campaign_id: uuid.UUID
    _serial: list[int] = field(default_factory=lambda: [0])

    def at(self, seconds: float) -> datetime:
        """START plus `seconds`."""
        return START + timedelta(seconds=seconds)

    def dialer(self, carrier: Carrier | None = None, **settings: Any) -> CampaignDialer:
        """A dialer of the campaign on the world's clock."""
        return CampaignDialer(
            sessionmaker=self.sessionmaker,
            clock=self.clock,
            carrier=carrier or self.carrier,
            campaign_id=self.campaign_id,
            **settings,
        )

    async def update_campaign(self, **fields: Any) -> None:
        """Change the stored campaign (as the API would)."""
        async with self.sessionmaker() as session, session.begin():
            await session.execute(
                update(Campaign).where(Campaign.id == self.campaign_id).values(**fields)
            )

    async def campaign(self) -> Campaign:
        """The campaign as stored now."""
        async with self.sessionmaker() as session:
            return await session.get_one(Campaign, self.campaign_id, populate_existing=True)

    async def add_call(
        self, *numbers: str, zone: str | None = NEW_YORK, due_seconds: float = -3600, **fields: Any
    ) -> uuid.UUID:
        """A requested call to `numbers` (first dialed first), due `due_seconds` from START."""
        async with self.sessionmaker() as session, session.begin():
            person = Person(organization_id=self.organization_id, given_name="Contact")
            session.add(person)
            await session.flush()
            call = Call(
                organization_id=self.organization_id,
                campaign_id=self.campaign_id,
                person_id=person.id,
                numbers=list(numbers),
                next_number=numbers[0],
                time_zone=zone,
                next_call_at=self.at(due_seconds),
                **fields,
            )
            session.add(call)
            await session.flush()
            return call.id

    async def add_calls(self, count: int, *, first: int = 100) -> list[uuid.UUID]:
        """`count` New York calls to distinct numbers, oldest due first."""
        return [await self.add_call(number(first + n), due_seconds=-3600 + n) for n in range(count)]

    async def block(self, phone_number: str) -> None:
        """Put a number on the organization's do-not-call list."""
        async with self.sessionmaker() as session, session.begin():
            session.add(BlockedNumber(organization_id=self.organization_id, number=phone_number))

    async def log_in(self, dialer: CampaignDialer) -> uuid.UUID:
        """A new caller logged into the campaign and joined to the dialer; its session id."""
        self._serial[0] += 1
        async with self.sessionmaker() as session, session.begin():
            caller = Caller(organization_id=self.organization_id, name=f"Caller {self._serial[0]}")
            session.add(caller)
            await session.flush()
            caller_session = await start_session(
                session,
                organization_id=self.organization_id,
                caller_id=caller.id,
                campaign_id=self.campaign_id,
                now=self.clock.now(),
            )
        dialer.join(caller_session.id, caller.id)
        return caller_session.id

    async def start(self, dialer: CampaignDialer) -> None:
        """Start the dialer and let its first pace run."""
        await dialer.start()
        await self.run(0)

    async def run(self, seconds: float) -> None:
        """Let `seconds` of virtual time pass."""
        await self.clock.run(until=self.clock.now() + timedelta(seconds=seconds))

    async def settle(self, dialer: CampaignDialer, seconds: float = 0.0) -> None:
        """Let time pass, then write down everything the dialer has observed."""
        await self.run(seconds)
        await self.flush(dialer)

    async def flush(self, dialer: CampaignDialer) -> None:
        """Write down now what the dialer would write at its next flush."""
        await dialer.store.flush(campaign=dialer.campaign, now=self.clock.now())

    async def call(self, call_id: uuid.UUID) -> Call:
        """The call as stored now."""
        async with self.sessionmaker() as session:
            return await session.get_one(Call, call_id, populate_existing=True)

    async def attempts(self, call_id: uuid.UUID) -> Sequence[Attempt]:
        """The call's attempts as stored now, oldest first."""
        async with self.sessionmaker() as session:
            statement = (
                select(Attempt).where(Attempt.call_id == call_id).order_by(Attempt.attempted_at)
            )
            return (await session.scalars(statement)).all()

    async def attempts_of_number(self, phone_number: str) -> Sequence[Attempt]:
        """The attempts that dialed `phone_number`, oldest first."""
        async with self.sessionmaker() as session:
            statement = (
                select(Attempt)
                .where(Attempt.campaign_id == self.campaign_id, Attempt.number == phone_number)
                .order_by(Attempt.attempted_at)
            )
            return (await session.scalars(statement)).all()

    async def results(self, call_id: uuid.UUID) -> Sequence[Result]:
        """The call's results as stored now."""
        async with self.sessionmaker() as session:
            return (await session.scalars(select(Result).where(Result.call_id == call_id))).all()

    async def caller_session(self, session_id: uuid.UUID) -> CallerSession:
        """The caller session as stored now."""
        async with self.sessionmaker() as session:
            return await session.get_one(CallerSession, session_id, populate_existing=True)

    async def spans(self, session_id: uuid.UUID) -> list[tuple[str, datetime, datetime | None]]:
        """The session's ledger as stored now: (state, started, ended), in time order."""
        async with self.sessionmaker() as session:
            rows = await session.scalars(
                select(CallerSessionSpan)
                .where(CallerSessionSpan.session_id == session_id)
                .order_by(CallerSessionSpan.started_at, CallerSessionSpan.ended_at)
            )
            return [(span.state, span.started_at, span.ended_at) for span in rows]


def number(n: int) -> str:
    """A distinct New York number."""
    return f"+1212555{n:04d}"


@pytest.fixture
async def world(connection: AsyncConnection) -> World:
    """A started power campaign (ratio 1, 4 attempts, calling 09:00-21:00 New York)."""
    # Commits inside the test release savepoints; the outer transaction still rolls back.
    sessionmaker = async_sessionmaker(
        bind=connection, join_transaction_mode="create_savepoint", expire_on_commit=False
    )
    async with sessionmaker() as session, session.begin():
        organization = Organization(name="Dialer org")
        session.add(organization)
        await session.flush()
        campaign = Campaign(
            organization_id=organization.id,
            name="Dialer campaign",
            status="started",
            dialing_mode="power",
            power_ratio=1.0,
            retry_count=3,
            time_zone=NEW_YORK,
            daily_start_hour=9,
            daily_stop_hour=21,
            ring_timeout_seconds=20,
        )
        session.add(campaign)
        await session.flush()
        organization_id, campaign_id = organization.id, campaign.id
    clock = VirtualClock(START)
    return World(sessionmaker, clock, ScriptedCarrier(clock), organization_id, campaign_id)
