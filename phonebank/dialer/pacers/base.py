"""The pacer interface: how many new dials to place now, decided from observed state only.

A pacer is a pure decision: it sees what the engine has observed (callers by state, dials in
flight, outcome counts over the campaign and over a recent window, mean ring, talk and wrap
times, the campaign's settings) and never what is about to happen. Pacers are chosen by name
(`preview`, `power`, `predictive`) or by a dotted path `package.module:ClassName`.
"""

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import datetime
from typing import NamedTuple


@dataclass(frozen=True)
class OutcomeCounts:
    """Dial outcomes over some span (the whole campaign, or a recent window)."""

    dials: int = 0
    human_answers: int = 0
    machine_answers: int = 0
    abandons: int = 0
    # Dials that ended without an answer (busy, no answer, failed).
    unanswered: int = 0

    @property
    def answered(self) -> int:
        """Dials that reached someone or something."""
        return self.human_answers + self.machine_answers

    @property
    def abandon_rate(self) -> float:
        """Abandoned share of human answers, in percent (0 when none answered)."""
        return 100.0 * self.abandons / self.human_answers if self.human_answers else 0.0


class BusyCaller(NamedTuple):
    """A caller who is not free, and for how long they have been in that state."""

    state: str  # "connected" or "wrap_up" (or "previewing", "dialing")
    seconds_in_state: float


@dataclass(frozen=True)
class PacerState:
    """Everything a pacer may know when it decides."""

    now: datetime
    callers_available: int
    callers_previewing: int
    callers_connected: int
    callers_wrap_up: int
    callers_paused: int
    busy_callers: tuple[BusyCaller, ...]
    # Dials placed and not yet answered or ended, with their ages in seconds.
    in_flight_ages: tuple[float, ...]
    # Answered humans waiting for a caller right now.
    waiting_contacts: int
    campaign: OutcomeCounts
    recent: OutcomeCounts
    mean_ring_seconds: float | None  # from dial to a human answering
    mean_talk_seconds: float | None
    mean_wrap_seconds: float | None
    abandon_target_percent: float
    power_ratio: float
    ring_timeout_seconds: int
    preview_seconds: int | None = None
    # Counts over the last hour (the window of the hourly abandon limit), and how many
    # seconds of that hour the campaign has been dialing.
    last_hour: OutcomeCounts = OutcomeCounts()
    last_hour_seconds: float = 0.0
    extra: dict[str, float] = field(default_factory=dict)

    @property
    def calls_in_flight(self) -> int:
        """Dials placed and not yet answered or ended."""
        return len(self.in_flight_ages)

    @property
    def callers_logged_in(self) -> int:
        """Callers in the campaign who are not paused."""
        return (
            self.callers_available
            + self.callers_previewing
            + self.callers_connected
            + self.callers_wrap_up
        )


class Pacer(ABC):
    """Decides how many new dials to place; one instance per running campaign."""

    name: str = "pacer"
    # Preview pacers let callers see the contact first; the engine then waits for them.
    previews: bool = False

    @abstractmethod
    def dials_to_place(self, state: PacerState) -> int:
        """How many new dials to start now (0 or more)."""
