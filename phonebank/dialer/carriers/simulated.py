"""The simulated carrier: seeded, statistically realistic calls on a real or a virtual clock.

Each origination draws its fate up front (who answers, how long it rings, how long the contact
would talk once connected) and then plays it out as carrier callbacks would: `queued`, `ringing`,
then `answered` (human or machine, as answering-machine detection reports it) or `completed`
with a cause. Delivery can be made imperfect on purpose (duplicates, swapped pairs) so the
engine is exercised against what real carriers do.
"""

import logging
import math
import random
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any, Literal

from phonebank.dialer.carriers.base import (
    AnsweredBy,
    Carrier,
    CarrierEvent,
    EndCause,
    EventKind,
    Origination,
)
from phonebank.dialer.clock import Clock, TimerHandle

logger = logging.getLogger(__name__)

Outcome = Literal["human", "machine", "busy", "no_answer", "failed"]
UNANSWERED_CAUSES: dict[Outcome, EndCause] = {
    "busy": "busy",
    "no_answer": "no_answer",
    "failed": "failed",
}
RING_GAMMA_SHAPE = 4.0
TALK_LOGNORMAL_SIGMA = 0.5
# A duplicate arrives a little later than the original, as a carrier's retried callback would.
DUPLICATE_DELAY_SECONDS = (0.0, 1.0)


@dataclass(frozen=True)
class SimulatedCarrierConfig:
    """How the simulated world answers the phone."""

    human_share: float = 0.25
    machine_share: float = 0.20
    busy_share: float = 0.05
    no_answer_share: float = 0.45
    failed_share: float = 0.05
    # Ring time before a human answers: gamma(shape 4) with this mean, floored at the minimum.
    human_ring_mean_seconds: float = 9.0
    human_ring_min_seconds: float = 2.0
    machine_ring_seconds: tuple[float, float] = (12.0, 20.0)
    busy_seconds: tuple[float, float] = (2.0, 5.0)
    failed_seconds: tuple[float, float] = (0.5, 2.0)
    # Time from the carrier starting the call to the `ringing` callback (capped below the end).
    ringing_seconds: tuple[float, float] = (0.5, 1.5)
    # Conversation length once bridged: lognormal(sigma 0.5) whose mean is this.
    talk_mean_seconds: float = 90.0
    # Answering-machine detection: how long it listens, and how often it is wrong.
    amd_delay_seconds: float = 0.0
    amd_human_as_machine_rate: float = 0.0
    amd_machine_as_human_rate: float = 0.0
    # `play` ends the call after the message: a voicemail drop to a machine, or the short
    # safe-harbor message to a human the dialer could not connect.
    voicemail_message_seconds: float = 20.0
    safe_harbor_message_seconds: float = 5.0
    # Originations beyond this rate wait their turn (None: unlimited).
    calls_per_second: float | None = None
    duplicate_event_rate: float = 0.0
    out_of_order_rate: float = 0.0

    def __post_init__(self) -> None:
        shares = self.shares()
        if any(share < 0 for share in shares.values()):
            raise ValueError("outcome shares must not be negative")
        if not math.isclose(sum(shares.values()), 1.0, abs_tol=1e-6):
            raise ValueError(f"outcome shares must sum to 1, not {sum(shares.values()):.6f}")
        if self.human_ring_mean_seconds <= 0 or self.talk_mean_seconds <= 0:
            raise ValueError("ring and talk means must be positive")
        if (
            min(
                self.human_ring_min_seconds,
                self.amd_delay_seconds,
                self.voicemail_message_seconds,
                self.safe_harbor_message_seconds,
            )
            < 0
        ):
            raise ValueError("durations must not be negative")
        for low, high in (
            self.machine_ring_seconds,
            self.busy_seconds,
            self.failed_seconds,
            self.ringing_seconds,
        ):
            if not 0 <= low <= high:
                raise ValueError("duration ranges must be (low, high) with 0 <= low <= high")
        for rate in (
            self.amd_human_as_machine_rate,
            self.amd_machine_as_human_rate,
            self.duplicate_event_rate,
            self.out_of_order_rate,
        ):
            if not 0 <= rate <= 1:
                raise ValueError("rates must be between 0 and 1")
        if self.calls_per_second is not None and self.calls_per_second <= 0:
            raise ValueError("calls_per_second must be positive (or None for unlimited)")

    def shares(self) -> dict[Outcome, float]:
        """The probability of each outcome of a dial."""
        return {
            "human": self.human_share,
            "machine": self.machine_share,
            "busy": self.busy_share,
            "no_answer": self.no_answer_share,
            "failed": self.failed_share,
        }

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "SimulatedCarrierConfig":
        """A config from settings (JSON): any field by name; ranges as two-item lists."""
        known = {field.name for field in fields(cls)}
        unknown = sorted(set(options) - known)
        if unknown:
            raise ValueError(f"unknown simulated carrier settings: {', '.join(unknown)}")
        values: dict[str, Any] = {
            name: tuple(value) if isinstance(value, list) else value
            for name, value in options.items()
        }
        return cls(**values)

    @classmethod
    def from_scenario(
        cls,
        *,
        human: float,
        machine: float,
        busy: float = 0.0,
        failed: float = 0.0,
        no_answer: float | None = None,
        talk_mean: float = 90.0,
        **settings: Any,
    ) -> "SimulatedCarrierConfig":
        """A config from outcome shares (no answer takes the remainder unless given)."""
        if no_answer is None:
            no_answer = max(0.0, 1.0 - human - machine - busy - failed)
        return cls(
            human_share=human,
            machine_share=machine,
            busy_share=busy,
            no_answer_share=no_answer,
            failed_share=failed,
            talk_mean_seconds=talk_mean,
            **settings,
        )


class _SimulatedCall:
    """What the carrier remembers about one live call; dropped as soon as it ends."""

    __slots__ = (
        "carrier_call_id",
        "held",
        "outcome",
        "outcome_at",
        "pending",
        "phase",
        "reported_as",
        "ringing_at",
        "sequence",
        "talk_seconds",
    )

    def __init__(
        self,
        carrier_call_id: str,
        outcome: Outcome,
        reported_as: AnsweredBy | None,
        ringing_at: datetime | None,
        outcome_at: datetime,
        talk_seconds: float,
    ) -> None:
        self.carrier_call_id = carrier_call_id
        self.outcome = outcome
        self.reported_as = reported_as
        self.ringing_at = ringing_at
        self.outcome_at = outcome_at
        self.talk_seconds = talk_seconds
        self.sequence = 0
        # "dialing" -> "answered" -> "talking" | "playing"
        self.phase = "dialing"
        self.pending: TimerHandle | None = None
        # An event kept back to be delivered after the next one (out-of-order delivery).
        self.held: CarrierEvent | None = None


class SimulatedCarrier(Carrier):
    """A carrier that invents realistic calls; the default, and the simulation's telephony."""

    name = "simulated"

    def __init__(
        self,
        clock: Clock,
        config: SimulatedCarrierConfig | None = None,
        *,
        seed: int | None = None,
    ) -> None:
        super().__init__()
        self._clock = clock
        self._config = config or SimulatedCarrierConfig()
        self._random = random.Random(seed)
        # Delivery faults draw from their own stream, so turning them on changes no call's fate.
        self._faults = random.Random(self._random.getrandbits(64))
        self._calls: dict[str, _SimulatedCall] = {}
        self._originated = 0
        self._next_start: datetime | None = None
        # What callers and supervisors did to calls (transfers, monitoring), as state changes.
        self.actions: list[tuple[datetime, str, str, str]] = []

    @property
    def config(self) -> SimulatedCarrierConfig:
        """The settings this carrier simulates."""
        return self._config

    @property
    def active_calls(self) -> int:
        """Calls originated and not yet ended."""
        return len(self._calls)

    async def originate(self, origination: Origination) -> str:
        """Accept a dial and schedule its callbacks on the clock."""
        self._originated += 1
        carrier_call_id = f"sim-{self._originated}"
        now = self._clock.now()
        start = self._start_time(now)
        call = self._plan(carrier_call_id, start, origination.ring_timeout_seconds)
        self._calls[carrier_call_id] = call
        call.pending = self._clock.call_at(now, lambda: self._send_queued(call))
        return carrier_call_id

    async def hangup(self, carrier_call_id: str) -> None:
        """End the call now; `completed` follows (canceled if it was never answered)."""
        call = self._live(carrier_call_id, "hangup")
        if call is None:
            return
        cause: EndCause = "canceled" if call.phase == "dialing" else "completed"
        self._finish_at(call, self._clock.now(), cause)

    async def end_left_over(self, carrier_call_id: str) -> None:
        """Nothing to end: a simulated call lives in its carrier, which died with its process."""

    async def bridge(self, carrier_call_id: str, caller_session_id: str) -> None:
        """Connect an answered contact; a human then talks for their drawn talk time."""
        call = self._live(carrier_call_id, "bridge")
        if call is None:
            return
        if call.phase != "answered":
            logger.debug("bridge ignored: %s is %s", carrier_call_id, call.phase)
            return
        call.phase = "talking"
        # A machine keeps "talking" (recording) until someone hangs up.
        if call.outcome == "human":
            end = self._clock.now() + timedelta(seconds=call.talk_seconds)
            self._finish_at(call, end, "completed")

    async def play(self, carrier_call_id: str, *, audio_url: str | None, text: str | None) -> None:
        """Play the message to the answered party, then hang up when it is over."""
        call = self._live(carrier_call_id, "play")
        if call is None:
            return
        if call.phase not in ("answered", "talking"):
            logger.debug("play ignored: %s is %s", carrier_call_id, call.phase)
            return
        call.phase = "playing"
        seconds = (
            self._config.voicemail_message_seconds
            if call.reported_as == "machine"
            else self._config.safe_harbor_message_seconds
        )
        self._finish_at(call, self._clock.now() + timedelta(seconds=seconds), "completed")

    async def transfer(self, carrier_call_id: str, number: str, *, warm: bool) -> None:
        """Hand the talking contact to `number`; they talk on for their drawn time."""
        call = self._live(carrier_call_id, "transfer")
        if call is not None and call.phase == "talking":
            kind = "warm" if warm else "cold"
            self.actions.append((self._clock.now(), carrier_call_id, f"transfer_{kind}", number))

    async def monitor(self, carrier_call_id: str, *, supervisor: str, mode: str) -> None:
        """Record that a supervisor listens in or breaks in on a talking call."""
        call = self._live(carrier_call_id, "monitor")
        if call is not None and call.phase == "talking":
            self.actions.append((self._clock.now(), carrier_call_id, mode, supervisor))

    # Planning: every random draw about a call's fate happens at origination.

    def _start_time(self, now: datetime) -> datetime:
        rate = self._config.calls_per_second
        if rate is None:
            return now
        start = now if self._next_start is None else max(now, self._next_start)
        self._next_start = start + timedelta(seconds=1.0 / rate)
        return start

    def _draw_outcome(self) -> Outcome:
        shares = self._config.shares()
        roll = self._random.random()
        cumulative = 0.0
        for outcome, share in shares.items():
            cumulative += share
            if roll < cumulative:
                return outcome
        # Shares summing to a hair under 1: never fall through to an outcome that cannot happen.
        return max(shares, key=lambda outcome: shares[outcome])

    def _plan(self, carrier_call_id: str, start: datetime, ring_timeout: int) -> _SimulatedCall:
        config = self._config
        draw = self._random
        outcome = self._draw_outcome()
        reported_as: AnsweredBy | None = None
        talk_seconds = 0.0
        if outcome == "human":
            ring = max(
                config.human_ring_min_seconds,
                draw.gammavariate(
                    RING_GAMMA_SHAPE, config.human_ring_mean_seconds / RING_GAMMA_SHAPE
                ),
            )
            misread = draw.random() < config.amd_human_as_machine_rate
            reported_as = "machine" if misread else "human"
            mu = math.log(config.talk_mean_seconds) - TALK_LOGNORMAL_SIGMA**2 / 2
            talk_seconds = draw.lognormvariate(mu, TALK_LOGNORMAL_SIGMA)
        elif outcome == "machine":
            ring = draw.uniform(*config.machine_ring_seconds)
            misread = draw.random() < config.amd_machine_as_human_rate
            reported_as = "human" if misread else "machine"
        elif outcome == "busy":
            ring = draw.uniform(*config.busy_seconds)
        elif outcome == "failed":
            ring = draw.uniform(*config.failed_seconds)
        else:
            ring = float(ring_timeout)
        if reported_as is not None:
            if ring >= ring_timeout:
                # Nobody picks up before the carrier gives up on ringing.
                outcome, reported_as, ring = "no_answer", None, float(ring_timeout)
            else:
                ring += config.amd_delay_seconds
        ringing_at = None
        if outcome != "failed":  # a failed call never reaches the far end
            ringing = min(draw.uniform(*config.ringing_seconds), ring / 2)
            ringing_at = start + timedelta(seconds=ringing)
        outcome_at = start + timedelta(seconds=ring)
        return _SimulatedCall(
            carrier_call_id, outcome, reported_as, ringing_at, outcome_at, talk_seconds
        )

    # Playing the plan out: clock jobs, one pending per call.

    def _live(self, carrier_call_id: str, action: str) -> _SimulatedCall | None:
        call = self._calls.get(carrier_call_id)
        if call is None:
            logger.debug("%s ignored: no live call %s", action, carrier_call_id)
        return call

    def _event(
        self,
        call: _SimulatedCall,
        kind: EventKind,
        *,
        answered_by: AnsweredBy | None = None,
        cause: EndCause | None = None,
    ) -> CarrierEvent:
        call.sequence += 1
        return CarrierEvent(
            carrier_call_id=call.carrier_call_id,
            kind=kind,
            at=self._clock.now(),
            sequence=call.sequence,
            answered_by=answered_by,
            cause=cause,
        )

    async def _send_queued(self, call: _SimulatedCall) -> None:
        event = self._event(call, "queued")
        if call.ringing_at is not None:
            call.pending = self._clock.call_at(call.ringing_at, lambda: self._send_ringing(call))
        else:
            call.pending = self._clock.call_at(call.outcome_at, lambda: self._send_outcome(call))
        await self._deliver(call, event)

    async def _send_ringing(self, call: _SimulatedCall) -> None:
        event = self._event(call, "ringing")
        call.pending = self._clock.call_at(call.outcome_at, lambda: self._send_outcome(call))
        await self._deliver(call, event)

    async def _send_outcome(self, call: _SimulatedCall) -> None:
        call.pending = None
        if call.reported_as is None:
            self._calls.pop(call.carrier_call_id, None)
            cause = UNANSWERED_CAUSES[call.outcome]
            await self._deliver(call, self._event(call, "completed", cause=cause))
            return
        call.phase = "answered"
        await self._deliver(call, self._event(call, "answered", answered_by=call.reported_as))

    def _finish_at(self, call: _SimulatedCall, when: datetime, cause: EndCause) -> None:
        """Replace whatever was next for the call with its end at `when`."""
        if call.pending is not None:
            call.pending.cancel()
        if when <= self._clock.now():
            # Ended now: forget it at once so later requests are no-ops, deliver on the clock.
            self._calls.pop(call.carrier_call_id, None)
            event = self._event(call, "completed", cause=cause)
            call.pending = self._clock.call_at(when, lambda: self._deliver(call, event))
            return

        async def end() -> None:
            self._calls.pop(call.carrier_call_id, None)
            await self._deliver(call, self._event(call, "completed", cause=cause))

        call.pending = self._clock.call_at(when, end)

    async def _deliver(self, call: _SimulatedCall, event: CarrierEvent) -> None:
        """Emit the event, sometimes swapped with the call's next event or sent twice."""
        final = event.kind == "completed"
        if (
            not final
            and call.held is None
            and call.pending is not None  # a next event is coming to swap with
            and self._faults.random() < self._config.out_of_order_rate
        ):
            call.held = event
            return
        await self._emit_maybe_twice(event)
        held, call.held = call.held, None
        if held is not None:
            await self._emit_maybe_twice(held)

    async def _emit_maybe_twice(self, event: CarrierEvent) -> None:
        await self.emit(event)
        if self._faults.random() < self._config.duplicate_event_rate:
            delay = self._faults.uniform(*DUPLICATE_DELAY_SECONDS)
            self._clock.call_later(delay, lambda: self.emit(event))
