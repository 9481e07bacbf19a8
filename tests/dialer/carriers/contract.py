"""The carrier contract as code: a harness per carrier, and the rules every event stream keeps.

A harness places calls whose far end does what the test says (`human`, `machine`, `busy`,
`no_answer`, `failed`), lets time pass until something is observed, and records every event
the carrier delivers. A new carrier joins the suite by adding a harness to `HARNESSES`.
See docs/carriers.md for the contract itself.
"""

import asyncio
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Callable
from contextlib import AsyncExitStack
from datetime import UTC, datetime, timedelta

from phonebank.app import create_app
from phonebank.dialer.carriers.base import EVENT_ORDER, Carrier, CarrierEvent, Origination
from phonebank.dialer.carriers.simulated import SimulatedCarrier, SimulatedCarrierConfig
from phonebank.dialer.clock import VirtualClock
from phonebank.dialer.service import make_carrier
from tests.telephony.loopback import TwilioLoop, twilio_loop
from tests.telephony.standin import TwilioStandIn

START = datetime(2026, 3, 3, 15, 0, tzinfo=UTC)
NUMBER = "+14155550123"


def dial(number: str = NUMBER, ring_timeout: int = 30) -> Origination:
    """An origination as the engine makes it."""
    return Origination(
        number=number, caller_id=None, ring_timeout_seconds=ring_timeout, reference="attempt-1"
    )


class Harness(ABC):
    """One carrier under test, with a far end scripted to `outcome`."""

    carrier: Carrier

    def __init__(self) -> None:
        self.events: list[CarrierEvent] = []

    async def record(self, event: CarrierEvent) -> None:
        """Write down a delivered event."""
        self.events.append(event)

    def stream(self, carrier_call_id: str) -> list[CarrierEvent]:
        """The call's events once repeats are dropped, in sequence order."""
        by_sequence: dict[int, CarrierEvent] = {}
        for event in self.events:
            if event.carrier_call_id != carrier_call_id:
                continue
            first = by_sequence.setdefault(event.sequence, event)
            assert first == event, f"two different events numbered {event.sequence}"
        return [by_sequence[n] for n in sorted(by_sequence)]

    def kinds(self, carrier_call_id: str) -> list[str]:
        """The kinds of the call's events, in sequence order."""
        return [event.kind for event in self.stream(carrier_call_id)]

    def saw(self, carrier_call_id: str, kind: str) -> bool:
        """Whether the call reported `kind`."""
        return kind in self.kinds(carrier_call_id)

    async def until_event(self, carrier_call_id: str, kind: str) -> CarrierEvent:
        """Let time pass until the call reports `kind`; that event."""
        assert await self.until(lambda: self.saw(carrier_call_id, kind)), (
            f"no {kind} for {carrier_call_id}: {self.kinds(carrier_call_id)}"
        )
        return next(e for e in self.stream(carrier_call_id) if e.kind == kind)

    @abstractmethod
    async def until(self, done: Callable[[], bool]) -> bool:
        """Let time pass until `done()` (False if it never came within the harness's limit)."""

    async def settle(self) -> None:
        """Let the stragglers (late or repeated deliveries) arrive."""
        await self.until(lambda: False)


def check_stream(stream: list[CarrierEvent]) -> None:
    """The rules every call's (de-duplicated) events keep."""
    assert stream, "no events"
    assert [event.sequence for event in stream] == list(range(1, len(stream) + 1))
    assert stream[0].kind == "queued"
    ranks = [EVENT_ORDER[event.kind] for event in stream]
    assert ranks == sorted(set(ranks)), f"not forward: {[e.kind for e in stream]}"
    assert stream[-1].kind == "completed" and stream[-1].cause is not None
    for event in stream:
        assert (event.answered_by is not None) == (event.kind == "answered")
        assert event.at.tzinfo is not None


class SimulatedHarness(Harness):
    """The simulated carrier on a virtual clock, every dial ending as `outcome`."""

    def __init__(self, outcome: str, *, faults: bool) -> None:
        super().__init__()
        shares = {"human": 0.0, "machine": 0.0, "busy": 0.0, "failed": 0.0, "no_answer": 0.0}
        shares[outcome] = 1.0
        config = SimulatedCarrierConfig.from_scenario(
            **shares,
            duplicate_event_rate=1.0 if faults else 0.0,
            out_of_order_rate=0.5 if faults else 0.0,
        )
        self.clock = VirtualClock(START)
        self.carrier = SimulatedCarrier(self.clock, config, seed=11)
        self.carrier.subscribe(self.record)

    async def until(self, done: Callable[[], bool]) -> bool:
        """Up to an hour of virtual time, a second at a time."""
        for _ in range(3600):
            if done():
                return True
            await self.clock.run(until=self.clock.now() + timedelta(seconds=1))
        return done()


class TwilioHarness(Harness):
    """The Twilio carrier against the stand-in, callbacks through the signed webhook routes."""

    def __init__(self, outcome: str, *, faults: bool) -> None:
        super().__init__()
        self.outcome = outcome
        self.faults = faults
        self.clock = VirtualClock(START)
        self.stack = AsyncExitStack()
        self.loop: TwilioLoop | None = None

    async def open(self) -> None:
        """Serve the webhooks, start the stand-in and make the carrier."""
        self.loop = await self.stack.enter_async_context(
            twilio_loop(
                create_app(),
                default_outcome=self.outcome,
                duplicate_callbacks=self.faults,
                swap_first_callbacks=self.faults,
            )
        )
        self.carrier = make_carrier("twilio", self.clock, self.loop.options())
        self.carrier.subscribe(self.record)

    @property
    def standin(self) -> TwilioStandIn:
        """The stand-in the carrier talks to."""
        assert self.loop is not None
        return self.loop.standin

    async def close(self) -> None:
        """Stop the carrier, the stand-in and the server."""
        await self.carrier.close()
        await self.stack.aclose()

    async def until(self, done: Callable[[], bool]) -> bool:
        """Up to five seconds of real time (callbacks travel real HTTP)."""
        for _ in range(250):
            await self.clock.run(until=self.clock.now())
            if done():
                return True
            await asyncio.sleep(0.02)
        return done()


async def open_harness(kind: str, outcome: str, *, faults: bool = False) -> AsyncIterator[Harness]:
    """A harness of the named carrier, closed afterwards."""
    if kind == "simulated":
        yield SimulatedHarness(outcome, faults=faults)
        return
    harness = TwilioHarness(outcome, faults=faults)
    await harness.open()
    try:
        yield harness
    finally:
        await harness.close()


HARNESSES = ("simulated", "twilio")
