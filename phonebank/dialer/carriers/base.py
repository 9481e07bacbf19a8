"""The carrier interface: place and control calls, and report what happens to them.

A carrier turns the engine's requests into telephony and reports back a stream of normalized
events per call: `queued`, `ringing`, `answered` (by a human or a machine), `completed` (with a
cause). Events carry a per-call sequence number (1 for a call's first event, then 2, 3, ...);
carriers may deliver them twice or out of order, and the engine must be immune to both.
"""

import asyncio
import logging
from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EventKind = Literal["queued", "ringing", "answered", "completed"]
AnsweredBy = Literal["human", "machine"]
# How a call ended: `completed` after an answer; the others without one.
EndCause = Literal["completed", "busy", "no_answer", "failed", "canceled"]
EVENT_ORDER: dict[str, int] = {"queued": 0, "ringing": 1, "answered": 2, "completed": 3}
# Calls a dead dialer left are ended this many at a time (each may be one provider request).
LEFT_OVER_BATCH = 20

logger = logging.getLogger("phonebank.dialer")


@dataclass(frozen=True)
class CarrierEvent:
    """One thing that happened to one carrier call."""

    carrier_call_id: str
    kind: EventKind
    at: datetime
    sequence: int
    answered_by: AnsweredBy | None = None
    cause: EndCause | None = None


EventHandler = Callable[[CarrierEvent], Awaitable[None]]


@dataclass(frozen=True)
class Origination:
    """What the engine asks for when it dials."""

    number: str
    caller_id: str | None
    ring_timeout_seconds: int
    # The attempt this dial belongs to, echoed by carriers that can carry it.
    reference: str


class Carrier(ABC):
    """A telephony provider, behind the few operations the dialer needs."""

    name: str = "carrier"

    def __init__(self) -> None:
        self._handlers: list[EventHandler] = []

    def subscribe(self, handler: EventHandler) -> None:
        """Deliver every event of this carrier to `handler`."""
        self._handlers.append(handler)

    async def emit(self, event: CarrierEvent) -> None:
        """Hand an event to the subscribers."""
        for handler in self._handlers:
            await handler(event)

    @abstractmethod
    async def originate(self, origination: Origination) -> str:
        """Start a call; returns the carrier's id for it. Events follow through `emit`."""

    @abstractmethod
    async def hangup(self, carrier_call_id: str) -> None:
        """End the call (a `completed` event follows)."""

    @abstractmethod
    async def bridge(self, carrier_call_id: str, caller_session_id: str) -> None:
        """Connect the answered contact to a caller."""

    @abstractmethod
    async def play(self, carrier_call_id: str, *, audio_url: str | None, text: str | None) -> None:
        """Play a recording (or speak text) to the answered party, then hang up."""

    @abstractmethod
    async def end_left_over(self, carrier_call_id: str) -> None:
        """End a call this carrier did not place: one a dialer that died left going on.

        Nothing follows (no events: no engine owns the call). A call already over, or
        unknown to the provider, is fine; failures are logged, never raised.
        """

    async def close(self) -> None:  # noqa: B027 (most carriers hold nothing to release)
        """Release what the carrier holds (connections, callback routes); no calls follow."""

    async def transfer(self, carrier_call_id: str, number: str, *, warm: bool) -> None:
        """Connect the contact to `number` (warm: the caller stays on the line until they leave)."""
        raise NotImplementedError(f"the {self.name} carrier cannot transfer calls")

    async def release(self, carrier_call_id: str) -> None:  # noqa: B027 (no rooms: nothing to do)
        """The caller leaves a warm transfer: the contact and the transfer talk on without them."""

    async def monitor(self, carrier_call_id: str, *, supervisor: str, mode: str) -> None:
        """Let a supervisor listen in (`listen`) or speak on (`barge`) a connected call."""
        raise NotImplementedError(f"the {self.name} carrier cannot monitor calls")


async def end_left_over(carrier: Carrier, carrier_call_ids: Sequence[str]) -> None:
    """Ask `carrier` to end these left-over calls, a batch at a time, whatever each answers."""
    for first in range(0, len(carrier_call_ids), LEFT_OVER_BATCH):
        batch = carrier_call_ids[first : first + LEFT_OVER_BATCH]
        ended = await asyncio.gather(
            *(carrier.end_left_over(carrier_call_id) for carrier_call_id in batch),
            return_exceptions=True,
        )
        for carrier_call_id, outcome in zip(batch, ended, strict=True):
            if isinstance(outcome, Exception):  # the engine starts whatever a carrier does
                logger.error(
                    "could not end the left-over call %s", carrier_call_id, exc_info=outcome
                )
    if carrier_call_ids:
        logger.warning("asked to end %d calls a stopped dialer left", len(carrier_call_ids))
