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
from phonebank.callers.sessions import CurrentState, Span
from phonebank.calls.dialing import CarrierCall, DialOutcome, PlacedDial
from phonebank.calls.policy import allowed_hours, inside_calling_hours
from phonebank.campaigns.models import Campaign
from phonebank.dialer.carriers.base import Carrier, CarrierEvent, Origination, end_left_over
from phonebank.dialer.clock import Clock, TimerHandle
from phonebank.dialer.leases import Lease, LeaseLost
from phonebank.dialer.live import Agent, CallerNotifier, Dial, SilentNotifier, observe
from phonebank.dialer.pacers.base import Pacer, PacerState
from phonebank.dialer.pacers.registry import load_pacer
from phonebank.dialer.stats import OutcomeTracker
from phonebank.dialer.store import DialerStore, PendingWrites, SubmittedResult

logger = logging.getLogger("phonebank.dialer")

# An answered human nobody takes within this many seconds is abandoned (safe-harbor rule).
ABANDON_AFTER_SECONDS = 2.0
SAFE_HARBOR_TEXT = (
    "Sorry we missed you. This call was from a campaign; we will not call again today."
)
# Claimed calls waiting to be dialed are released after this long: dials must be fresh.
CLAIM_HOLD_SECONDS = 10.0
MAX_CLAIM_BATCH = 50
# Claims ahead cover about this many seconds of dialing at the recent pace.
CLAIM_AHEAD_SECONDS = CLAIM_HOLD_SECONDS / 2
# A dial the carrier never ends is hung up after its ring timeout plus this margin.
WATCHDOG_MARGIN_SECONDS = 60.0
# Events of a call that arrive early wait this long for the missing ones before being applied.
REORDER_WAIT_SECONDS = 2.0
# Pacing runs on every change, but at most this often: decisions need not be finer.
MIN_PACE_INTERVAL_SECONDS = 1.0
# How many finished dials are remembered to ignore their stray events.
ENDED_MEMORY = 5000


class CampaignDialer:
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
    ) -> None:
        self.clock = clock
        self.carrier = carrier
        # The campaign's lease when several dialers may run (None: this engine alone dials it).
        self.lease = lease
        self.store = DialerStore(sessionmaker, campaign_id, lease=lease)
        self.notifier: CallerNotifier = notifier or SilentNotifier()
        self.pacer = pacer
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
            self.pacer = load_pacer(self._campaign.pacer or self._campaign.dialing_mode)
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
            self._campaign = await self.store.load_campaign()
            if self.campaign.status == "stopped":
                await self.stop()
                return
            if self.campaign.status != "started":
                self._release_claims(now)  # a paused campaign holds no calls
        await self._flush_if_due()
        # At most one decision per pacing interval: events may have asked for one already.
        self._pace_soon()
        self._tick_timer = self.clock.call_later(self.tick_seconds, self._tick)

    async def _flush_if_due(self, force: bool = False) -> None:
        now = self.clock.now()
        if (
            force
            or self._last_flush is None
            or ((now - self._last_flush).total_seconds() >= self.flush_seconds)
        ):
            self._last_flush = now
            try:
                await self.store.flush(campaign=self.campaign, now=now)
            except LeaseLost:
                await self.abandon()

    # ------------------------------------------------------------------ callers

    def _set_state(self, agent: Agent, state: str) -> None:
        now = self.clock.now()
        if agent.since is not None and agent.state != state:
            self.store.pending.spans.append(Span(agent.session_id, agent.state, agent.since, now))
        if agent.state == "wrap_up" and state != "wrap_up" and agent.since is not None:
            self.stats.wrap.add((now - agent.since).total_seconds())
        agent.state, agent.since = state, now
        self.store.pending.states[agent.session_id] = CurrentState(agent.session_id, state, now)
        self.notifier.state_changed(agent)

    def join(self, session_id: uuid.UUID, caller_id: uuid.UUID) -> Agent:
        """A caller session joins the campaign, ready to take calls."""
        agent = Agent(session_id=session_id, caller_id=caller_id, since=self.clock.now())
        self.agents[session_id] = agent
        self._pace_soon()
        return agent

    def leave(self, session_id: uuid.UUID) -> None:
        """A caller session ends (logout, kick, campaign stopped)."""
        # Remembered, so a late rejoin from an older read of the open sessions cannot revive it.
        self.left.append(session_id)
        agent = self.agents.pop(session_id, None)
        if agent is None:
            return
        placed = self._take_preview(agent)
        if placed is not None:
            self._not_dialed(placed, self.clock.now())
        self._set_state(agent, "ended")

    def pause(self, session_id: uuid.UUID, paused: bool) -> None:
        """A caller pauses (no calls offered) or comes back."""
        agent = self.agents.get(session_id)
        if agent is None or agent.state not in {"available", "paused"}:
            return
        self._set_state(agent, "paused" if paused else "available")
        if not paused:
            self._agent_free(agent)

    async def submit(self, session_id: uuid.UUID, disposition: str, *, record: bool = True) -> None:
        """The caller saved the result of their call and is ready for the next.

        `record=False` when the result was already stored (the caller API stores it in its
        own transaction): the engine then only frees the caller.
        """
        agent = self.agents.get(session_id)
        if agent is None or agent.state != "wrap_up" or agent.dial is None:
            return
        dial = agent.dial
        if record:
            self.store.pending.results.append(
                SubmittedResult(
                    call_id=dial.placed.call_id,
                    attempt_id=dial.placed.attempt_id,
                    caller_id=agent.caller_id,
                    disposition=disposition,
                    at=self.clock.now(),
                )
            )
        agent.dial = None
        self._set_state(agent, "available")
        self._agent_free(agent)

    async def dial_preview(self, session_id: uuid.UUID) -> None:
        """The previewing caller chose to dial their contact."""
        agent = self.agents.get(session_id)
        placed = None if agent is None else self._take_preview(agent)
        if agent is None or placed is None:
            return
        self._set_state(agent, "dialing")
        await self._originate(placed, reserved_for=agent)

    def skip_preview(self, session_id: uuid.UUID) -> None:
        """The previewing caller skipped their contact."""
        agent = self.agents.get(session_id)
        placed = None if agent is None else self._take_preview(agent)
        if agent is None or placed is None:
            return
        self._not_dialed(placed, self.clock.now(), skipped_by=agent)
        self._set_state(agent, "available")
        self._pace_soon()

    def _take_preview(self, agent: Agent) -> PlacedDial | None:
        # Every way a preview ends goes through here: its timer must not dial the next contact.
        placed, agent.preview = agent.preview, None
        if agent.preview_timer is not None:
            agent.preview_timer.cancel()
            agent.preview_timer = None
        return placed

    async def _preview_time_up(self, session_id: uuid.UUID, placed: PlacedDial) -> None:
        agent = self.agents.get(session_id)
        if agent is not None and agent.preview is placed:  # still the contact the timer was for
            await self.dial_preview(session_id)

    async def hang_up(self, session_id: uuid.UUID) -> None:
        """The caller ended their connected call (or left a warm transfer, which goes on)."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return
        dial = agent.dial
        if dial.transferred:
            await self.carrier.release(dial.carrier_call_id)
            await self._release(agent, dial)
        else:
            await self.carrier.hangup(dial.carrier_call_id)

    async def transfer(self, session_id: uuid.UUID, number: str, *, warm: bool) -> bool:
        """Hand the caller's contact to `number`; a cold transfer frees the caller at once."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return False
        dial = agent.dial
        await self.carrier.transfer(dial.carrier_call_id, number, warm=warm)
        dial.transferred = True
        await self.notifier.call_state(agent, dial.placed.call_id, "transferred")
        if not warm:
            await self._release(agent, dial)
        return True

    async def drop_voicemail(self, session_id: uuid.UUID) -> bool:
        """The caller reached a voicemail: play the campaign's message and move on."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return False
        dial = agent.dial
        await self.carrier.play(
            dial.carrier_call_id, audio_url=self.campaign.voicemail_audio_url, text=None
        )
        await self.notifier.call_state(agent, dial.placed.call_id, "voicemail")
        await self._release(agent, dial)
        return True

    async def monitor(self, session_id: uuid.UUID, *, supervisor: str, mode: str) -> bool:
        """A supervisor listens in or breaks in on the caller's connected call."""
        agent = self.agents.get(session_id)
        if agent is None or agent.dial is None or agent.state != "connected":
            return False
        await self.carrier.monitor(agent.dial.carrier_call_id, supervisor=supervisor, mode=mode)
        await self.notifier.call_state(agent, agent.dial.placed.call_id, f"monitored_{mode}")
        return True

    async def _release(self, agent: Agent, dial: Dial) -> None:
        # The contact's call goes on without the caller, who wraps up now.
        dial.released = True
        self._set_state(agent, "wrap_up")
        await self.notifier.call_ended(agent, dial.placed.call_id)

    def _agent_free(self, agent: Agent) -> None:
        while self.waiting and agent.state == "available":
            dial = self.waiting.popleft()
            if dial.abandoned or dial.agent is not None:
                continue
            self.clock.call_later(0, partial(self._bridge, dial, agent))
            return
        self._pace_soon()

    def _free_agent(self, dial: Dial) -> Agent | None:
        if dial.reserved_for is not None:
            agent = dial.reserved_for
            return agent if agent.session_id in self.agents else None
        free = [a for a in self.agents.values() if a.state == "available"]
        # The longest-waiting caller takes the call.
        return min(free, key=lambda a: a.since or self.clock.now()) if free else None

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
        wanted = self.pacer.dials_to_place(self.pacer_state())
        if wanted <= 0:
            return
        if self.pacer.previews:
            await self._hand_out_previews(wanted)
            return
        for placed in await self._take(wanted):
            await self._originate(placed)

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

    def _remember_ended(self, carrier_call_id: str) -> None:
        self._ended.append(carrier_call_id)
        self._ended_ids.add(carrier_call_id)
        if len(self._ended) > ENDED_MEMORY:
            self._ended_ids.discard(self._ended.popleft())

    async def _watchdog(self, dial: Dial) -> None:
        if dial.carrier_call_id in self.dials and dial.answered_at is None:
            logger.warning("dial %s never ended; hanging up", dial.carrier_call_id)
            await self.carrier.hangup(dial.carrier_call_id)

    # ------------------------------------------------------------------ carrier events

    async def on_carrier_event(self, event: CarrierEvent) -> None:
        """Apply a carrier event once, in sequence order, whatever order it arrives in."""
        dial = self.dials.get(event.carrier_call_id)
        if dial is None:
            if event.carrier_call_id in self._ended_ids:
                return  # a late or repeated event of a finished dial
            if event.sequence <= 2:  # may beat `originate` returning its id
                self._orphans.setdefault(event.carrier_call_id, []).append(event)
            return
        if event.sequence <= dial.last_sequence or event.sequence in dial.early:
            return  # a duplicate
        dial.early[event.sequence] = event
        await self._apply_in_order(dial)
        if dial.early and dial.reorder_timer is None:
            dial.reorder_timer = self.clock.call_later(
                REORDER_WAIT_SECONDS, partial(self._apply_late, dial)
            )

    async def _apply_in_order(self, dial: Dial) -> None:
        while (event := dial.early.pop(dial.last_sequence + 1, None)) is not None:
            dial.last_sequence = event.sequence
            await self._apply(dial, event)

    async def _apply_late(self, dial: Dial) -> None:
        # A missing event never came: carry on with what we have, in order.
        dial.reorder_timer = None
        for sequence in sorted(dial.early):
            event = dial.early.pop(sequence)
            dial.last_sequence = sequence
            await self._apply(dial, event)

    async def _apply(self, dial: Dial, event: CarrierEvent) -> None:
        if event.kind == "ringing":
            dial.ringing_at = dial.ringing_at or event.at
            if dial.reserved_for is not None:
                await self.notifier.call_state(dial.reserved_for, dial.placed.call_id, "ringing")
        elif event.kind == "answered" and dial.answered_at is None:
            dial.answered_at, dial.answered_by = event.at, event.answered_by
            if event.answered_by == "machine":
                await self._machine(dial)
            else:
                self.stats.ring.add((event.at - dial.placed_at).total_seconds())
                await self._human(dial)
        elif event.kind == "completed":
            await self._completed(dial, event)

    async def _machine(self, dial: Dial) -> None:
        campaign = self.campaign
        if campaign.voicemail_audio_url:
            await self.carrier.play(
                dial.carrier_call_id, audio_url=campaign.voicemail_audio_url, text=None
            )
        else:
            await self.carrier.hangup(dial.carrier_call_id)

    async def _human(self, dial: Dial) -> None:
        agent = self._free_agent(dial)
        if agent is not None and agent.state in {"available", "dialing"}:
            await self._bridge(dial, agent)
            return
        dial.waiting_since = self.clock.now()
        self.waiting.append(dial)
        dial.timers.append(
            self.clock.call_later(ABANDON_AFTER_SECONDS, partial(self._abandon, dial))
        )

    async def _bridge(self, dial: Dial, agent: Agent) -> None:
        if dial.abandoned or dial.carrier_call_id not in self.dials:
            self._agent_free(agent)
            return
        dial.agent, dial.bridged_at, dial.waiting_since = agent, self.clock.now(), None
        agent.dial = dial
        self._set_state(agent, "connected")
        await self.carrier.bridge(dial.carrier_call_id, str(agent.session_id))
        await self.notifier.connected(agent, dial.placed.call_id)

    async def _abandon(self, dial: Dial) -> None:
        if dial.agent is not None or dial.abandoned or dial.carrier_call_id not in self.dials:
            return
        dial.abandoned = True
        await self.carrier.play(dial.carrier_call_id, audio_url=None, text=SAFE_HARBOR_TEXT)

    async def _completed(self, dial: Dial, event: CarrierEvent) -> None:
        await self._finish(dial, now=event.at, cause=event.cause)

    async def _finish(self, dial: Dial, *, now: datetime, cause: str | None) -> None:
        """A dial ended: record its outcome and move its caller on."""
        if self.dials.pop(dial.carrier_call_id, None) is None:
            return  # already finished
        self._remember_ended(dial.carrier_call_id)
        agent = dial.agent
        if dial.bridged_at is not None:
            outcome = "human"
            self.stats.talk.add((now - dial.bridged_at).total_seconds())
        elif dial.abandoned or dial.waiting_since is not None:
            outcome = "abandoned"
        elif dial.answered_by == "machine":
            outcome = "machine"
        else:
            outcome = {"busy": "busy", "no_answer": "no_answer", "canceled": "cancelled"}.get(
                cause or "", "failed"
            )
        for timer in dial.timers:
            timer.cancel()
        if dial.reorder_timer is not None:
            dial.reorder_timer.cancel()
        self.stats.dial_ended(outcome, now)
        self.store.pending.outcomes.append(
            DialOutcome(
                attempt_id=dial.placed.attempt_id,
                call_id=dial.placed.call_id,
                outcome=outcome,
                cause=cause,
                carrier=self.carrier.name,
                carrier_call_id=dial.carrier_call_id,
                caller_id=agent.caller_id if agent else None,
                ringing_at=dial.ringing_at,
                answered_at=dial.answered_at,
                bridged_at=dial.bridged_at,
                ended_at=now,
            )
        )
        reserved = dial.reserved_for
        if agent is not None and agent.session_id in self.agents and not dial.released:
            self._set_state(agent, "wrap_up")
            await self.notifier.call_ended(agent, dial.placed.call_id)
        elif reserved is not None and reserved.session_id in self.agents:
            # A preview dial nobody answered: the caller is free for the next contact.
            reserved.dial = None
            self._set_state(reserved, "available")
        self._pace_soon()
