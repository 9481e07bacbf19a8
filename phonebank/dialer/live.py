"""What is happening right now in a running campaign: callers, dials, who hears of it."""

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

from phonebank.calls.dialing import PlacedDial
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import CarrierEvent
from phonebank.dialer.clock import TimerHandle
from phonebank.dialer.pacers.base import BusyCaller, PacerState
from phonebank.dialer.stats import OutcomeTracker


@dataclass
class Agent:
    """A caller logged into the campaign, as the engine sees them."""

    session_id: uuid.UUID
    caller_id: uuid.UUID
    state: str = "available"
    since: datetime | None = None
    dial: "Dial | None" = None
    preview: PlacedDial | None = None
    preview_timer: TimerHandle | None = None
    # Their page is gone (no WebSocket, no heartbeat): paused until it is back.
    absent: bool = False
    # The state an absence paused them from, taken back when their page is back (None: they
    # had paused themselves, or a long wrap-up did, and stay paused).
    away_from: str | None = None


@dataclass
class Dial:
    """One dial in flight."""

    placed: PlacedDial
    placed_at: datetime
    carrier_call_id: str = ""
    last_sequence: int = 0
    early: dict[int, CarrierEvent] = field(default_factory=dict)
    reorder_timer: TimerHandle | None = None
    ringing_at: datetime | None = None
    answered_at: datetime | None = None
    answered_by: str | None = None
    bridged_at: datetime | None = None
    agent: Agent | None = None
    # The previewing caller this dial belongs to (preview mode): only they take it.
    reserved_for: Agent | None = None
    waiting_since: datetime | None = None
    abandoned: bool = False
    # Transferred (warm or cold): the caller's leaving no longer hangs up the contact.
    transferred: bool = False
    # The caller has moved on (cold transfer, or left a warm one): the call's end is not theirs.
    released: bool = False
    # Put through to a caller whose page was already gone: nobody talked with the contact.
    unheard: bool = False
    # Hung up before an answer because no caller still there would take it.
    let_go: bool = False
    # The caller left a voicemail: a machine answered, whoever was bridged to it.
    voicemail: bool = False
    timers: list[TimerHandle] = field(default_factory=list)


class CallerNotifier(Protocol):
    """Who is told what a caller should see: the pages' live events, or simulated callers."""

    async def previewing(self, agent: Agent, call_id: uuid.UUID) -> None:
        """A contact to preview was handed to the caller."""

    async def connected(self, agent: Agent, call_id: uuid.UUID) -> None:
        """The caller is now talking with the contact."""

    async def call_ended(self, agent: Agent, call_id: uuid.UUID) -> None:
        """The contact hung up; the caller is in wrap-up."""

    def state_changed(self, agent: Agent) -> None:
        """The caller's state changed (available, previewing, connected, wrap_up, ...)."""

    async def call_state(self, agent: Agent, call_id: uuid.UUID, state: str) -> None:
        """The caller's call changed: `ringing`, `transferred`, `voicemail`, `monitored`, or
        how a preview dial ended unanswered (`busy`, `no_answer`, `failed`)."""

    def campaign_status(self, agent: Agent, status: str) -> None:
        """The organizer changed the campaign's status (paused, started, stopped)."""


class SilentNotifier:
    """Tells nobody (callers then act through the API alone)."""

    async def previewing(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Nothing to tell."""

    async def connected(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Nothing to tell."""

    async def call_ended(self, agent: Agent, call_id: uuid.UUID) -> None:
        """Nothing to tell."""

    def state_changed(self, agent: Agent) -> None:
        """Nothing to tell."""

    async def call_state(self, agent: Agent, call_id: uuid.UUID, state: str) -> None:
        """Nothing to tell."""

    def campaign_status(self, agent: Agent, status: str) -> None:
        """Nothing to tell."""


_BUSY = frozenset({"connected", "wrap_up"})
_new_tuple = tuple.__new__


def observe(
    *,
    now: datetime,
    agents: Iterable[Agent],
    dials: Iterable[Dial],
    waiting: int,
    stats: OutcomeTracker,
    campaign: Campaign,
) -> PacerState:
    """The pacer's view of a running campaign: only what has been observed so far."""
    counts = dict.fromkeys(("available", "previewing", "connected", "wrap_up", "paused"), 0)
    busy: list[BusyCaller] = []
    for agent in agents:
        state = agent.state
        if state in _BUSY:
            since = agent.since
            seconds = 0.0 if since is None else (now - since).total_seconds()
            busy.append(_new_tuple(BusyCaller, (state, seconds)))  # as BusyCaller(...), faster
        elif state == "dialing":
            state = "previewing"
        counts[state] = counts.get(state, 0) + 1
    # Dials not yet answered; a previewing caller's own dial is theirs, not the pacer's.
    in_flight = tuple(
        [
            (now - dial.placed_at).total_seconds()
            for dial in dials
            if dial.answered_at is None and dial.reserved_for is None
        ]
    )
    return PacerState(
        now=now,
        callers_available=counts["available"],
        callers_previewing=counts["previewing"],
        callers_connected=counts["connected"],
        callers_wrap_up=counts["wrap_up"],
        callers_paused=counts["paused"],
        busy_callers=tuple(busy),
        in_flight_ages=in_flight,
        waiting_contacts=waiting,
        campaign=stats.campaign(),
        recent=stats.recent(now),
        last_hour=stats.last_hour(now),
        last_hour_seconds=stats.hour_covered(now),
        mean_ring_seconds=stats.ring.value,
        mean_talk_seconds=stats.talk.value,
        mean_wrap_seconds=stats.wrap.value,
        abandon_target_percent=campaign.abandon_rate_target,
        power_ratio=campaign.power_ratio,
        ring_timeout_seconds=campaign.ring_timeout_seconds,
        preview_seconds=campaign.preview_seconds,
    )
