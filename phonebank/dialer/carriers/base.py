"""The carrier interface: place and control calls, and report what happens to them.

A carrier turns the engine's requests into telephony and reports back a stream of normalized
events per call: `queued`, `ringing`, `answered` (by a human or a machine), `completed` (with a
cause). Events carry a per-call sequence number (1 for a call's first event, then 2, 3, ...);
carriers may deliver them twice or out of order, and the engine must be immune to both.
"""

from abc import ABC, abstractmethod
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Literal

EventKind = Literal["queued", "ringing", "answered", "completed"]
AnsweredBy = Literal["human", "machine"]
# How a call ended: `completed` after an answer; the others without one.
EndCause = Literal["completed", "busy", "no_answer", "failed", "canceled"]
EVENT_ORDER: dict[str, int] = {"queued": 0, "ringing": 1, "answered": 2, "completed": 3}


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
