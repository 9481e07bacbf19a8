"""The dialer engine of one campaign: pace, dial, connect answers to callers, record it all.

One `CampaignDialer` drives one started campaign. It keeps what is happening right now (callers
and their states, dials in flight) in memory, and the database as the record: claims are
committed before the carrier is asked, outcomes and the callers' time ledger are flushed in
batches. The same code runs live (RealClock, a real carrier) and in simulation (VirtualClock,
the simulated carrier and simulated callers).
"""

import logging
import uuid
from collections import deque
from datetime import datetime
from functools import partial

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from phonebank.blocked_numbers.service import block_list_version
from phonebank.calls.dialing import CarrierCall, DialOutcome, PlacedDial
from phonebank.calls.policy import allowed_hours, inside_calling_hours
from phonebank.campaigns.models import Campaign
from phonebank.dialer.caller_actions import CallerActions
from phonebank.dialer.carriers.base import Carrier, CarrierEvent, Origination, end_left_over
from phonebank.dialer.clock import Clock, TimerHandle
from phonebank.dialer.leases import Lease, LeaseLost
from phonebank.dialer.live import Agent, CallerNotifier, Dial, SilentNotifier, observe
from phonebank.dialer.outcomes import (
    ABANDON_AFTER_SECONDS,
    ENDED_MEMORY,
    REORDER_WAIT_SECONDS,
    SAFE_HARBOR_TEXT,
    CarrierOutcomes,
)
from phonebank.dialer.pacers.base import Pacer, PacerState
from phonebank.dialer.pacers.registry import load_pacer
from phonebank.dialer.presence import CallerPresence, FloorRules
from phonebank.dialer.stats import OutcomeTracker
from phonebank.dialer.store import DialerStore, PendingWrites
from phonebank.errors import Invalid

logger = logging.getLogger("phonebank.dialer")

# Claimed calls waiting to be dialed are released after this long: dials must be fresh.
CLAIM_HOLD_SECONDS = 10.0
MAX_CLAIM_BATCH = 50
# Claims ahead cover about this many seconds of dialing at the recent pace.
CLAIM_AHEAD_SECONDS = CLAIM_HOLD_SECONDS / 2
# A dial the carrier never ends is hung up after its ring timeout plus this margin.
WATCHDOG_MARGIN_SECONDS = 60.0
# Pacing runs on every change, but at most this often: decisions need not be finer.
MIN_PACE_INTERVAL_SECONDS = 1.0
# A predictive campaign's share of extra dials (OBI increasePredictiveRatio) is written this
# often, when it moved by at least EXTRA_DIALS_STEP points: a live figure, not a stream.
EXTRA_DIALS_REPORT_SECONDS = 30.0
EXTRA_DIALS_STEP = 0.5

# The engine's constants stay importable from here, the outcome rules' ones included.
__all__ = [
    "ABANDON_AFTER_SECONDS",
    "CLAIM_AHEAD_SECONDS",
    "CLAIM_HOLD_SECONDS",
    "ENDED_MEMORY",
    "EXTRA_DIALS_REPORT_SECONDS",
    "MAX_CLAIM_BATCH",
    "MIN_PACE_INTERVAL_SECONDS",
    "REORDER_WAIT_SECONDS",
    "SAFE_HARBOR_TEXT",
    "WATCHDOG_MARGIN_SECONDS",
    "CampaignDialer",
]


class CampaignDialer(CallerActions, CarrierOutcomes, CallerPresence):
    """Drives one campaign: the pacing loop, carrier events and caller actions."""

    def __init__(
        self,
        *,
        sessionmaker: async_sessionmaker[AsyncSession],
        clock: Clock,
        carrier: Carrier,
        campaign_id: uuid.UUID,
        notifier: CallerNotifier | None = None,
        pacer: Pacer | None = None,
        tick_seconds: float = 1.0,
        flush_seconds: float = 0.5,
        status_poll_seconds: float = 1.0,
        lease: Lease | None = None,
        floor: FloorRules | None = None,
    ) -> None:
        self.clock = clock
        self.carrier = carrier
        # The campaign's lease when several dialers may run (None: this engine alone dials it).
        self.lease = lease
        self.store = DialerStore(sessionmaker, campaign_id, lease=lease)
        self.notifier: CallerNotifier = notifier or SilentNotifier()
        self.pacer = pacer
        # A pacer given here stays; one loaded from the campaign follows its settings.
        self._pacer_given = pacer is not None
        self._pacer_spec: str | None = None
        self.floor = floor or FloorRules()
        self.tick_seconds = tick_seconds
        self.flush_seconds = flush_seconds
        # How often the campaign is re-read (status, settings): 1 s live, so pause and stop
        # take effect within a second; a simulation may set it longer.
        self.status_poll_seconds = status_poll_seconds
        self._last_poll: datetime | None = None
        self._tick_timer: TimerHandle | None = None
        self.stats = OutcomeTracker()
        self.agents: dict[uuid.UUID, Agent] = {}
        self.dials: dict[str, Dial] = {}
        self.waiting: deque[Dial] = deque()
        # Calls claimed ahead: (when, block-list version then, the claim).
        self._claimed: deque[tuple[datetime, int, PlacedDial]] = deque()
        # When the recent dials were placed (to size claims ahead).
        self._dialed: deque[datetime] = deque()
        self._orphans: dict[str, list[CarrierEvent]] = {}
        # Recently finished dials, so their late or repeated events are ignored.
        self._ended: deque[str] = deque()
        self._ended_ids: set[str] = set()
        # Caller sessions that left, most recent last.
        self.left: deque[uuid.UUID] = deque(maxlen=ENDED_MEMORY)
        self._campaign: Campaign | None = None
        self._pace_scheduled = False
        self._last_pace: datetime | None = None
        self._last_flush: datetime | None = None
        self._last_extra_report: datetime | None = None
        self.running = False
        # Set when the lease was lost: the engine let the campaign go without writing.
        self.abandoned = False
        carrier.subscribe(self.on_carrier_event)

    # ------------------------------------------------------------------ lifecycle

    @property
    def campaign(self) -> Campaign:
        """The campaign as last loaded."""
        assert self._campaign is not None, "start() the dialer first"
        return self._campaign

    async def start(self) -> None:
        """Load the campaign and begin the periodic tick."""
        self._campaign = await self.store.load_campaign()
        settled = await self.store.recover(campaign=self._campaign, now=self.clock.now())
        if settled:
            logger.warning(
                "campaign %s: settled %d interrupted dials", self._campaign.id, len(settled)
            )
            # Their calls may go on at the carrier, answered into silence: end those known.
            name = self.carrier.name
            await end_left_over(
                self.carrier,
                [c.carrier_call_id for c in settled if c.carrier == name and c.carrier_call_id],
            )
        if self.pacer is None:
            self._pacer_spec = self._campaign.pacer or self._campaign.dialing_mode
            self.pacer = load_pacer(self._pacer_spec)
        self.running = True
        self._last_flush = self._last_poll = self.clock.now()
        self._tick_timer = self.clock.call_later(0, self._tick)

    async def stop(self) -> None:
        """Stop dialing: hang up dials in flight, release claims, end sessions, write it all."""
        self.running = False
        if self._tick_timer is not None:
            self._tick_timer.cancel()
        now = self.clock.now()
        self._release_claims(now)
        for dial in list(self.dials.values()):
            # Record each dial now: its `completed` event will come after the engine is gone.
            await self.carrier.hangup(dial.carrier_call_id)
            await self._finish(dial, now=now, cause="canceled")
        for agent in list(self.agents.values()):
            self.leave(agent.session_id)
        try:
            await self.store.flush(campaign=self.campaign, now=now)
        except LeaseLost:
            # Another dialer holds the campaign: it settles these dials as interrupted.
            logger.warning("campaign %s: lease lost while stopping", self.campaign.id)
            self.store.pending = PendingWrites()

    async def abandon(self) -> None:
        """Let the campaign go at once, writing nothing: its lease is (or may soon be) lost.

        Dials in flight are hung up; the dialer that takes the campaign over settles them as
        interrupted and takes the callers' open sessions.
        """
        if self.abandoned:
            return
        logger.warning("campaign %s: lease lost; no more dials from here", self.store.campaign_id)
        self.running, self.abandoned = False, True
        if self.lease is not None:
            self.lease.lost = True
        if self._tick_timer is not None:
            self._tick_timer.cancel()
        self.store.pending = PendingWrites()
        self._claimed.clear()
        self.waiting.clear()
        for agent in self.agents.values():
            if agent.preview_timer is not None:
                agent.preview_timer.cancel()
        for dial in list(self.dials.values()):
            for timer in dial.timers:
                timer.cancel()
            try:
                await self.carrier.hangup(dial.carrier_call_id)
            except Exception:
                logger.exception("could not hang up %s", dial.carrier_call_id)
        self.dials.clear()

    async def _tick(self) -> None:
        if not self.running:
            return
        now = self.clock.now()
        if self._last_poll is None or (now - self._last_poll).total_seconds() >= (
            self.status_poll_seconds
        ):
            self._last_poll = now
            before = self.campaign.status
            self._campaign = await self.store.load_campaign()
            if self.campaign.status != before:
                for agent in self.agents.values():  # every caller's page hears it at once
                    self.notifier.campaign_status(agent, self.campaign.status)
            if self.campaign.status == "stopped":
                await self.stop()
                return
            if self.campaign.status != "started":
                self._release_claims(now)  # a paused campaign holds no calls
            await self._follow_settings()
            await self._check_presence(now)
            self._check_wrap_up(now)
        self._report_extra_dials(now)
        await self._flush_if_due()
        # At most one decision per pacing interval: events may have asked for one already.
        self._pace_soon()
        self._tick_timer = self.clock.call_later(self.tick_seconds, self._tick)

    async def _follow_settings(self) -> None:
        """A running campaign's mode or pacer changed: pace by the new one from now on."""
        spec = self.campaign.pacer or self.campaign.dialing_mode
        if self._pacer_given or spec == self._pacer_spec:
            return
        try:
            pacer = load_pacer(spec)
        except Invalid as error:
            logger.warning("campaign %s: keeps its pacer: %s", self.campaign.id, error.detail)
            self._pacer_spec = spec
            return
        logger.info("campaign %s: now paced by %s", self.campaign.id, spec)
        self.pacer, self._pacer_spec = pacer, spec
        await self.let_dials_go()
        self._pace_soon()

    async def _flush_if_due(self, force: bool = False) -> None:
        now = self.clock.now()
        if (
            force
            or self._last_flush is None
            or ((now - self._last_flush).total_seconds() >= self.flush_seconds)
        ):
            self._last_flush = now
            try:
                closed = await self.store.flush(campaign=self.campaign, now=now)
            except LeaseLost:
                await self.abandon()
                return
            for session_id in closed:
                await self.ended_in_record(session_id)

    def _report_extra_dials(self, now: datetime) -> None:
        """Keep a predictive campaign's increasePredictiveRatio on what the pacer does."""
        last = self._last_extra_report
        if last is not None and (now - last).total_seconds() < EXTRA_DIALS_REPORT_SECONDS:
            return
        self._last_extra_report = now
        if self.campaign.dialing_mode != "predictive":
            return
        percent = round(self.stats.extra_dial_percent(now), 1)
        if abs(percent - self.campaign.increase_predictive_ratio) >= EXTRA_DIALS_STEP:
            self.store.pending.extra_dial_percent = percent
            # The loaded campaign shows it too, until the next load reads it back.
            self.campaign.increase_predictive_ratio = percent

    # ------------------------------------------------------------------ pacing

    def _pace_soon(self) -> None:
        if not self._pace_scheduled and self.running:
            self._pace_scheduled = True
            wait = 0.0
            if self._last_pace is not None:
                since = (self.clock.now() - self._last_pace).total_seconds()
                wait = max(0.0, MIN_PACE_INTERVAL_SECONDS - since)
            self.clock.call_later(wait, self.pace)

    def pacer_state(self) -> PacerState:
        """What the pacer may know now."""
        return observe(
            now=self.clock.now(),
            agents=self.agents.values(),
            dials=self.dials.values(),
            waiting=len(self.waiting),
            stats=self.stats,
            campaign=self.campaign,
        )

    async def pace(self) -> None:
        """Ask the pacer how many to dial, and dial them (or hand out previews)."""
        self._pace_scheduled = False
        self._last_pace = self.clock.now()
        if not self.running or self.campaign.status != "started" or self.pacer is None:
            return
        state = self.pacer_state()
        wanted = self.pacer.dials_to_place(state)
        if wanted <= 0:
            return
        if self.pacer.previews:
            await self._hand_out_previews(wanted)
            return
        taken = await self._take(wanted)
        for placed in taken:
            await self._originate(placed)
        free_lines = state.callers_available - state.waiting_contacts - state.calls_in_flight
        self.stats.placed(self.clock.now(), dials=len(taken), free_lines=free_lines)

    def _release_claims(self, now: datetime) -> None:
        while self._claimed:
            self._not_dialed(self._claimed.popleft()[2], now)

    async def _take(self, wanted: int) -> list[PlacedDial]:
        now = self.clock.now()
        while self._claimed and (now - self._claimed[0][0]).total_seconds() > CLAIM_HOLD_SECONDS:
            self._not_dialed(self._claimed.popleft()[2], now)
        while self._dialed and (now - self._dialed[0]).total_seconds() > CLAIM_AHEAD_SECONDS:
            self._dialed.popleft()
        if len(self._claimed) < wanted:
            # Claim ahead, about what the last few seconds dialed, so a busy campaign does not
            # query for every single dial (claims older than CLAIM_HOLD_SECONDS are released).
            ahead = max(2 * wanted, len(self.agents) // 4, len(self._dialed))
            batch = min(MAX_CLAIM_BATCH, ahead)
            version = block_list_version()
            try:
                claimed = await self.store.claim(
                    campaign=self.campaign, now=now, limit=batch - len(self._claimed)
                )
            except LeaseLost:
                await self.abandon()
                return []
            for placed in claimed:
                self._claimed.append((now, version, placed))
        taken: list[PlacedDial] = []
        stale: list[PlacedDial] = []
        hours = allowed_hours(self.campaign.daily_start_hour, self.campaign.daily_stop_hour)
        while self._claimed and len(taken) + len(stale) < wanted:
            _, version, placed = self._claimed.popleft()
            # Calling hours and the block list, checked again at the moment of dialing.
            if not inside_calling_hours(
                placed.time_zone, now, hours=hours, fallback_zone=self.campaign.time_zone
            ):
                self._not_dialed(placed, now)
            elif version != block_list_version():
                stale.append(placed)
            else:
                taken.append(placed)
        if stale:
            blocked = await self.store.blocked_among(
                campaign=self.campaign, numbers=[placed.number for placed in stale]
            )
            for placed in stale:
                if placed.number in blocked:
                    self._not_dialed(placed, now)
                else:
                    taken.append(placed)
        return taken

    async def _hand_out_previews(self, wanted: int) -> None:
        idle = [a for a in self.agents.values() if a.state == "available" and a.preview is None]
        # Dials placed for any free caller (before a switch to preview) keep callers free for
        # them: the longest-waiting, who would take them.
        owed = sum(
            1
            for d in self.dials.values()
            if d.reserved_for is None and d.agent is None and not (d.abandoned or d.let_go)
        )
        if owed:
            idle = sorted(idle, key=lambda a: a.since or self.clock.now())[owed:]
        for agent, placed in zip(idle, await self._take(min(wanted, len(idle))), strict=False):
            agent.preview = placed
            self._set_state(agent, "previewing")
            await self.notifier.previewing(agent, placed.call_id)
            seconds = self.campaign.preview_seconds
            if seconds is not None:
                agent.preview_timer = self.clock.call_later(
                    seconds, partial(self._preview_time_up, agent.session_id, placed)
                )

    def _not_dialed(
        self, placed: PlacedDial, now: datetime, *, skipped_by: Agent | None = None
    ) -> None:
        # A caller's skip is their decision about the contact: its own outcome, counted for them.
        self.store.pending.outcomes.append(
            DialOutcome(
                attempt_id=placed.attempt_id,
                call_id=placed.call_id,
                outcome="not_dialed" if skipped_by is None else "skipped",
                caller_id=None if skipped_by is None else skipped_by.caller_id,
                ended_at=now,
            )
        )

    async def _originate(self, placed: PlacedDial, reserved_for: Agent | None = None) -> None:
        if not self.running:
            return  # stopped or abandoned meanwhile: the claim is settled by whoever runs next
        now = self.clock.now()
        if self.lease is not None and not self.lease.may_dial(now):
            # The lease was not renewed in time: another dialer may hold the campaign before
            # this dial would be placed. It is not placed (if the lease is lost, the next write
            # fails and the new holder settles the claim).
            self._not_dialed(placed, now)
            if reserved_for is not None:
                self._set_state(reserved_for, "available")
            return
        campaign = self.campaign
        dial = Dial(placed=placed, placed_at=self.clock.now(), reserved_for=reserved_for)
        self._dialed.append(dial.placed_at)
        self.stats.start(dial.placed_at)
        if reserved_for is not None:
            reserved_for.dial = dial
        dial.carrier_call_id = await self.carrier.originate(
            Origination(
                number=placed.number,
                caller_id=campaign.caller_id,
                ring_timeout_seconds=max(15, campaign.ring_timeout_seconds),
                reference=str(placed.attempt_id),
            )
        )
        # Written at the next flush, long before most outcomes: if this process dies, whoever
        # settles the dial ends the call by this id.
        self.store.pending.carrier_calls.append(
            CarrierCall(placed.attempt_id, self.carrier.name, dial.carrier_call_id)
        )
        self.dials[dial.carrier_call_id] = dial
        dial.timers.append(
            self.clock.call_later(
                campaign.ring_timeout_seconds + WATCHDOG_MARGIN_SECONDS,
                partial(self._watchdog, dial),
            )
        )
        for event in self._orphans.pop(dial.carrier_call_id, []):
            await self.on_carrier_event(event)

    async def _watchdog(self, dial: Dial) -> None:
        if dial.carrier_call_id in self.dials and dial.answered_at is None:
            logger.warning("dial %s never ended; hanging up", dial.carrier_call_id)
            await self.carrier.hangup(dial.carrier_call_id)
